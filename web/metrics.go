package web

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ChainStats are the application's counters, read at scrape time.
type ChainStats struct {
	Height          int64
	TxsCommitted    uint64 // in blocks, succeeded
	TxsFailed       uint64 // in blocks, failed
	CheckTxRejected uint64 // refused before a block
	// Messages count each app's message types in blocks.
	Messages []MessageStats
}

// MessageStats are one message type's transactions in blocks, such as
// evidence/deposit: what an app did.
type MessageStats struct {
	Module, Type      string
	Committed, Failed uint64
}

// metrics is the server's own Prometheus registry: HTTP and chain metrics.
// /metrics serves it together with the default registry, where CometBFT
// registers its own.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(stats func() ChainStats) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "chancery", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "chancery", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "HTTP request latency by method and route.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.latency, collectors.NewBuildInfoCollector())
	if stats != nil {
		gauge := func(name, help string, f func(ChainStats) float64) prometheus.Collector {
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "chancery", Subsystem: "chain", Name: name, Help: help},
				func() float64 { return f(stats()) })
		}
		counter := func(name, help string, f func(ChainStats) float64) prometheus.Collector {
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "chancery", Subsystem: "chain", Name: name, Help: help},
				func() float64 { return f(stats()) })
		}
		m.registry.MustRegister(
			gauge("height", "Last committed block height.", func(s ChainStats) float64 { return float64(s.Height) }),
			counter("txs_committed_total", "Transactions that succeeded in a block.", func(s ChainStats) float64 { return float64(s.TxsCommitted) }),
			counter("txs_failed_total", "Transactions that failed in a block.", func(s ChainStats) float64 { return float64(s.TxsFailed) }),
			counter("checktx_rejected_total", "Transactions refused by CheckTx.", func(s ChainStats) float64 { return float64(s.CheckTxRejected) }),
			appCollector{stats: stats, desc: prometheus.NewDesc("chancery_app_txs_total",
				"Transactions in blocks by app (module), message type and result (committed or failed).",
				[]string{"module", "type", "result"}, nil)},
		)
	}
	return m
}

// appCollector exports the apps' message counts, read at scrape time: one
// series per message type and result, every type listed from the start.
type appCollector struct {
	stats func() ChainStats
	desc  *prometheus.Desc
}

func (c appCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c appCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.stats().Messages {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(m.Committed), m.Module, m.Type, "committed")
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(m.Failed), m.Module, m.Type, "failed")
	}
}

// middleware counts requests by route pattern, not raw path, so the label
// set stays bounded.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			if he, ok := err.(*echo.HTTPError); ok {
				status = he.Code
			} else if status < 400 {
				status = 500 // the error handler will decide; count as failed
			}
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(c.Request().Method, route).Observe(time.Since(start).Seconds())
		return err
	}
}

func (m *metrics) handler() echo.HandlerFunc {
	h := promhttp.HandlerFor(prometheus.Gatherers{m.registry, prometheus.DefaultGatherer}, promhttp.HandlerOpts{})
	return echo.WrapHandler(h)
}
