package bot

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// Not parallel: it sets discordgo's package logger, and restores it.
func TestRouteLibraryLogs(t *testing.T) {
	saved := discordgo.Logger
	t.Cleanup(func() { discordgo.Logger = saved })
	var buf bytes.Buffer
	RouteLibraryLogs(slog.New(slog.NewJSONHandler(&buf, nil)))
	discordgo.Logger(discordgo.LogError, 0, "error reconnecting to gateway %s, %s", "wss://gateway.discord.gg/?v=10", "POST https://discord.com/api/v9/webhooks/1/SECRET-TOKEN/messages failed")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if line["level"] != "ERROR" || line["msg"] != "discordgo" {
		t.Errorf("line = %v", line)
	}
	if d, _ := line["detail"].(string); strings.Contains(d, "SECRET") || !strings.Contains(d, "error reconnecting") {
		t.Errorf("detail %q must keep the message and drop URLs", d)
	}
}
