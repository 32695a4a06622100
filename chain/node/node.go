package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	"github.com/cometbft/cometbft/rpc/client/local"
	rpccore "github.com/cometbft/cometbft/rpc/core"

	"github.com/chancery/chancery/chain"
)

// Tracker is what the node needs from the application to answer "is my tx
// committed?".
type Tracker interface {
	// Await returns a channel that receives the result once a block with the
	// tx is committed; cancel releases it.
	Await(hash chain.Hash) (result <-chan *chain.TxResult, cancel func())
	// TxResult returns a committed tx's result from the app's own index;
	// found=false if unknown.
	TxResult(hash chain.Hash) (res *chain.TxResult, found bool, err error)
}

// Application is the ABCI application the node runs, and tracks its
// transactions.
//
// CometBFT calls it over three connections, each serialised on its own
// mutex: mempool (CheckTx, from Submit's goroutine and from rechecks),
// consensus (PrepareProposal … FinalizeBlock, Commit) and query (Info,
// Query). CheckTx may run concurrently with FinalizeBlock but never with
// Commit: CometBFT locks the mempool around Commit and the recheck after it.
// CheckTx must report rejections in its response, never as a Go error: the
// mempool panics on one.
type Application interface {
	abcitypes.Application
	Tracker
}

// Prechecker is an Application that can run the checks of CheckTx in the
// submitter's goroutine: Submit calls it first, so that concurrent
// submissions are checked in parallel and CometBFT's serialised mempool lane
// is left to admit them (the application redoes what a block committed in
// between may have changed). It checks the transactions of one submission
// together, one verdict each (nil: passed). release drops the results
// CheckTx did not take; Submit calls it once the mempool has had the
// transactions.
type Prechecker interface {
	PrecheckBatch(txs [][]byte) (release func(), errs []error)
}

type lifecycle int

const (
	created lifecycle = iota
	running
	stopped
)

// Node is an embedded CometBFT node running an Application.
type Node struct {
	app    Application
	log    *slog.Logger
	cmt    *nm.Node
	env    *rpccore.Environment // CometBFT's stores, as its RPC sees them
	client *local.Local
	dbs    *openDBs

	lifeMu sync.Mutex // serialises Start and Stop

	// mu guards state. Reads of CometBFT's stores hold it shared, so Stop,
	// which takes it exclusively before closing them, waits for reads in
	// flight and no read touches a closed store.
	mu    sync.RWMutex
	state lifecycle
	quit  chan struct{} // closed when the node stops: ends Submit's waits

	// prechecks admits as many concurrent Prechecks as there are cores;
	// further submitters wait, blocked, in line. Thousands of them running
	// at once would leave the one goroutine that executes and commits
	// blocks waiting for its turn on a core behind each of them.
	prechecks chan struct{}
}

// New builds a node from c over app. It validates the home first (CheckHome),
// then lets CometBFT open its stores and handshake with app, replaying any
// blocks app lacks: app must answer Info with its last committed height and
// app hash already here. logger receives the node's and, filtered by
// c.CometLogLevel, CometBFT's lines.
func New(c Config, app Application, logger *slog.Logger) (*Node, error) {
	if app == nil {
		return nil, errors.New("node: no application")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := CheckHome(c.Home); err != nil {
		return nil, err
	}
	cc := CometConfig(c)
	if err := cc.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("cometbft config: %w", err)
	}
	// Safe now: CheckHome has read both files as LoadFilePV will, and it
	// exits the process instead of returning an error.
	pv := privval.LoadFilePV(cc.PrivValidatorKeyFile(), cc.PrivValidatorStateFile())
	nodeKey, err := p2p.LoadNodeKey(cc.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NodeKeyFile, err)
	}

	dbs := &openDBs{}
	cmt, err := nm.NewNodeWithContext(context.Background(), cc, pv, nodeKey,
		proxy.NewConnSyncLocalClientCreator(app),
		nm.DefaultGenesisDocProviderFunc(cc),
		dbs.provider,
		metricsProvider(logger),
		NewCometLogger(logger, c.CometLogLevel),
	)
	if err != nil {
		// NewNode does not clean up after itself; at least release the
		// databases' file locks so that a retry can open them.
		dbs.closeAll()
		return nil, fmt.Errorf("cometbft: %w", err)
	}
	n := &Node{app: app, log: logger, cmt: cmt, dbs: dbs, quit: make(chan struct{}),
		prechecks: make(chan struct{}, runtime.GOMAXPROCS(0))}
	if n.env, err = cmt.ConfigureRPC(); err != nil {
		n.release()
		return nil, fmt.Errorf("cometbft: %w", err)
	}
	n.client = local.New(cmt)
	return n, nil
}

// Start starts consensus and networking.
func (n *Node) Start() error {
	n.lifeMu.Lock()
	defer n.lifeMu.Unlock()
	n.mu.RLock()
	st := n.state
	n.mu.RUnlock()
	switch st {
	case running:
		return errors.New("node: already started")
	case stopped:
		return ErrNotRunning.Withf("node was stopped; build a new one to start again")
	}
	// CometBFT's Start sleeps until the genesis time if that is ahead.
	if err := n.cmt.Start(); err != nil {
		n.mu.Lock()
		n.state = stopped
		close(n.quit)
		n.mu.Unlock()
		// A failed Start leaves CometBFT marked not started, so its Stop
		// would do nothing: undo what OnStart began through OnStop itself.
		n.cmt.OnStop()
		n.stopApp()
		return fmt.Errorf("cometbft: %w", err)
	}
	n.mu.Lock()
	n.state = running
	n.mu.Unlock()
	n.log.Info("node started", "node_id", string(n.cmt.NodeInfo().ID()), "chain_id", n.cmt.GenesisDoc().ChainID)
	return nil
}

// Stop stops the node and waits for CometBFT to finish; later calls do
// nothing. It is safe on a node never started or whose Start failed. A
// stopped node cannot start again.
func (n *Node) Stop() error {
	n.lifeMu.Lock()
	defer n.lifeMu.Unlock()
	n.mu.Lock()
	prev := n.state
	if prev != stopped {
		n.state = stopped
		close(n.quit)
	}
	n.mu.Unlock()

	switch prev {
	case stopped:
		return nil
	case created:
		n.release()
		return nil
	}
	err := n.cmt.Stop() // stops the reactors, consensus last, then closes the stores
	n.cmt.Wait()
	n.stopApp()
	if err != nil {
		return fmt.Errorf("cometbft stop: %w", err)
	}
	n.log.Info("node stopped")
	return nil
}

// release frees what NewNode set going on a node that never started.
func (n *Node) release() {
	if err := n.cmt.EventBus().Stop(); err != nil {
		n.log.Debug("stop event bus", "err", err)
	}
	n.stopApp()
	n.dbs.closeAll()
}

// stopApp closes the ABCI connections, which CometBFT's OnStop leaves open,
// ending their watcher goroutine.
func (n *Node) stopApp() {
	if err := n.cmt.ProxyApp().Stop(); err != nil {
		n.log.Debug("stop ABCI connections", "err", err)
	}
}

// CometClient returns CometBFT's in-process RPC client, for what Status and
// Block do not cover: commits, validator sets and block results at a height.
// Its tx and tx_search calls fail: the tx indexer is off. Do not use it after
// Stop; CometBFT's stores are closed then.
func (n *Node) CometClient() *local.Local { return n.client }

// openDBs is the DB provider given to CometBFT; it remembers what it opened
// so that a failed NewNode, which closes nothing, can be cleaned up.
type openDBs struct {
	mu  sync.Mutex
	dbs []dbm.DB
}

func (o *openDBs) provider(ctx *cfg.DBContext) (dbm.DB, error) {
	inner, err := cfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	db := &guardedDB{DB: inner}
	o.mu.Lock()
	o.dbs = append(o.dbs, db)
	o.mu.Unlock()
	return db, nil
}

func (o *openDBs) closeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, db := range o.dbs {
		_ = db.Close()
	}
	o.dbs = nil
}
