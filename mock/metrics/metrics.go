// Package metrics exposes the sandbox's counters in Prometheus's text
// format. It is kept apart from the engine and the edge so that importers
// of mock/mocktest never build client_golang.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cocmock/cocmock/mock"
)

// Metrics counts exchanges and reports the sandbox's gauges. It implements
// mock.Observer; its registry is its own, never the global one.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// counters and latencies hold the series already made, so that an
	// exchange finds its own by one lookup rather than by hashing and
	// checking its label values in client_golang (2% of the CPU under
	// load). They are bounded as the vectors are, by the label space: an
	// entry per series (faults of different statuses share a series).
	counters  sync.Map // seriesKey -> prometheus.Counter
	latencies sync.Map // scenario -> prometheus.Observer
	// keys are the operate_key label values in use (operateKey).
	keysMu sync.RWMutex
	keys   map[string]bool
}

// seriesKey is a series of cocmock_requests_total.
type seriesKey struct {
	operation, operateKey, scenario, rule string
	status                                int
	fault                                 mock.Fault
}

// New builds the counters; Gauges adds the engine's gauges once the engine
// exists (it needs the Metrics as its observer first).
func New() *Metrics {
	m := &Metrics{
		keys:     map[string]bool{},
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cocmock_requests_total",
			Help: "Exchanges with the simulated API, by operation (the spec's operationId; \"\" when none was routed), operate_key (\"invalid\" for requests outside the contract), scenario, rule and reply status.",
		}, []string{"operation", "operate_key", "scenario", "rule", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cocmock_request_duration_seconds",
			Help:    "Time to answer an exchange as planned: the sandbox's decision plus the reply's delay.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"scenario"}),
	}
	m.registry.MustRegister(
		m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Gauges registers the sandbox's memory gauges, read from stats at every
// scrape (the engine's Stats).
func (m *Metrics) Gauges(stats func() mock.Stats) {
	gauge := func(name, help string, read func(mock.Stats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return float64(read(stats())) })
	}
	m.registry.MustRegister(
		gauge("cocmock_sessions", "Named sessions held (the default session not counted).", func(s mock.Stats) int { return s.Sessions }),
		gauge("cocmock_journal_entries", "Exchanges held in all sessions' journals.", func(s mock.Stats) int { return s.JournalEntries }),
		gauge("cocmock_incidents", "Incidents held in all sessions.", func(s mock.Stats) int { return s.Incidents }),
		gauge("cocmock_journal_bytes", "Bytes the journals hold, as --journal-bytes counts them.", func(s mock.Stats) int { return int(s.JournalBytes) }),
		gauge("cocmock_state_bytes", "Bytes the incidents and sequence counters hold, as --state-bytes counts them.", func(s mock.Stats) int { return int(s.StateBytes) }),
	)
}

// LogLinesDropped registers the count of log lines the server could not
// write (stderr closed, say), read at every scrape.
func (m *Metrics) LogLinesDropped(read func() int64) {
	m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "cocmock_log_lines_dropped_total", Help: "Log lines dropped because the log's writer (stderr) refused them, e.g. a closed pipe.",
	}, func() float64 { return float64(read()) }))
}

// Observe counts one exchange.
func (m *Metrics) Observe(x mock.Exchange) {
	key := seriesKey{operation: x.Operation, operateKey: "invalid", scenario: x.Scenario, rule: x.Rule, status: x.Status, fault: x.Fault}
	if x.RequestValid {
		// A series is only ever kept under an operate_key that operateKey
		// let in: a hit needs no look at the keys (and their lock).
		key.operateKey = x.OperateKey
	}
	counter, ok := m.counters.Load(key)
	if !ok && x.RequestValid { // an invalid request's label is already "invalid"
		key.operateKey = m.operateKey(&x)
		counter, ok = m.counters.Load(key)
	}
	if !ok {
		status := strconv.Itoa(x.Status)
		if x.Fault != mock.NoFault {
			status = "fault:" + string(x.Fault)
		}
		counter, _ = m.counters.LoadOrStore(key, m.requests.WithLabelValues(key.operation, key.operateKey, key.scenario, key.rule, status))
	}
	counter.(prometheus.Counter).Inc()
	latency, ok := m.latencies.Load(x.Scenario)
	if !ok {
		latency, _ = m.latencies.LoadOrStore(x.Scenario, m.latency.WithLabelValues(x.Scenario))
	}
	latency.(prometheus.Observer).Observe((x.Duration + x.Delay).Seconds())
}

// maxOperateKeys bounds the operate_key label's values.
const maxOperateKeys = 64

// operateKey is the exchange's operate_key label. Only a valid request's
// is one of the contract's; anything else a client sends would make a new
// series, so it is "invalid". Under --validation off nothing is checked,
// so the first maxOperateKeys values seen are labels and the rest "other".
func (m *Metrics) operateKey(x *mock.Exchange) string {
	if !x.RequestValid {
		return "invalid"
	}
	m.keysMu.RLock()
	known, full := m.keys[x.OperateKey], len(m.keys) >= maxOperateKeys
	m.keysMu.RUnlock()
	switch {
	case known:
		return x.OperateKey
	case full, len(x.OperateKey) > maxLabelLength: // the keys only grow: no need for the write lock to know
		return "other"
	}
	m.keysMu.Lock()
	defer m.keysMu.Unlock()
	if len(m.keys) >= maxOperateKeys {
		return "other"
	}
	// A label is kept for the life of the process: its own bytes.
	key := strings.Clone(x.OperateKey)
	m.keys[key] = true
	return key
}

// maxLabelLength bounds an operate_key label's value: a longer one (only
// --validation off lets one through) is "other", so that no client can
// make a scrape, or the labels kept, large.
const maxLabelLength = 64

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
