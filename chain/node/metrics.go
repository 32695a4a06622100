package node

import (
	"log/slog"
	"sync"

	"github.com/cometbft/cometbft/blocksync"
	cs "github.com/cometbft/cometbft/consensus"
	mempl "github.com/cometbft/cometbft/mempool"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/proxy"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/statesync"
)

// metricsNamespace prefixes CometBFT's metric names: cometbft_consensus_height…
const metricsNamespace = "cometbft"

// cometMetrics is one set of CometBFT's Prometheus metrics.
type cometMetrics struct {
	cs        *cs.Metrics
	p2p       *p2p.Metrics
	mempool   *mempl.Metrics
	state     *sm.Metrics
	proxy     *proxy.Metrics
	blocksync *blocksync.Metrics
	statesync *statesync.Metrics
}

// registered holds the metrics registered in this process. CometBFT's
// constructors register with prometheus.MustRegister, into the process-wide
// default registry, and panic when the same names are registered twice; so
// the metrics are created once per process and every later node (a restart,
// a second node in a test) reuses them. This global mirrors that registry.
var registered struct {
	sync.Mutex
	chainID string
	m       *cometMetrics
}

// metricsProvider returns CometBFT's Prometheus metrics, labelled with the
// chain id, registered in the default registry that our /metrics serves.
// CometBFT's own metrics listener stays off (Instrumentation.Prometheus is
// false; the provider is what makes the metrics real).
func metricsProvider(logger *slog.Logger) nm.MetricsProvider {
	return func(chainID string) (*cs.Metrics, *p2p.Metrics, *mempl.Metrics, *sm.Metrics, *proxy.Metrics, *blocksync.Metrics, *statesync.Metrics) {
		registered.Lock()
		defer registered.Unlock()
		m := registered.m
		switch {
		case m == nil:
			m = &cometMetrics{
				cs:        cs.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
				p2p:       p2p.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
				mempool:   mempl.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
				state:     sm.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
				proxy:     proxy.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
				blocksync: blocksync.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
				statesync: statesync.PrometheusMetrics(metricsNamespace, "chain_id", chainID),
			}
			registered.chainID, registered.m = chainID, m
		case registered.chainID != chainID:
			// The registered metrics carry the first chain's label; a second
			// chain in one process runs without metrics rather than mislabelled.
			logger.Warn("CometBFT metrics are off: this process already registered them for another chain",
				"chain_id", chainID, "metrics_chain_id", registered.chainID)
			return cs.NopMetrics(), p2p.NopMetrics(), mempl.NopMetrics(), sm.NopMetrics(),
				proxy.NopMetrics(), blocksync.NopMetrics(), statesync.NopMetrics()
		}
		return m.cs, m.p2p, m.mempool, m.state, m.proxy, m.blocksync, m.statesync
	}
}
