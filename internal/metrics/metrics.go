// Package metrics counts what gutskin does, for Prometheus: interactions by
// kind and outcome, answer latency, the answered rate, rebuilds, REST
// retries and 429s, gateway reconnects and the size of the index. The bot
// reports through a small interface of its own; this package is the one
// that knows Prometheus.
package metrics

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// IndexSize reports the index in service.
type IndexSize interface {
	// Size returns its article and passage counts.
	Size() (articles, passages int)
}

// Metrics holds gutskin's metrics in a registry of its own (no global
// state), served by Handler.
type Metrics struct {
	reg          *prometheus.Registry
	interactions *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	rebuilds     *prometheus.CounterVec
	rebuildTime  prometheus.Histogram
	retries      *prometheus.CounterVec
	rateLimited  prometheus.Counter
	reconnects   *prometheus.CounterVec

	// asked and answered count questions once, for both
	// gutskin_questions_total and gutskin_answered_ratio.
	asked, answered atomic.Int64
}

// New registers the metrics; index, when set, is read at every scrape.
func New(index IndexSize) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.interactions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gutskin_interactions_total", Help: "Interactions and mentions handled, by kind and outcome.",
	}, []string{"kind", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gutskin_answer_latency_seconds", Help: "Time from receiving a question to its reply, by kind.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"kind"})
	m.rebuilds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gutskin_rebuilds_total", Help: "Library rebuilds, by outcome (rebuilt or not_rebuilt).",
	}, []string{"outcome"})
	m.rebuildTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "gutskin_rebuild_duration_seconds", Help: "How long rebuilds took.",
		Buckets: []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
	})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gutskin_rest_retries_total", Help: "Discord REST calls retried, by the status that caused the retry (429, 5xx or network).",
	}, []string{"reason"})
	m.rateLimited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "gutskin_rest_rate_limited_total", Help: "Discord REST answers that were 429 Too Many Requests.",
	})
	m.reconnects = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gutskin_gateway_reconnects_total", Help: "Gateway sessions dropped and reconnected, by shard.",
	}, []string{"shard"})
	answeredRatio := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gutskin_answered_ratio", Help: "Questions answered over questions searched since start (0 before any).",
	}, func() float64 {
		asked := m.asked.Load()
		if asked == 0 {
			return 0
		}
		return float64(m.answered.Load()) / float64(asked)
	})
	questions := func(answered bool) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gutskin_questions_total", Help: "Questions searched, by whether a passage answered them.",
			ConstLabels: prometheus.Labels{"answered": strconv.FormatBool(answered)},
		}, func() float64 {
			if answered {
				return float64(m.answered.Load())
			}
			return float64(m.asked.Load() - m.answered.Load())
		})
	}
	m.reg.MustRegister(questions(true), questions(false), m.interactions, m.latency, m.rebuilds, m.rebuildTime, m.retries, m.rateLimited, m.reconnects,
		answeredRatio, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if index != nil {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gutskin_index_passages", Help: "Passages in the index in service."},
				func() float64 { _, p := index.Size(); return float64(p) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gutskin_index_articles", Help: "Articles in the index in service."},
				func() float64 { a, _ := index.Size(); return float64(a) }),
		)
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Interaction counts one handled interaction or mention; latency counts
// for questions only.
func (m *Metrics) Interaction(kind, outcome string, latency time.Duration) {
	m.interactions.WithLabelValues(kind, outcome).Inc()
	switch outcome {
	case "answer", "no_answer":
		m.latency.WithLabelValues(kind).Observe(latency.Seconds())
		m.asked.Add(1) // first, so a scrape never sees more answered than asked
		if outcome == "answer" {
			m.answered.Add(1)
		}
	}
}

// Rebuild counts one rebuild and how long it took.
func (m *Metrics) Rebuild(ok bool, took time.Duration) {
	outcome := "rebuilt"
	if !ok {
		outcome = "not_rebuilt"
	}
	m.rebuilds.WithLabelValues(outcome).Inc()
	m.rebuildTime.Observe(took.Seconds())
}

// RESTRetry counts a REST call retried because of reason ("429", "5xx" or
// "network").
func (m *Metrics) RESTRetry(reason string) { m.retries.WithLabelValues(reason).Inc() }

// RateLimited counts a 429 from Discord.
func (m *Metrics) RateLimited() { m.rateLimited.Inc() }

// GatewayReconnect counts a dropped gateway session of shard.
func (m *Metrics) GatewayReconnect(shard int) {
	m.reconnects.WithLabelValues(strconv.Itoa(shard)).Inc()
}
