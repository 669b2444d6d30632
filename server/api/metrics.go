package api

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics collects the server's Prometheus metrics and writes them in the
// text exposition format (version 0.0.4). It is safe for concurrent use.
type Metrics struct {
	start time.Time

	mu       sync.Mutex
	requests map[reqKey]*reqStats

	issuedOrder  atomic.Uint64
	issuedDevice atomic.Uint64
	activations  atomic.Uint64
	corrected    atomic.Uint64
	loginFailed  atomic.Uint64

	// gauges are read at scrape time.
	gauges []gauge
}

type reqKey struct {
	route string
	code  int
}

// latencyBuckets are the upper bounds (seconds) of the request duration
// histogram.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type reqStats struct {
	count   uint64
	sum     float64
	buckets []uint64 // cumulative counts are computed when writing
}

type gauge struct {
	name, help string
	read       func() (float64, error)
}

// NewMetrics returns an empty registry; start is the process start time.
func NewMetrics(start time.Time) *Metrics {
	return &Metrics{start: start, requests: map[reqKey]*reqStats{}}
}

// observe records one request: its route pattern (or "unmatched"), status
// code and duration.
func (m *Metrics) observe(route string, code int, d time.Duration) {
	s := d.Seconds()
	m.mu.Lock()
	st := m.requests[reqKey{route, code}]
	if st == nil {
		st = &reqStats{buckets: make([]uint64, len(latencyBuckets))}
		m.requests[reqKey{route, code}] = st
	}
	st.count++
	st.sum += s
	for i, b := range latencyBuckets {
		if s <= b {
			st.buckets[i]++
			break
		}
	}
	m.mu.Unlock()
}

// AddGauge registers a value read at every scrape, such as seats in use.
// A read error omits the sample.
func (m *Metrics) AddGauge(name, help string, read func() (float64, error)) {
	m.mu.Lock()
	m.gauges = append(m.gauges, gauge{name, help, read})
	m.mu.Unlock()
}

// IssuedOrder counts one order license issued.
func (m *Metrics) IssuedOrder() { m.issuedOrder.Add(1) }

// IssuedDevice counts one device license issued; corrected says whether the
// device code needed a correction.
func (m *Metrics) IssuedDevice(corrected bool) {
	m.issuedDevice.Add(1)
	if corrected {
		m.corrected.Add(1)
	}
}

// ServeHTTP writes the exposition.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	m.WriteTo(w)
}

// WriteTo writes every metric to w in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	b.WriteString("# HELP licet_http_requests_total HTTP requests served, by route pattern and status code.\n")
	b.WriteString("# TYPE licet_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "licet_http_requests_total{route=%s,code=\"%d\"} %d\n", quote(k.route), k.code, m.requests[k].count)
	}
	b.WriteString("# HELP licet_http_request_duration_seconds Time to serve an HTTP request, by route pattern and status code.\n")
	b.WriteString("# TYPE licet_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		st := m.requests[k]
		labels := fmt.Sprintf("route=%s,code=\"%d\"", quote(k.route), k.code)
		var cum uint64
		for i, ub := range latencyBuckets {
			cum += st.buckets[i]
			fmt.Fprintf(&b, "licet_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, formatFloat(ub), cum)
		}
		fmt.Fprintf(&b, "licet_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, st.count)
		fmt.Fprintf(&b, "licet_http_request_duration_seconds_sum{%s} %s\n", labels, formatFloat(st.sum))
		fmt.Fprintf(&b, "licet_http_request_duration_seconds_count{%s} %d\n", labels, st.count)
	}
	gauges := append([]gauge(nil), m.gauges...)
	m.mu.Unlock()

	b.WriteString("# HELP licet_licenses_issued_total Licenses signed since the server started, by kind.\n")
	b.WriteString("# TYPE licet_licenses_issued_total counter\n")
	fmt.Fprintf(&b, "licet_licenses_issued_total{kind=\"order\"} %d\n", m.issuedOrder.Load())
	fmt.Fprintf(&b, "licet_licenses_issued_total{kind=\"device\"} %d\n", m.issuedDevice.Load())
	b.WriteString("# HELP licet_device_codes_corrected_total Device codes that activated after a typing error was corrected.\n")
	b.WriteString("# TYPE licet_device_codes_corrected_total counter\n")
	fmt.Fprintf(&b, "licet_device_codes_corrected_total %d\n", m.corrected.Load())
	b.WriteString("# HELP licet_login_failures_total Failed login attempts since the server started.\n")
	b.WriteString("# TYPE licet_login_failures_total counter\n")
	fmt.Fprintf(&b, "licet_login_failures_total %d\n", m.loginFailed.Load())

	for _, g := range gauges {
		v, err := g.read()
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, formatFloat(v))
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(&b, "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(&b, "# HELP go_memstats_heap_inuse_bytes Bytes in in-use heap spans.\n# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(&b, "# HELP go_memstats_sys_bytes Bytes obtained from the system.\n# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintf(&b, "# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %s\n", formatFloat(float64(m.start.UnixNano())/1e9))
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
