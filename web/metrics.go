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
		)
	}
	return m
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
