package declaration

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the module's Prometheus collectors. A nil *Metrics collects
// nothing, which keeps tests free of registries.
type Metrics struct {
	submissions *prometheus.CounterVec
	batchSize   prometheus.Histogram
	lanes       *prometheus.CounterVec
	errors      prometheus.Counter
	short       prometheus.Counter
}

// NewMetrics registers the collectors on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jinguan_declaration_submissions_total", Help: "Declaration submissions by outcome.",
		}, []string{"outcome"}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "jinguan_commit_batch_size", Help: "Operations per committed transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11),
		}),
		lanes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jinguan_declaration_transitions_total", Help: "Automatic pipeline transitions by resulting status and lane.",
		}, []string{"status", "lane"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jinguan_pipeline_errors_total", Help: "Pipeline steps that failed and will be retried.",
		}),
		short: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jinguan_guarantee_short_total", Help: "Guarantees expected to cover a bill whose balance no longer did.",
		}),
	}
	reg.MustRegister(m.submissions, m.batchSize, m.lanes, m.errors, m.short)
	return m
}

func (m *Metrics) submitted() {
	if m != nil {
		m.submissions.WithLabelValues("accepted").Inc()
	}
}

func (m *Metrics) rejected() {
	if m != nil {
		m.submissions.WithLabelValues("invalid").Inc()
	}
}

func (m *Metrics) batch(n int) {
	if m != nil {
		m.batchSize.Observe(float64(n))
	}
}

func (m *Metrics) advanced(d *Declaration) {
	if m != nil {
		m.lanes.WithLabelValues(string(d.Status), string(d.Lane)).Inc()
	}
}

func (m *Metrics) pipelineError() {
	if m != nil {
		m.errors.Inc()
	}
}

func (m *Metrics) guaranteeShort() {
	if m != nil {
		m.short.Inc()
	}
}
