package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"gutskin/corpus"
	"gutskin/internal/library"
)

// Library is what /library needs: the moderators' article folder. The real
// one is *library.Folder.
type Library interface {
	// Preview reads an article from a file or a URL and says what adding
	// it would do, writing nothing.
	Preview(ctx context.Context, src library.Source) (library.Preview, error)
	// Add writes a previewed article.
	Add(ctx context.Context, p library.Preview) (library.Added, error)
	// Remove sets an article aside; Restore brings it back.
	Remove(ctx context.Context, slug string) (library.Entry, error)
	Restore(ctx context.Context, slug string) (library.Entry, error)
	// List reads what the library holds and what was removed.
	List() (library.Listing, error)
	// Hold keeps a previewed change until its moderator confirms it, where
	// every replica can find it; Held returns it, and take removes it so
	// that it is applied once.
	Hold(key string, h library.Held) error
	Held(key string, take bool) (library.Held, bool)
}

// DefaultPreviewTTL is how long a /library preview can be confirmed.
const DefaultPreviewTTL = 10 * time.Minute

// previewTimeout bounds reading an article for a preview (the fetch itself
// stops at 10 s).
const previewTimeout = 30 * time.Second

// libraryGate lets one rebuild or library change run at a time, and says
// who holds it.
type libraryGate struct {
	sem chan struct{}
	mu  sync.Mutex
	run rebuildRun
}

// rebuildRun is the rebuild or library change in progress: who started it
// and when.
type rebuildRun struct {
	by string
	at time.Time
}

func newLibraryGate() *libraryGate { return &libraryGate{sem: make(chan struct{}, 1)} }

// try takes the gate for by, or returns who holds it.
func (g *libraryGate) try(by string) (holder rebuildRun, ok bool) {
	select {
	case g.sem <- struct{}{}:
		g.taken(by)
		return rebuildRun{}, true
	default:
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.run, false
	}
}

// wait takes the gate for by once it is free.
func (g *libraryGate) wait(ctx context.Context, by string) error {
	select {
	case g.sem <- struct{}{}:
		g.taken(by)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *libraryGate) taken(by string) {
	g.mu.Lock()
	g.run = rebuildRun{by: by, at: time.Now()}
	g.mu.Unlock()
}

func (g *libraryGate) release() { <-g.sem }

// busyLine tells who holds the gate, without pinging them.
func busyLine(run rebuildRun) string {
	return fmt.Sprintf("A rebuild or library change started by <@%s> <t:%d:R> is still running", run.by, run.at.Unix())
}

// subcommand returns /library's subcommand and its options.
func subcommand(d discordgo.ApplicationCommandInteractionData) (string, []*discordgo.ApplicationCommandInteractionDataOption) {
	for _, o := range d.Options {
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			return o.Name, o.Options
		}
	}
	return "", nil
}

func stringOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o.Name == name {
			s, _ := o.Value.(string)
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// libraryCommand handles /library and its subcommands, for moderators only.
func (b *Bot) libraryCommand(ctx context.Context, r *reply) outcome {
	if !b.isModerator(r.i) {
		return b.simple(ctx, r, textMessage("Only the library's moderators can change it."), "refused")
	}
	if b.opts.Library == nil {
		return b.simple(ctx, r, textMessage("The library cannot be changed from Discord: this bot has no library folder. The operator sets CORPUS_DIR (the container uses /data/corpus)."), "no_folder")
	}
	d, _ := r.i.Data.(discordgo.ApplicationCommandInteractionData)
	sub, opts := subcommand(d)
	switch sub {
	case subAdd:
		return b.libraryPreview(ctx, r, d, opts)
	case subRemove:
		return b.libraryAskRemove(ctx, r, stringOption(opts, optArticle))
	case subRestore:
		slug := stringOption(opts, optArticle)
		return b.changeLibrary(ctx, r, false, "restore", func(ctx context.Context) (string, error) {
			e, err := b.opts.Library.Restore(ctx, slug)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Restored **%s** (`%s`).", escapeMarkdown(e.Title), escapeMarkdown(e.File)), nil
		})
	case subList:
		// Reading a large library for the first time takes a while.
		if err := r.deferReply(ctx, true); err != nil {
			return outcome{result: "lost", err: err}
		}
		listing, err := b.opts.Library.List()
		if err != nil {
			b.log.Warn("library list failed", "error", err)
			return outcome{result: "error", err: r.send(ctx, textMessage("Could not read the library folder: "+oneLine(err)), true)}
		}
		return outcome{result: "listed", err: r.send(ctx, listMessage(listing), true)}
	}
	return b.simple(ctx, r, textMessage("Use `/library add`, `remove`, `restore` or `list`."), "unknown")
}

// libraryPreview reads the attached file or the URL and shows the
// moderator what adding it would do, with Add and Cancel.
func (b *Bot) libraryPreview(ctx context.Context, r *reply, d discordgo.ApplicationCommandInteractionData, opts []*discordgo.ApplicationCommandInteractionDataOption) outcome {
	var src library.Source
	attachmentID, rawURL := stringOption(opts, optFile), stringOption(opts, optURL)
	switch {
	case attachmentID != "" && rawURL != "":
		return b.simple(ctx, r, textMessage("Give either a file or a URL, not both."), "refused")
	case attachmentID != "":
		var att *discordgo.MessageAttachment
		if d.Resolved != nil {
			att = d.Resolved.Attachments[attachmentID]
		}
		if att == nil || att.URL == "" {
			return b.simple(ctx, r, textMessage("Discord sent no file with the command; attach it again."), "refused")
		}
		src = library.Source{Name: att.Filename, URL: att.URL, Attachment: true, Size: int64(att.Size)}
	case rawURL != "":
		src = library.Source{URL: rawURL}
	default:
		return b.simple(ctx, r, textMessage("Attach a .md or .txt file (`file:`) or give a web page (`url:`)."), "refused")
	}
	if err := r.deferReply(ctx, true); err != nil {
		return outcome{result: "lost", err: err}
	}
	pctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	p, err := b.opts.Library.Preview(pctx, src)
	if err != nil {
		b.log.Info("library preview refused", "reason", oneLine(err))
		return outcome{result: "not_previewed", err: r.edit(ctx, textMessage("Not added: "+oneLine(err)+"\nNothing was written."))}
	}
	expires := time.Now().Add(b.previewTTL())
	key := newKey()
	if err := b.opts.Library.Hold(key, library.Held{Owner: userID(r.i), Expires: expires, Add: &p}); err != nil {
		b.log.Warn("could not keep a preview", "error", err)
		return outcome{result: "error", err: r.edit(ctx, textMessage("Could not keep the preview for confirmation just now; nothing was written. Please try again."))}
	}
	return outcome{result: "previewed", err: r.edit(ctx, previewMessage(p, key, expires))}
}

func (b *Bot) previewTTL() time.Duration {
	if b.opts.PreviewTTL > 0 {
		return b.opts.PreviewTTL
	}
	return DefaultPreviewTTL
}

// libraryAskRemove asks the moderator to confirm a removal.
func (b *Bot) libraryAskRemove(ctx context.Context, r *reply, slug string) outcome {
	if err := r.deferReply(ctx, true); err != nil {
		return outcome{result: "lost", err: err}
	}
	listing, err := b.opts.Library.List()
	if err != nil {
		return outcome{result: "error", err: r.send(ctx, textMessage("Could not read the library folder: "+oneLine(err)), true)}
	}
	for _, e := range listing.Articles {
		if e.Slug != slug {
			continue
		}
		expires := time.Now().Add(b.previewTTL())
		key := newKey()
		if err := b.opts.Library.Hold(key, library.Held{Owner: userID(r.i), Expires: expires, Remove: &e}); err != nil {
			b.log.Warn("could not keep a removal to confirm", "error", err)
			return outcome{result: "error", err: r.send(ctx, textMessage("Could not keep the removal for confirmation just now. Please try again."), true)}
		}
		m := message{
			Content: fmt.Sprintf("Remove **%s** (`%s`, %d passage%s)? The file moves to the removed folder, and `/library restore` brings it back. This question expires <t:%d:R>.",
				escapeMarkdown(e.Title), escapeMarkdown(e.File), e.Passages, plural(e.Passages), expires.Unix()),
			Components: confirmButtons(key, "Remove", discordgo.DangerButton),
		}
		return outcome{result: "confirm_remove", err: r.send(ctx, m, true)}
	}
	return outcome{result: "not_found", err: r.send(ctx, textMessage(fmt.Sprintf("No article `%s` in the library. Pick one from the list as you type, or see `/library list`.", escapeMarkdown(ellipsize(slug, 100)))), true)}
}

func confirmButtons(key, label string, style discordgo.ButtonStyle) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: label, Style: style, CustomID: customID{Action: actionConfirm, Key: key}.encode()},
		discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: customID{Action: actionCancel, Key: key}.encode()},
	}}}
}

// libraryButton handles Add/Remove and Cancel under a preview.
func (b *Bot) libraryButton(ctx context.Context, r *reply, c customID) outcome {
	member := userID(r.i)
	expired := func() outcome {
		return b.simple(ctx, r, textMessage("This preview has expired or was already used. Run `/library` again; nothing was written."), "expired")
	}
	if b.opts.Library == nil {
		return expired()
	}
	pc, ok := b.opts.Library.Held(c.Key, false) // an expired change is not held
	if !ok {
		return expired()
	}
	if member != pc.Owner {
		return b.simple(ctx, r, textMessage(fmt.Sprintf("Only <@%s>, who asked for this preview, can confirm or cancel it.", pc.Owner)), "refused")
	}
	if !b.isModerator(r.i) {
		return b.simple(ctx, r, textMessage("Only the library's moderators can change it."), "refused")
	}
	if pc, ok = b.opts.Library.Held(c.Key, true); !ok {
		return expired()
	}
	if c.Action == actionCancel {
		err := r.respond(ctx, discordgo.InteractionResponseUpdateMessage, textMessage("Cancelled. Nothing was written."), true)
		return outcome{result: "cancelled", err: err}
	}
	if pc.Add != nil {
		p := *pc.Add
		return b.changeLibrary(ctx, r, true, "add", func(ctx context.Context) (string, error) {
			added, err := b.opts.Library.Add(ctx, p)
			if err != nil {
				return "", err
			}
			return addedLine(p, added), nil
		})
	}
	e := *pc.Remove
	return b.changeLibrary(ctx, r, true, "remove", func(ctx context.Context) (string, error) {
		if _, err := b.opts.Library.Remove(ctx, e.Slug); err != nil {
			return "", err
		}
		return fmt.Sprintf("Removed **%s** (`%s`). `/library restore` brings it back.", escapeMarkdown(e.Title), escapeMarkdown(e.File)), nil
	})
}

func addedLine(p library.Preview, a library.Added) string {
	var b strings.Builder
	if a.Updated {
		fmt.Fprintf(&b, "Updated **%s** (`%s`).", escapeMarkdown(p.Title), escapeMarkdown(a.File))
	} else {
		fmt.Fprintf(&b, "Added **%s** as `%s`.", escapeMarkdown(p.Title), escapeMarkdown(a.File))
	}
	if a.Replaced != "" {
		fmt.Fprintf(&b, " The previous version is kept in the removed folder as `%s`.", escapeMarkdown(a.Replaced))
	}
	if a.Seeded > 0 {
		fmt.Fprintf(&b, " The library folder was new, so it now starts with the %d built-in articles.", a.Seeded)
	}
	return b.String()
}

// changeLibrary runs one library change and the rebuild after it, one at a
// time with every other change and /reindex: it waits, and says so, while
// another runs. update is true for a button press, whose message is edited
// in place.
func (b *Bot) changeLibrary(ctx context.Context, r *reply, update bool, what string, change func(context.Context) (string, error)) outcome {
	var ackErr error
	if update {
		ackErr = r.deferUpdate(ctx)
	} else {
		ackErr = r.deferReply(ctx, true)
	}
	if ackErr != nil {
		return outcome{result: "lost", err: ackErr}
	}
	// One deadline for the wait, the change and the rebuild, so that the
	// report still fits in the interaction's 15 minutes.
	rctx, cancel := context.WithDeadline(b.workCtx, r.recv.Add(rebuildTimeout))
	defer cancel()
	by := userID(r.i)
	if holder, ok := b.gate.try(by); !ok {
		if err := r.edit(ctx, textMessage(busyLine(holder)+"; your "+what+" waits for it and goes in when it has finished.")); err != nil {
			b.log.Warn("could not say the change waits", "error", err)
		}
		if err := b.gate.wait(rctx, by); err != nil {
			return outcome{result: "not_changed", err: r.edit(ctx, textMessage("Gave up waiting for the rebuild; nothing was written. Try again."))}
		}
	}
	defer b.gate.release()
	done, err := change(rctx)
	if err != nil {
		b.log.Info("library change refused", "change", what, "reason", oneLine(err))
		msg := "Not changed: " + oneLine(err) + "\nNothing was written."
		if errors.Is(err, library.ErrNotFound) {
			msg = "Not changed: " + oneLine(err) + ". See `/library list`."
		}
		return outcome{result: "not_changed", err: r.edit(ctx, textMessage(msg))}
	}
	rep, rerr := b.engine.Rebuild(rctx)
	b.logRebuild(rep, rerr)
	m := reportMessage(rep, rerr)
	m.Content = ellipsize(done, 1500)
	if rerr != nil {
		m.Content += "\nThe file is written, but members get the previous library until a rebuild succeeds (`/reindex`)."
	}
	return outcome{result: map[string]string{"add": "added", "remove": "removed", "restore": "restored"}[what], err: r.edit(ctx, m)}
}

// libraryAutocomplete suggests articles for /library remove and restore:
// the name is the title, the value the slug.
func (b *Bot) libraryAutocomplete(ctx context.Context, r *reply, d discordgo.ApplicationCommandInteractionData) outcome {
	sub, opts := subcommand(d)
	typed := ""
	for _, o := range opts {
		if o.Focused {
			typed, _ = o.Value.(string)
		}
	}
	var entries []library.Entry
	if b.opts.Library != nil && b.isModerator(r.i) {
		if listing, err := b.opts.Library.List(); err == nil {
			entries = listing.Articles
			if sub == subRestore {
				entries = listing.Removed
			}
		}
	}
	typed = strings.ToLower(strings.TrimSpace(typed))
	choices := []map[string]any{}
	seen := map[string]bool{}
	for _, e := range entries {
		if len(choices) == limitChoices {
			break
		}
		if seen[e.Slug] || len(e.Slug) > limitChoice || typed != "" &&
			!strings.Contains(strings.ToLower(e.Title), typed) && !strings.Contains(e.Slug, typed) {
			continue
		}
		seen[e.Slug] = true
		name := ellipsize(strings.TrimSpace(spaceRun.ReplaceAllString(e.Title, " ")), limitChoice)
		if name == "" {
			name = e.Slug
		}
		choices = append(choices, map[string]any{"name": name, "value": e.Slug})
	}
	return b.respondChoices(ctx, r, choices)
}

// oneLine is an error's message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// previewMessage shows what adding an article would do, with the first two
// passages as members would see them.
func previewMessage(p library.Preview, key string, expires time.Time) message {
	var lines []string
	lines = append(lines, "**From:** "+escapeMarkdown(ellipsize(p.Origin, 300)))
	if p.SourceURL != "" {
		lines = append(lines, "**Source:** "+link(ellipsize(p.SourceURL, 300), p.SourceURL))
	} else {
		lines = append(lines, "**Source:** none recorded")
	}
	lines = append(lines, fmt.Sprintf("**File:** `%s` · **Passages:** %d · **References:** %d",
		escapeMarkdown(p.File), p.Passages, len(p.References)))
	if p.Update != nil {
		lines = append(lines, "", fmt.Sprintf("**This updates** `%s`:", escapeMarkdown(p.Update.File)))
		for _, c := range p.Update.Changes {
			lines = append(lines, "• "+escapeMarkdown(ellipsize(c, 300)))
		}
	}
	if p.Seeds > 0 {
		lines = append(lines, "", fmt.Sprintf("The library folder is new: adding creates it with the %d built-in articles first.", p.Seeds))
	}
	lines = append(lines, "", fmt.Sprintf("Press **Add** to write it and rebuild, or **Cancel**. This preview expires <t:%d:R>.", expires.Unix()))
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       ellipsize("Preview: "+p.Title, limitTitle),
		Description: packLines(lines, 2500),
		Color:       embedColor,
	}
	var refs, unresolved, warnings []string
	for _, ref := range p.References {
		refs = append(refs, referenceLine(ref, corpus.ArticleInfo{}))
	}
	for _, w := range p.Unresolved {
		unresolved = append(unresolved, "• "+escapeMarkdown(ellipsize(w.String(), 200)))
	}
	for _, w := range p.Warnings {
		warnings = append(warnings, "• "+escapeMarkdown(ellipsize(w.String(), 200)))
	}
	if len(refs) == 0 {
		refs = []string{"None found: answers will cite the article itself."}
	}
	e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "References found", Value: packLines(refs, 700)})
	if len(unresolved) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Markers that cite nothing", Value: packLines(unresolved, 400)})
	}
	if len(warnings) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Warnings", Value: packLines(warnings, 400)})
	}
	embeds := []*discordgo.MessageEmbed{e}
	// The first two passages, as an answer shows them, but shorter so the
	// three embeds fit Discord's 6000 characters.
	for _, ps := range p.First {
		a := corpus.Answer{Hits: []corpus.Hit{{Passage: ps, ArticleSources: corpus.ArticleSources(ps, p.References)}}}
		pe := answerEmbed(a, 0)
		pe.Description = ellipsize(pe.Description, 700)
		for _, f := range pe.Fields {
			f.Value = ellipsize(f.Value, 300)
		}
		embeds = append(embeds, pe)
	}
	label := "Add"
	if p.Update != nil {
		label = "Update"
	}
	return message{Embeds: embeds, Components: confirmButtons(key, label, discordgo.SuccessButton)}
}

// listMessage shows what the library holds and what was removed.
func listMessage(l library.Listing) message {
	var lines []string
	if !l.Seeded {
		lines = append(lines, "The library folder is empty or missing, so members get the built-in library. `/library add` creates the folder with the built-in articles.")
	}
	for _, e := range l.Articles {
		lines = append(lines, fmt.Sprintf("• **%s** — `%s`, %d passage%s", escapeMarkdown(ellipsize(e.Title, 120)), escapeMarkdown(e.File), e.Passages, plural(e.Passages)))
	}
	desc := packLines(lines, 3000)
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Color: embedColor,
		Title: fmt.Sprintf("Library: %d article%s", len(l.Articles), plural(len(l.Articles))), Description: desc}
	if e.Description == "" {
		e.Description = "No articles."
	}
	var removed, skipped []string
	for _, r := range l.Removed {
		removed = append(removed, fmt.Sprintf("• %s — `%s`", escapeMarkdown(ellipsize(r.Title, 100)), escapeMarkdown(r.Slug)))
	}
	for _, s := range l.Skipped {
		skipped = append(skipped, "• "+escapeMarkdown(ellipsize(s.String(), 200)))
	}
	if len(removed) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Removed (restore with /library restore)", Value: packLines(removed, 900)})
	}
	if len(skipped) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Files that do not load", Value: packLines(skipped, 900)})
	}
	return message{Embeds: []*discordgo.MessageEmbed{e}}
}
