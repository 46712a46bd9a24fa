package bot

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	"github.com/bwmarrin/discordgo"
)

// RouteLibraryLogs sends discordgo's own log lines (errors and warnings such
// as "error reconnecting to gateway") to logger, so a container's logs stay
// one JSON object per line. discordgo's logger is a package variable, so call
// this once, at start, before any session opens; the levels it prints are
// capped by each session's LogLevel, which the bot keeps at errors (its
// debug level would print the token).
func RouteLibraryLogs(logger *slog.Logger) {
	discordgo.Logger = func(msgL, caller int, format string, a ...interface{}) {
		level := slog.LevelError
		switch msgL {
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogInformational:
			level = slog.LevelInfo
		case discordgo.LogDebug:
			level = slog.LevelDebug
		}
		logger.Log(context.Background(), level, "discordgo", "detail", describeLibraryLog(fmt.Sprintf(format, a...)))
	}
}

// libraryURL matches the URLs discordgo may put in a log line; webhook URLs
// carry interaction tokens.
var libraryURL = regexp.MustCompile(`(?i)\b(?:https?|wss?)://\S+`)

// describeLibraryLog removes URLs from a discordgo log line.
func describeLibraryLog(s string) string {
	return libraryURL.ReplaceAllString(s, "<url>")
}
