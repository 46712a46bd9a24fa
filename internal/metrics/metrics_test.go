package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type size struct{ articles, passages int }

func (s size) Size() (int, int) { return s.articles, s.passages }

// The scrape parses with Prometheus' own text parser, and every counter
// holds what was counted.
func TestScrape(t *testing.T) {
	m := New(size{3, 42})
	m.Interaction("ask", "answer", 20*time.Millisecond)
	m.Interaction("ask", "answer", 30*time.Millisecond)
	m.Interaction("mention", "no_answer", 10*time.Millisecond)
	m.Interaction("reindex", "rebuilt", time.Second)
	m.Rebuild(true, 2*time.Second)
	m.Rebuild(false, time.Second)
	m.RateLimited()
	m.RESTRetry("429")
	m.RESTRetry("5xx")
	m.GatewayReconnect(1)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("the scrape does not parse: %v\n%s", err, body)
	}
	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		f, ok := families[name]
		if !ok {
			t.Fatalf("no %s", name)
		}
	next:
		for _, mt := range f.Metric {
			for _, lp := range mt.Label {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			switch {
			case mt.Counter != nil:
				return mt.Counter.GetValue()
			case mt.Gauge != nil:
				return mt.Gauge.GetValue()
			case mt.Histogram != nil:
				return float64(mt.Histogram.GetSampleCount())
			}
		}
		t.Fatalf("no %s%v", name, labels)
		return 0
	}
	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gutskin_interactions_total", map[string]string{"kind": "ask", "outcome": "answer"}, 2},
		{"gutskin_interactions_total", map[string]string{"kind": "mention", "outcome": "no_answer"}, 1},
		{"gutskin_answer_latency_seconds", map[string]string{"kind": "ask"}, 2},
		{"gutskin_questions_total", map[string]string{"answered": "false"}, 1},
		{"gutskin_answered_ratio", nil, 2.0 / 3},
		{"gutskin_rebuilds_total", map[string]string{"outcome": "not_rebuilt"}, 1},
		{"gutskin_rebuild_duration_seconds", nil, 2},
		{"gutskin_rest_retries_total", map[string]string{"reason": "429"}, 1},
		{"gutskin_rest_rate_limited_total", nil, 1},
		{"gutskin_gateway_reconnects_total", map[string]string{"shard": "1"}, 1},
		{"gutskin_index_passages", nil, 42},
		{"gutskin_index_articles", nil, 3},
	} {
		if got := value(tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}
