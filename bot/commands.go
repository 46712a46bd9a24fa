package bot

import (
	"github.com/bwmarrin/discordgo"
)

// Command names.
const (
	cmdAsk         = "ask"
	cmdSources     = "sources"
	cmdHelp        = "help"
	cmdReindex     = "reindex"
	cmdFindSources = "Find sources"
	optQuestion    = "question"
	optPrivate     = "private"
)

// manageGuild is the permission that makes a member a library moderator.
const manageGuild = int64(discordgo.PermissionManageGuild)

func ptr[T any](v T) *T { return &v }

// memberCommands are the commands every member sees.
func memberCommands() []*discordgo.ApplicationCommand {
	contexts := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	install := &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	return []*discordgo.ApplicationCommand{
		{
			Name:             cmdAsk,
			Type:             discordgo.ChatApplicationCommand,
			Description:      "Ask a question about the gut–skin axis; the answer quotes the library with its sources",
			Contexts:         contexts,
			IntegrationTypes: install,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:         discordgo.ApplicationCommandOptionString,
					Name:         optQuestion,
					Description:  "Your question, in plain words",
					Required:     true,
					Autocomplete: true,
					MinLength:    ptr(2),
					MaxLength:    maxQuestion,
				},
				{
					Type:        discordgo.ApplicationCommandOptionBoolean,
					Name:        optPrivate,
					Description: "Show the answer to you only",
				},
			},
		},
		{
			Name:             cmdSources,
			Type:             discordgo.ChatApplicationCommand,
			Description:      "List the articles in the library, with their links",
			Contexts:         contexts,
			IntegrationTypes: install,
		},
		{
			Name:             cmdHelp,
			Type:             discordgo.ChatApplicationCommand,
			Description:      "What this bot does and how to ask",
			Contexts:         contexts,
			IntegrationTypes: install,
		},
		{
			Name:             cmdFindSources,
			Type:             discordgo.MessageApplicationCommand,
			Contexts:         contexts,
			IntegrationTypes: install,
		},
	}
}

// reindexCommand is the moderators' command, guild only. Discord hides it
// from members without Manage Server, unless moderator roles are configured:
// Discord would then also refuse those roles, so it is shown to every member
// and only the handler's check gates it.
func reindexCommand(moderatorRoles bool) *discordgo.ApplicationCommand {
	c := &discordgo.ApplicationCommand{
		Name:             cmdReindex,
		Type:             discordgo.ChatApplicationCommand,
		Description:      "Moderators: reload the library from its folder and rebuild the index",
		Contexts:         &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
		IntegrationTypes: &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall},
	}
	if !moderatorRoles {
		c.DefaultMemberPermissions = ptr(manageGuild)
	}
	return c
}

// commandScope is one bulk overwrite: a guild's commands, or the global
// ones (guildID "").
type commandScope struct {
	guildID  string
	commands []*discordgo.ApplicationCommand
}

// commandScopes plans the registration: the member commands globally or in
// the development guild, and /reindex in the moderation guild only.
func commandScopes(guildID, moderationGuildID string, moderatorRoles bool) []commandScope {
	members := commandScope{guildID: guildID, commands: memberCommands()}
	if moderationGuildID == "" {
		return []commandScope{members}
	}
	reindex := reindexCommand(moderatorRoles)
	if moderationGuildID == guildID {
		members.commands = append(members.commands, reindex)
		return []commandScope{members}
	}
	return []commandScope{members, {guildID: moderationGuildID, commands: []*discordgo.ApplicationCommand{reindex}}}
}
