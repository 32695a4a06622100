package abciapp

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/canon"
	"github.com/chancery/chancery/shared/errs"
)

// MaxValidity is how many blocks ahead of the current height a transaction's
// valid_until may be. It bounds how long the chain must remember executed
// bodies for replay protection. It is part of the state machine: changing it
// is a protocol change.
const MaxValidity = 1000

// Version is reported to CometBFT in Info.
const (
	AppVersion = 1
	Version    = "chancery/1"
)

// Config configures the application.
type Config struct {
	ChainID string
	// VerifiedCache bounds how many verified transaction hashes are kept
	// between CheckTx and FinalizeBlock.
	VerifiedCache int
	Logger        *slog.Logger
}

// App is Chancery's ABCI application.
type App struct {
	abci.BaseApplication

	chainID  string
	store    *store.Store
	auth     chain.Authorizer
	routes   map[string]routeEntry // by "module/type"
	messages []messageCounts       // one per route, in registration order
	byRoute  map[routeKey]*messageCounts
	modules  []chain.Module
	verified *verifiedSet
	// prechecked holds what Precheck verified until CheckTx takes it.
	prechecked sync.Map // chain.Hash → *checked
	logger     *slog.Logger
	awaiters   awaiters

	// Owned by the consensus connection: the block being executed.
	block *store.Block
	// The hashes of its transactions, for Pending.
	inBlockMu sync.RWMutex
	inBlock   map[chain.Hash]struct{}
	// blockHashes are the hashes of the block being executed, in order;
	// owned by the consensus connection.
	blockHashes []chain.Hash

	stats stats
}

// stats count what the application did, for metrics.
type stats struct {
	outcomes
	rejected atomic.Uint64
}

// outcomes count transactions in blocks that succeeded and that failed.
type outcomes struct{ committed, failed atomic.Uint64 }

func (o *outcomes) count(ok bool) {
	if ok {
		o.committed.Add(1)
	} else {
		o.failed.Add(1)
	}
}

// messageCounts count one message type's transactions in blocks: what each
// app did.
type messageCounts struct {
	module, typ string
	outcomes
}

// routeKey finds a result's counts without building a "module/type" string
// per transaction.
type routeKey struct{ module, typ string }

// MessageStats are one message type's transactions in blocks.
type MessageStats struct {
	Module, Type      string
	Committed, Failed uint64
}

// Stats are the application's counters.
type Stats struct {
	Height          int64
	TxsCommitted    uint64 // succeeded in a block
	TxsFailed       uint64 // failed in a block
	CheckTxRejected uint64 // refused before a block
	// Messages count each message type of every module, in the order the
	// modules registered them.
	Messages []MessageStats
}

// Stats reads the counters.
func (a *App) Stats() Stats {
	h := a.store.Height()
	st := Stats{
		Height: h, TxsCommitted: a.stats.committed.Load(),
		TxsFailed: a.stats.failed.Load(), CheckTxRejected: a.stats.rejected.Load(),
		Messages: make([]MessageStats, len(a.messages)),
	}
	for i := range a.messages {
		m := &a.messages[i]
		st.Messages[i] = MessageStats{Module: m.module, Type: m.typ, Committed: m.committed.Load(), Failed: m.failed.Load()}
	}
	return st
}

type routeEntry struct {
	module string
	chain.Route
}

// New builds the application over st. auth decides who may send what;
// modules are initialised from genesis in the order given.
func New(cfg Config, st *store.Store, auth chain.Authorizer, modules ...chain.Module) (*App, error) {
	if cfg.ChainID == "" {
		return nil, fmt.Errorf("abciapp: chain id is required")
	}
	if cfg.VerifiedCache <= 0 {
		cfg.VerifiedCache = 400_000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{
		chainID:  cfg.ChainID,
		store:    st,
		auth:     auth,
		routes:   map[string]routeEntry{},
		modules:  modules,
		verified: newVerifiedSet(cfg.VerifiedCache),
		logger:   cfg.Logger,
	}
	for _, m := range modules {
		if m.Name() == replayModule {
			return nil, fmt.Errorf("abciapp: module name %q is reserved", m.Name())
		}
		for _, r := range m.Routes() {
			key := m.Name() + "/" + r.Type
			if _, dup := a.routes[key]; dup {
				return nil, fmt.Errorf("abciapp: route %s registered twice", key)
			}
			a.routes[key] = routeEntry{module: m.Name(), Route: r}
			a.messages = append(a.messages, messageCounts{module: m.Name(), typ: r.Type})
		}
	}
	// Pointers into the slice once it has stopped growing.
	a.byRoute = make(map[routeKey]*messageCounts, len(a.messages))
	for i := range a.messages {
		a.byRoute[routeKey{a.messages[i].module, a.messages[i].typ}] = &a.messages[i]
	}
	return a, nil
}

func (a *App) module(name string) chain.Module {
	for _, m := range a.modules {
		if m.Name() == name {
			return m
		}
	}
	return nil
}

// Pending reports whether this node admitted the transaction to its mempool,
// or is executing it in a block, and has not committed it yet. From
// admission to the index a transaction is always pending or committed,
// never unknown: the block's hashes are marked before FinalizeBlock takes
// them from the verified set and cleared after Commit has indexed them.
func (a *App) Pending(hash chain.Hash) bool {
	if _, ok := a.verified.get(hash); ok {
		return true
	}
	a.inBlockMu.RLock()
	defer a.inBlockMu.RUnlock()
	_, ok := a.inBlock[hash]
	return ok
}

// setInBlock marks the transactions of the block being executed, nil when
// it is committed.
func (a *App) setInBlock(hashes map[chain.Hash]struct{}) {
	a.inBlockMu.Lock()
	a.inBlock = hashes
	a.inBlockMu.Unlock()
}

// ChainID is the chain this application runs.
func (a *App) ChainID() string { return a.chainID }

// State opens read-only views of committed state.
func (a *App) State() chain.Viewer { return a.store }

// Info tells CometBFT where the state is, so that it replays exactly the
// blocks the application has not committed.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	height, appHash := a.store.Last()
	return &abci.ResponseInfo{
		Data:             "chancery",
		Version:          Version,
		AppVersion:       AppVersion,
		LastBlockHeight:  height,
		LastBlockAppHash: appHash,
	}, nil
}

// InitChain loads the genesis app state into the first block's write set, so
// it is committed (and hashed) together with that block.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.chainID {
		return nil, fmt.Errorf("init chain: genesis is for chain %q, this node runs %q", req.ChainId, a.chainID)
	}
	sections := map[string]json.RawMessage{}
	if len(req.AppStateBytes) > 0 {
		if err := json.Unmarshal(req.AppStateBytes, &sections); err != nil {
			return nil, errGenesis.Withf("genesis app_state: %v", err)
		}
	}
	for name := range sections {
		m := a.module(name)
		if m == nil {
			return nil, errGenesis.Withf("genesis app_state.%s: no such module", name)
		}
		if _, ok := m.(chain.GenesisModule); !ok {
			return nil, errGenesis.Withf("genesis app_state.%s: module has no genesis state", name)
		}
	}
	blk := a.store.NewBlock(req.InitialHeight)
	ctx := chain.NewContext(a.chainID, req.InitialHeight, req.Time, chain.Hash{}, chain.Address{}, blk)
	for _, m := range a.modules {
		if gm, ok := m.(chain.GenesisModule); ok {
			// A module without a section gets nil and decides whether it
			// may start empty.
			if err := gm.InitGenesis(ctx, sections[m.Name()]); err != nil {
				blk.Discard()
				return nil, fmt.Errorf("genesis app_state.%s: %w", m.Name(), err)
			}
		}
	}
	a.block = blk
	return &abci.ResponseInitChain{}, nil
}

// CheckTx admits a transaction to the mempool if it could execute now:
// well-formed, for this chain, not expired or replayed, correctly signed, by
// an account allowed to send it, and its message succeeds against committed
// state. Rechecks after a block repeat only the checks a block can change:
// expiry, replay and the signer's roles.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	err := a.checkTx(req.Tx, req.Type == abci.CheckTxType_New)
	if err != nil {
		a.stats.rejected.Add(1)
		if req.Type == abci.CheckTxType_Recheck {
			// The mempool drops it now; it is no longer pending.
			a.verified.take(chain.SumHash(req.Tx))
		}
		e := errs.As(err)
		return &abci.ResponseCheckTx{Code: uint32(e.Kind), Codespace: e.Code, Log: e.Message}, nil
	}
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK}, nil
}

func (a *App) checkTx(raw []byte, isNew bool) error {
	hash := chain.SumHash(raw)
	height := a.store.Height()
	c, verified := a.verified.get(hash)
	if !verified {
		if v, ok := a.prechecked.LoadAndDelete(hash); ok {
			c = v.(*checked)
		} else {
			var err error
			if c, err = a.stateless(raw, height+1); err != nil {
				return err
			}
		}
	}
	// A prechecked transaction that passed against the state committed now
	// would pass again: the checks read committed state only.
	if !verified && c.passed && c.passedAt == height {
		a.verified.add(c)
		return nil
	}
	// Again for a transaction checked earlier: the chain has moved on.
	if err := a.checkWindow(c.Tx, height+1); err != nil {
		return err
	}
	if err := a.checkState(c, height, isNew); err != nil {
		return err
	}
	c.replayFreeAt.Store(height)
	if !verified {
		a.verified.add(c)
	}
	return nil
}

// checkState runs the checks of CheckTx that read committed state, at
// height: replay, the signer's roles and, for a new transaction, the
// message itself, whose writes are thrown away — so that a message bound to
// fail (a duplicate, a missing record) is refused now rather than failing in
// a block. They read nothing else: their outcome is a function of the
// transaction and the committed height.
func (a *App) checkState(c *checked, height int64, isNew bool) error {
	signer := c.Body.Signer.Address()
	return a.store.View(func(r chain.Reader) error {
		if chain.Has(r, replayKey(c.Tx)) {
			return tx.ErrReplayed
		}
		if err := a.auth.Authorize(r, signer, c.route.Role); err != nil {
			return err
		}
		if !isNew {
			return nil
		}
		ctx := chain.NewContext(a.chainID, height+1, a.store.LastTime(), c.Hash, signer, store.NewCache(r))
		_, err := a.handle(ctx, c.route, c.msg)
		return err
	})
}

// stateless runs the checks of a new transaction that read no state, in
// CheckTx's order: decoding, the validity window at height, the message's
// route and decoding, the signature.
func (a *App) stateless(raw []byte, height int64) (*checked, error) {
	c, err := a.decode(raw, height)
	if err != nil {
		return nil, err
	}
	if !c.VerifySignature() {
		return nil, tx.ErrBadSignature
	}
	return c, nil
}

// decode runs the checks of stateless but the signature.
func (a *App) decode(raw []byte, height int64) (*checked, error) {
	t, err := tx.Decode(raw)
	if err != nil {
		return nil, err
	}
	if err := a.checkWindow(t, height); err != nil {
		return nil, err
	}
	c := &checked{Tx: t}
	if c.route, c.msg, err = a.decodeMsg(t); err != nil {
		return nil, err
	}
	return c, nil
}

// Precheck runs the checks of CheckTx (decoding, validity window, message,
// signature, and those against committed state) in the caller's goroutine
// and leaves the result for the next CheckTx of the same bytes. CheckTx runs
// one at a time on CometBFT's mempool connection, so a node taking
// transactions from many clients at once (its API) prechecks them in the
// clients' goroutines, in parallel; if no block was committed in between,
// CheckTx then only admits the transaction. A refused transaction is
// refused here with CheckTx's error.
//
// The caller must call release once the mempool has had the transaction,
// whether or not CheckTx ran: it drops a result CheckTx did not take.
func (a *App) Precheck(raw []byte) (release func(), err error) {
	release, errList := a.PrecheckBatch([][]byte{raw})
	return release, errList[0]
}

// PrecheckBatch is Precheck for several transactions, with one verdict each
// (nil: passed): their signatures are checked together, in one batch
// verification that costs about half as much a signature. release drops the
// results CheckTx did not take, as Precheck's does.
func (a *App) PrecheckBatch(raws [][]byte) (release func(), errList []error) {
	errList = make([]error, len(raws))
	height := a.store.Height()
	var (
		decoded []*checked
		at      []int // where each of decoded is in raws
	)
	for i, raw := range raws {
		if _, ok := a.verified.get(chain.SumHash(raw)); ok {
			continue // admitted already
		}
		c, err := a.decode(raw, height+1)
		if err != nil {
			errList[i] = err
			continue
		}
		decoded = append(decoded, c)
		at = append(at, i)
	}
	signed := make([]*tx.Tx, len(decoded))
	for j, c := range decoded {
		signed[j] = c.Tx
	}
	var stored []chain.Hash
	for j, valid := range tx.VerifyBatch(signed) {
		c := decoded[j]
		if !valid {
			errList[at[j]] = tx.ErrBadSignature
			continue
		}
		if err := a.checkState(c, height, true); err != nil {
			errList[at[j]] = err
			continue
		}
		// A block committed meanwhile may have been under part of the
		// checks: then CheckTx runs them again.
		if a.store.Height() == height {
			c.passed, c.passedAt = true, height
			c.replayFreeAt.Store(height)
		}
		a.prechecked.Store(c.Hash, c)
		stored = append(stored, c.Hash)
	}
	for _, err := range errList {
		if err != nil {
			a.stats.rejected.Add(1)
		}
	}
	return func() {
		for _, h := range stored {
			a.prechecked.Delete(h)
		}
	}, errList
}

// checkWindow checks what the chain and the height decide alone: that the
// transaction is for this chain and valid at height.
func (a *App) checkWindow(t *tx.Tx, height int64) error {
	if t.Body.ChainID != a.chainID {
		return tx.ErrWrongChain.Withf("transaction is for chain %q, this is %q", t.Body.ChainID, a.chainID)
	}
	if t.Body.ValidUntil < height {
		return tx.ErrExpired.Withf("transaction expired: valid until height %d, chain is at %d", t.Body.ValidUntil, height)
	}
	if t.Body.ValidUntil > height+MaxValidity {
		return tx.ErrTooFar.Withf("valid_until %d is more than %d blocks after height %d", t.Body.ValidUntil, MaxValidity, height)
	}
	return nil
}

// decodeMsg finds the transaction's route and decodes its message strictly,
// with the message's stateless checks.
func (a *App) decodeMsg(t *tx.Tx) (routeEntry, chain.Msg, error) {
	route, ok := a.routes[t.Route()]
	if !ok {
		return routeEntry{}, nil, tx.ErrUnknownRoute.Withf("unknown message %s", t.Route())
	}
	msg, err := route.Decode(t.Body.Msg)
	if err != nil {
		return routeEntry{}, nil, err
	}
	return route, msg, nil
}

// FinalizeBlock executes the block's transactions in order.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	last, prevHash := a.store.Last()
	if last > 0 && req.Height != last+1 {
		return nil, errWrongHeight.Withf("finalize block %d after committed height %d", req.Height, last)
	}
	if a.block == nil {
		a.block = a.store.NewBlock(req.Height)
	} else if a.block.Height() != req.Height {
		return nil, errWrongHeight.Withf("finalize block %d, but the open block is %d", req.Height, a.block.Height())
	}
	a.block.SetTime(req.Time)
	blk := a.block
	pruneReplay(blk, req.Height)

	hashes := make([]chain.Hash, len(req.Txs))
	executing := make(map[chain.Hash]struct{}, len(req.Txs))
	for i, raw := range req.Txs {
		hashes[i] = chain.SumHash(raw)
		executing[hashes[i]] = struct{}{}
	}
	a.setInBlock(executing)
	a.blockHashes = hashes
	decoded, decodeErrs := a.decodeAll(req.Txs, hashes)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i := range req.Txs {
		var res *chain.TxResult
		if decodeErrs[i] != nil {
			res = failed(hashes[i], decodeErrs[i])
		} else {
			res = a.deliver(blk, req.Height, req.Time, decoded[i])
		}
		res.Height, res.Index = req.Height, uint32(i)
		blk.Index(res)
		results[i] = execResult(res)
	}
	return &abci.ResponseFinalizeBlock{TxResults: results, AppHash: blk.Finish(prevHash)}, nil
}

// decodeAll decodes the block's transactions and checks the signatures this
// node has not checked in CheckTx, in one batch. A transaction whose signature
// fails gets a decode error.
func (a *App) decodeAll(raws [][]byte, hashes []chain.Hash) ([]*checked, []error) {
	decoded := make([]*checked, len(raws))
	errList := make([]error, len(raws))
	var unverified []*tx.Tx
	var at []int
	for i, raw := range raws {
		if c, ok := a.verified.take(hashes[i]); ok {
			decoded[i] = c
			continue
		}
		t, err := tx.Decode(raw)
		if err != nil {
			errList[i] = err
			continue
		}
		decoded[i] = &checked{Tx: t}
		unverified = append(unverified, t)
		at = append(at, i)
	}
	for j, ok := range tx.VerifyBatch(unverified) {
		if !ok {
			errList[at[j]] = tx.ErrBadSignature
		}
	}
	return decoded, errList
}

// deliver executes one transaction whose signature is valid. Its message is
// decoded here unless CheckTx did it.
func (a *App) deliver(blk *store.Block, height int64, blockTime time.Time, c *checked) (res *chain.TxResult) {
	signer := c.Body.Signer.Address()
	err := a.checkWindow(c.Tx, height)
	if err == nil && c.msg == nil {
		c.route, c.msg, err = a.decodeMsg(c.Tx)
	}
	if err == nil && replayed(blk, c, height) {
		err = tx.ErrReplayed
	}
	if err != nil {
		return failedTx(c.Tx, err)
	}
	// From here on the body counts as executed, whatever the outcome, so a
	// refused transaction cannot be replayed later when it would succeed.
	rememberBody(blk, c.Tx)
	if err := a.auth.Authorize(blk, signer, c.route.Role); err != nil {
		return failedTx(c.Tx, err)
	}

	cache := store.NewCache(blk)
	ctx := chain.NewContext(a.chainID, height, blockTime, c.Hash, signer, cache)
	out, err := a.handle(ctx, c.route, c.msg)
	if err != nil {
		return failedTx(c.Tx, err)
	}
	var data []byte
	if out != nil {
		if data, err = canon.Marshal(out); err != nil {
			return failedTx(c.Tx, errPanic.Withf("encode result of %s: %v", c.Route(), err))
		}
	}
	cache.WriteTo(blk.Cache)
	return &chain.TxResult{
		Hash: c.Hash, Data: data, Events: ctx.Events(),
		Module: c.Body.Module, Type: c.Body.Type, Signer: signer,
	}
}

// handle runs a handler, turning a panic into a failed transaction. Every
// validator panics alike on the same input, so this stays deterministic; a
// storage failure is not the transaction's fault and is passed on to halt
// the node.
func (a *App) handle(ctx *chain.Context, route routeEntry, msg chain.Msg) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			if se, ok := p.(chain.StorageError); ok {
				panic(se)
			}
			a.logger.Error("message handler panicked", "route", route.module+"/"+route.Type, "panic", p)
			out, err = nil, errPanic.Withf("%s/%s handler failed", route.module, route.Type)
		}
	}()
	return route.Handle(ctx, msg)
}

// Commit makes the block the committed state and tells waiting clients.
// CometBFT has stored the block, synced, before it executes it, so a result
// told here survives a crash even if the store's background write of the
// block does not: the handshake replays the block and gets the same result
// (store.Store.Commit).
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	blk := a.block
	if blk == nil {
		return nil, errWrongHeight.Withf("commit without a finalized block")
	}
	a.block = nil
	indexed, err := a.store.Commit(blk)
	if err != nil {
		return nil, err
	}
	// A copy of the block's transactions gossiped after FinalizeBlock took
	// them from the verified set, and before Commit took the mempool, was
	// checked against the state before the block and admitted again:
	// committed now, it must not stay admitted, nor look pending.
	for _, h := range a.blockHashes {
		a.verified.take(h)
		a.prechecked.Delete(h)
	}
	a.blockHashes = nil
	a.setInBlock(nil)
	a.awaiters.notify(indexed)
	for _, r := range indexed {
		a.stats.count(r.OK())
		if m := a.byRoute[routeKey{r.Module, r.Type}]; m != nil { // nil: the tx names no known route
			m.count(r.OK())
		}
	}
	a.logger.Debug("committed block", "height", blk.Height(), "txs", len(indexed))
	return &abci.ResponseCommit{}, nil
}

// Query answers "/tx" with a committed transaction's result (data: the hash).
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	height := a.store.Height()
	fail := func(err error) (*abci.ResponseQuery, error) {
		e := errs.As(err)
		return &abci.ResponseQuery{Code: uint32(e.Kind), Codespace: e.Code, Log: e.Message, Height: height}, nil
	}
	switch req.Path {
	case "/tx":
		var h chain.Hash
		if len(req.Data) != len(h) {
			return fail(tx.ErrMalformed.Withf("query /tx: data must be a 32-byte hash"))
		}
		copy(h[:], req.Data)
		res, found, err := a.store.TxResult(h)
		if err != nil {
			return fail(err)
		}
		if !found {
			return fail(errs.New(errs.KindNotFound, "chain.tx_not_found", "transaction not found"))
		}
		return &abci.ResponseQuery{Key: req.Data, Value: canon.MustMarshal(res), Height: height}, nil
	default:
		return fail(errs.New(errs.KindNotFound, "chain.unknown_query", "unknown query path "+req.Path))
	}
}

func failed(hash chain.Hash, err error) *chain.TxResult {
	e := errs.As(err)
	return &chain.TxResult{Hash: hash, Code: uint32(e.Kind), Codespace: e.Code, Log: e.Message}
}

func failedTx(t *tx.Tx, err error) *chain.TxResult {
	r := failed(t.Hash, err)
	r.Module, r.Type, r.Signer = t.Body.Module, t.Body.Type, t.Body.Signer.Address()
	return r
}

func execResult(r *chain.TxResult) *abci.ExecTxResult {
	events := make([]abci.Event, len(r.Events))
	for i, ev := range r.Events {
		attrs := make([]abci.EventAttribute, len(ev.Attrs))
		for j, at := range ev.Attrs {
			attrs[j] = abci.EventAttribute{Key: at.Key, Value: at.Value}
		}
		events[i] = abci.Event{Type: ev.Type, Attributes: attrs}
	}
	return &abci.ExecTxResult{Code: r.Code, Codespace: r.Codespace, Log: r.Log, Data: r.Data, Events: events}
}

// Replay protection state, kept under a reserved module name. A body hash is
// remembered until the block after its valid_until, by which time it could
// no longer be included anyway. Its key starts with valid_until, which is part
// of the body: a check finds the key from the body alone, and the keys sort
// by when they may be forgotten.
const replayModule = "tx"

var replayPrefix = []byte("tx/replay/")

func replayKey(t *tx.Tx) []byte {
	k := make([]byte, 0, len(replayPrefix)+8+len(t.BodyHash))
	k = append(k, replayPrefix...)
	k = binary.BigEndian.AppendUint64(k, uint64(t.Body.ValidUntil))
	return append(k, t.BodyHash[:]...)
}

func rememberBody(kv chain.KV, t *tx.Tx) { kv.Set(replayKey(t), nil) }

// replayed reports whether the body was executed before the transaction in
// the block at height: earlier in the block, or in committed state, which is
// read only when no check has found the body unexecuted at height-1, the
// state the block builds on.
func replayed(blk *store.Block, c *checked, height int64) bool {
	key := replayKey(c.Tx)
	if c.replayFreeAt.Load() == height-1 {
		v, written := blk.Written(key)
		return written && v != nil
	}
	return chain.Has(blk, key)
}

// pruneReplay forgets bodies whose valid_until is below height.
func pruneReplay(kv chain.KV, height int64) {
	var expired [][]byte
	kv.Iterate(chain.Range{Prefix: replayPrefix}, func(key, _ []byte) bool {
		if int64(binary.BigEndian.Uint64(key[len(replayPrefix):])) >= height {
			return false
		}
		expired = append(expired, bytes.Clone(key))
		return true
	})
	for _, k := range expired {
		kv.Delete(k)
	}
}
