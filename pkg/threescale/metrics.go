package threescale

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names, exported for dashboards and tests.
const (
	MetricRequestsTotal   = "threescale_client_requests_total"
	MetricRequestDuration = "threescale_client_request_duration_seconds"
	MetricInFlight        = "threescale_client_requests_in_flight"
	MetricRetriesTotal    = "threescale_client_retries_total"
	MetricBoundWait       = "threescale_client_bound_wait_seconds"
	MetricLookupsTotal    = "threescale_client_lookups_total"
)

// clientMetrics are the collectors every Client shares. They are created once per process and
// registered with each registerer a Client is built with, so that many clients (one per tenant)
// never register twice.
type clientMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	retries  *prometheus.CounterVec
	waits    *prometheus.HistogramVec
	lookups  *prometheus.CounterVec
}

var sharedMetrics = &clientMetrics{
	requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricRequestsTotal,
		Help: "HTTP requests sent to the 3scale admin API, by operation and status code (\"error\" when no response came back).",
	}, []string{"operation", "code"}),
	duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: MetricRequestDuration,
		Help: "Latency of HTTP requests to the 3scale admin API, by operation.",
		// 3scale answers in tens to hundreds of milliseconds, slow lists in seconds.
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"operation"}),
	inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
		Name: MetricInFlight,
		Help: "HTTP requests to the 3scale admin API currently in flight.",
	}),
	retries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricRetriesTotal,
		Help: "Retries of 3scale admin API calls after a transient error, by operation.",
	}, []string{"operation"}),
	waits: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    MetricBoundWait,
		Help:    "Time 3scale admin API calls waited for their tenant's bounds before being sent: bound \"rate\" (calls per second) or \"in_flight\" (calls at once).",
		Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"bound"}),
	lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricLookupsTotal,
		Help: "Lookups of a tenant's collections before creating an entity, by result: \"listed\" (a list was called) or \"shared\" (another lookup's list served it).",
	}, []string{"result"}),
}

// observeWait records how long a call waited for bound.
func (m *clientMetrics) observeWait(bound string, d time.Duration) {
	m.waits.WithLabelValues(bound).Observe(d.Seconds())
}

// registerMetrics registers the shared collectors with r; registering them again is not an error.
func registerMetrics(r prometheus.Registerer) (*clientMetrics, error) {
	for _, c := range []prometheus.Collector{sharedMetrics.requests, sharedMetrics.duration, sharedMetrics.inFlight, sharedMetrics.retries, sharedMetrics.waits, sharedMetrics.lookups} {
		if err := r.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) && are.ExistingCollector == c {
				continue
			}
			return nil, err
		}
	}
	return sharedMetrics, nil
}

func (m *clientMetrics) observe(op, code string, d time.Duration) {
	m.requests.WithLabelValues(op, code).Inc()
	m.duration.WithLabelValues(op).Observe(d.Seconds())
}
