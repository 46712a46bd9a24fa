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
	cmdLibrary     = "library"
	subAdd         = "add"
	subRemove      = "remove"
	subRestore     = "restore"
	subList        = "list"
	optFile        = "file"
	optURL         = "url"
	optArticle     = "article"
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

// moderatorCommands are /reindex, /library and /gaps, guild only. Discord hides
// them from members without Manage Server, unless moderator roles are
// configured: Discord would then also refuse those roles, so they are shown
// to every member and only the handlers' check gates them.
func moderatorCommands(moderatorRoles bool) []*discordgo.ApplicationCommand {
	guild := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	install := &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	article := func(what string) []*discordgo.ApplicationCommandOption {
		return []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: optArticle, Description: "The article to " + what,
			Required: true, Autocomplete: true, MaxLength: limitChoice,
		}}
	}
	cs := []*discordgo.ApplicationCommand{
		{
			Name:             cmdReindex,
			Type:             discordgo.ChatApplicationCommand,
			Description:      "Moderators: reload the library from its folder and rebuild the index",
			Contexts:         guild,
			IntegrationTypes: install,
		},
		{
			Name:             cmdLibrary,
			Type:             discordgo.ChatApplicationCommand,
			Description:      "Moderators: add, update, remove or restore articles of the library",
			Contexts:         guild,
			IntegrationTypes: install,
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type: discordgo.ApplicationCommandOptionSubCommand, Name: subAdd,
					Description: "Preview an article from a file or a web page, then add it (or update the one it replaces)",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionAttachment, Name: optFile, Description: "A .md or .txt file, at most 1 MiB"},
						{Type: discordgo.ApplicationCommandOptionString, Name: optURL, Description: "An article's web page, or a raw .md or .txt", MaxLength: 2000},
					},
				},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: subRemove, Description: "Remove an article (it is kept aside and can be restored)", Options: article("remove")},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: subRestore, Description: "Bring a removed article back", Options: article("restore")},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: subList, Description: "What the library holds, and what was removed"},
			},
		},
		{
			Name:             cmdGaps,
			Type:             discordgo.ChatApplicationCommand,
			Description:      "Moderators: what members asked that went unanswered, and passages rated 👎",
			Contexts:         guild,
			IntegrationTypes: install,
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionInteger, Name: optDays, Description: "How many days back (default 30)",
				MinValue: ptr(1.0), MaxValue: maxGapsDays,
			}},
		},
	}
	if !moderatorRoles {
		for _, c := range cs {
			c.DefaultMemberPermissions = ptr(manageGuild)
		}
	}
	return cs
}

// commandScope is one bulk overwrite: a guild's commands, or the global
// ones (guildID "").
type commandScope struct {
	guildID  string
	commands []*discordgo.ApplicationCommand
}

// commandScopes plans the registration: the member commands globally or in
// the development guild, and the moderators' commands in the moderation
// guild only.
func commandScopes(guildID, moderationGuildID string, moderatorRoles bool) []commandScope {
	members := commandScope{guildID: guildID, commands: memberCommands()}
	if moderationGuildID == "" {
		return []commandScope{members}
	}
	mods := moderatorCommands(moderatorRoles)
	if moderationGuildID == guildID {
		members.commands = append(members.commands, mods...)
		return []commandScope{members}
	}
	return []commandScope{members, {guildID: moderationGuildID, commands: mods}}
}
