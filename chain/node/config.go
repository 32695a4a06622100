package node

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	cfg "github.com/cometbft/cometbft/config"
)

// Config is what an operator may set about the embedded CometBFT node. Every
// other CometBFT setting is fixed by CometConfig.
type Config struct {
	// Home is the node home: config/ holds genesis.json and the keys, data/
	// the databases. Set by cmd (flag or environment), never by the file.
	Home string `toml:"-"`
	// Moniker names the node to its peers.
	Moniker string `toml:"moniker"`
	// P2PListen is where the node accepts peers: "tcp://host:port".
	P2PListen string `toml:"p2p_listen"`
	// RPCListen is where CometBFT's own RPC server listens, "tcp://host:port"
	// or "unix:///path"; "" (the default) turns it off. Chancery's HTTP API
	// does not need it.
	RPCListen string `toml:"rpc_listen"`
	// PprofListen is where Go's profiler (/debug/pprof/) listens, "host:port"
	// on a loopback address; "" (the default) turns it off. Profiles show
	// what the node spends its CPU and memory on; they are not for the
	// network.
	PprofListen string `toml:"pprof_listen"`
	// PersistentPeers are the peers to keep connected to, comma-separated
	// "nodeid@host:port".
	PersistentPeers string `toml:"persistent_peers"`
	// TimeoutCommit is how long a validator waits after a commit before
	// proposing the next block: the rhythm of the chain, and the window in
	// which transactions gather into one block.
	TimeoutCommit time.Duration `toml:"timeout_commit"`
	// MempoolSize is the most transactions the mempool holds.
	MempoolSize int `toml:"mempool_size"`
	// MempoolCacheSize is how many recently seen transactions the mempool
	// remembers, to drop resubmissions without asking the application.
	MempoolCacheSize int `toml:"mempool_cache_size"`
	// CometLogLevel filters CometBFT's own log lines: debug, info, error or
	// none.
	CometLogLevel string `toml:"comet_log_level"`
	// FullNode runs the home as a full node: it follows the chain and serves
	// the API but does not vote, so its validator key must not be in the
	// validator set. A validator (false) must find its key in the set, or
	// start refuses: see CheckChain.
	FullNode bool `toml:"full_node"`
}

// Limits and defaults of Config.
//
// DefaultTimeoutCommit is the low end of the 200–500 ms the design allows:
// under load it commits more and answers sooner than 300 ms did, and when
// idle it costs a block (about 2.6 KB on disk) every ~0.2 s
// (docs/benchmarks.md, "Block time").
const (
	DefaultP2PListen        = "tcp://127.0.0.1:26656"
	DefaultTimeoutCommit    = 200 * time.Millisecond
	MinTimeoutCommit        = 50 * time.Millisecond
	MaxTimeoutCommit        = 10 * time.Second
	DefaultMempoolSize      = 200_000
	MinMempoolSize          = 1_000
	DefaultMempoolCacheSize = 400_000
	DefaultCometLogLevel    = "error"
)

// DefaultConfig returns the defaults; Home is left for the caller.
func DefaultConfig() Config {
	return Config{
		Moniker:          defaultMoniker(),
		P2PListen:        DefaultP2PListen,
		TimeoutCommit:    DefaultTimeoutCommit,
		MempoolSize:      DefaultMempoolSize,
		MempoolCacheSize: DefaultMempoolCacheSize,
		CometLogLevel:    DefaultCometLogLevel,
	}
}

func defaultMoniker() string {
	if h, err := os.Hostname(); err == nil && validMoniker(h) {
		return h
	}
	return "chancery"
}

// Validate checks every field and reports the first bad one, in one line
// naming it by its key in the config file.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error { return ErrInvalidConfig.Withf(format, args...) }
	switch {
	case c.Home == "":
		return bad("home: must be set")
	case !validMoniker(c.Moniker):
		return bad("moniker: must be non-empty printable ASCII, got %q", c.Moniker)
	}
	if err := checkTCPAddr(c.P2PListen); err != nil {
		return bad("p2p_listen: %v", err)
	}
	if c.RPCListen != "" && !strings.HasPrefix(c.RPCListen, "unix://") {
		if err := checkTCPAddr(c.RPCListen); err != nil {
			return bad(`rpc_listen: %v (or "unix:///path", or "" for off)`, err)
		}
	}
	if c.PprofListen != "" {
		if err := checkLoopback(c.PprofListen); err != nil {
			return bad(`pprof_listen: %v (or "" for off)`, err)
		}
	}
	for _, p := range splitList(c.PersistentPeers) {
		if err := checkPeer(p); err != nil {
			return bad("persistent_peers: %q: %v", p, err)
		}
	}
	switch {
	case c.TimeoutCommit < MinTimeoutCommit || c.TimeoutCommit > MaxTimeoutCommit:
		return bad("timeout_commit: must be between %v and %v, got %v", MinTimeoutCommit, MaxTimeoutCommit, c.TimeoutCommit)
	case c.MempoolSize < MinMempoolSize:
		return bad("mempool_size: must be at least %d, got %d", MinMempoolSize, c.MempoolSize)
	case c.MempoolCacheSize < c.MempoolSize:
		return bad("mempool_cache_size: must be at least mempool_size (%d), got %d", c.MempoolSize, c.MempoolCacheSize)
	}
	switch c.CometLogLevel {
	case "debug", "info", "error", "none":
	default:
		return bad(`comet_log_level: must be "debug", "info", "error" or "none", got %q`, c.CometLogLevel)
	}
	return nil
}

// validMoniker mirrors CometBFT's check of the node info it sends to peers.
func validMoniker(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 32 || s[i] > 126 {
			return false
		}
	}
	return true
}

func checkTCPAddr(addr string) error {
	hostPort, ok := strings.CutPrefix(addr, "tcp://")
	if !ok {
		return fmt.Errorf(`want "tcp://host:port", got %q`, addr)
	}
	return checkHostPort(hostPort)
}

// checkHostPort checks the form only: resolving names here would fail for
// peers whose names are not up yet, such as containers starting together.
func checkHostPort(hostPort string) error {
	_, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return fmt.Errorf("want host:port, got %q", hostPort)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("bad port %q in %q", port, hostPort)
	}
	return nil
}

// checkLoopback checks that hostPort is host:port on a loopback address.
func checkLoopback(hostPort string) error {
	if err := checkHostPort(hostPort); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(hostPort)
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("want a loopback address such as 127.0.0.1:6060, got %q", hostPort)
	}
	return nil
}

func checkPeer(p string) error {
	id, hostPort, ok := strings.Cut(strings.TrimPrefix(p, "tcp://"), "@")
	if !ok {
		return fmt.Errorf("want nodeid@host:port")
	}
	if b, err := hex.DecodeString(id); err != nil || len(b) != 20 {
		return fmt.Errorf("node id must be 40 hex characters")
	}
	return checkHostPort(hostPort)
}

// splitList splits a comma-separated list as CometBFT does, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Fixed settings of CometConfig. They suit a consortium of 1–4 validators on
// one machine or a LAN; a proposer that is down costs about one
// timeoutPropose before the next round.
const (
	timeoutPropose        = 1 * time.Second
	timeoutProposeDelta   = 200 * time.Millisecond
	timeoutPrevote        = 500 * time.Millisecond
	timeoutPrevoteDelta   = 200 * time.Millisecond
	timeoutPrecommit      = 500 * time.Millisecond
	timeoutPrecommitDelta = 200 * time.Millisecond
	peerGossipSleep       = 20 * time.Millisecond
	// CometBFT batches outgoing p2p messages for up to this long; its default
	// of 100ms would add that much to every consensus step among validators.
	p2pFlushThrottle = 10 * time.Millisecond
	// Per-peer send and receive limits, bytes/s: the default 5 MB/s needs
	// over 3s to gossip a full 16 MiB block.
	p2pRate = 50 << 20
)

// CometConfig builds CometBFT's configuration from c, tuned for throughput.
// c should be valid.
func CometConfig(c Config) *cfg.Config {
	cc := cfg.DefaultConfig()
	cc.SetRoot(c.Home)

	cc.Moniker = c.Moniker
	cc.DBBackend = "goleveldb" // CometBFT's own block, state and evidence stores
	cc.FilterPeers = false
	cc.ProxyApp = "" // the application is in process; see New
	cc.LogLevel = c.CometLogLevel

	// The application keeps its own tx index, written in its commit.
	cc.TxIndex.Indexer = "null"
	// Receipts prove results against LastResultsHash: keep the ABCI
	// responses of every block.
	cc.Storage.DiscardABCIResponses = false

	cc.Mempool.Type = cfg.MempoolTypeFlood
	cc.Mempool.Size = c.MempoolSize
	cc.Mempool.CacheSize = c.MempoolCacheSize
	cc.Mempool.Recheck = true
	cc.Mempool.Broadcast = true
	cc.Mempool.KeepInvalidTxsInCache = false

	cc.Consensus.TimeoutPropose = timeoutPropose
	cc.Consensus.TimeoutProposeDelta = timeoutProposeDelta
	cc.Consensus.TimeoutPrevote = timeoutPrevote
	cc.Consensus.TimeoutPrevoteDelta = timeoutPrevoteDelta
	cc.Consensus.TimeoutPrecommit = timeoutPrecommit
	cc.Consensus.TimeoutPrecommitDelta = timeoutPrecommitDelta
	cc.Consensus.TimeoutCommit = c.TimeoutCommit
	// Waiting out timeout_commit lets transactions gather into fuller blocks
	// and keeps a single validator from spinning out empty blocks.
	cc.Consensus.SkipTimeoutCommit = false
	// A block every timeout_commit even when idle: heights rise steadily,
	// so liveness is observable and block time advances.
	cc.Consensus.CreateEmptyBlocks = true
	cc.Consensus.CreateEmptyBlocksInterval = 0
	cc.Consensus.PeerGossipSleepDuration = peerGossipSleep

	cc.P2P.ListenAddress = c.P2PListen
	cc.P2P.PersistentPeers = strings.Join(splitList(c.PersistentPeers), ",")
	// A consortium lists its peers; nothing to discover. PEX's address book
	// also rewrites config/addrbook.json from a goroutine that CometBFT's
	// Stop does not wait for, so a stopped node would still touch its home.
	cc.P2P.PexReactor = false
	cc.P2P.AddrBookStrict = false // peers on private addresses
	cc.P2P.AllowDuplicateIP = true
	cc.P2P.FlushThrottleTimeout = p2pFlushThrottle
	cc.P2P.SendRate = p2pRate
	cc.P2P.RecvRate = p2pRate

	cc.RPC.ListenAddress = c.RPCListen
	cc.RPC.PprofListenAddress = c.PprofListen
	cc.RPC.GRPCListenAddress = ""

	// Metrics are registered with the default Prometheus registry and served
	// on our own /metrics (see metricsProvider); CometBFT starts no listener.
	cc.Instrumentation.Prometheus = false
	cc.Instrumentation.Namespace = metricsNamespace

	cc.StateSync.Enable = false
	return cc
}
