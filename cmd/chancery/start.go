package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/apps/copyright/copyrightweb"
	"github.com/chancery/chancery/apps/evidence"
	"github.com/chancery/chancery/apps/evidence/evidenceweb"
	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/apps/members/membersweb"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/abciapp"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/chain/store"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
	"github.com/chancery/chancery/storage/s3"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/keyring"
)

func runStart(args []string, stdout io.Writer) error {
	fs := newFlags("start")
	home := fs.String("home", defaultHome(), "node home directory")
	httpAddr := fs.String("http", "", "HTTP listen address (default 127.0.0.1:8080)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if !initialised(*home) {
		return fmt.Errorf("home %s is not initialised: run \"chancery init --home %s\" first", *home, *home)
	}
	cfg, err := loadConfig(*home)
	if err != nil {
		return err
	}
	if *httpAddr != "" {
		cfg.HTTP.Addr = *httpAddr
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	// CometBFT exits the process on some bad files; check them all first so
	// the operator gets one clear line instead.
	if err := node.CheckHome(*home); err != nil {
		return err
	}
	// Start would make an empty keyring in its place, and nobody could
	// sign in.
	if _, err := os.Stat(filepath.Join(*home, keyringDir)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s is missing: restore it from a backup (docs/operations.md, \"Backups\"); without it no user can sign in", filepath.Join(*home, keyringDir))
	}
	// Another chain's genesis, or a key outside the validator set, would run
	// a node that never agrees with its peers; refuse before writing.
	if err := node.CheckChain(*home, cfg.Node.FullNode); err != nil {
		return err
	}
	chainID, err := node.ChainID(*home)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, chainID, logger)
}

// probeListen checks that addr can be listened on now.
func probeListen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			err = op.Err
		}
		return err
	}
	return ln.Close()
}

// initialised reports whether init (or testnet) has written home: it has
// config/ or data/. A home damaged past that gets advice on the file that is
// missing instead, since a new init would make another chain.
func initialised(home string) bool {
	for _, dir := range []string{"config", "data"} {
		if _, err := os.Stat(filepath.Join(home, dir)); !errors.Is(err, os.ErrNotExist) {
			return true
		}
	}
	return false
}

// untilGenesis waits for the chain's genesis time if it is ahead — a chain
// made to start later, or this host's clock behind the others'. CometBFT's
// Start would sleep until then, silent and deaf to signals; here the wait
// is logged and a signal ends it (waited false, no error).
func untilGenesis(ctx context.Context, home string, logger *slog.Logger) (waited bool, err error) {
	at, err := node.GenesisTime(home)
	if err != nil {
		return false, err
	}
	wait := time.Until(at)
	if wait <= 0 {
		return true, nil
	}
	logger.Warn("the chain starts at its genesis time: waiting", "genesis_time", at.UTC().Format(time.RFC3339), "in", wait.Round(time.Second).String())
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false, nil
	case <-t.C:
		return true, nil
	}
}

// serve runs the node and the web server until ctx is cancelled, then stops
// them in order: HTTP first (no new writes), then consensus, then state.
func serve(ctx context.Context, cfg Config, chainID string, logger *slog.Logger) error {
	if waited, err := untilGenesis(ctx, cfg.Home, logger); err != nil || !waited {
		return err
	}
	// CometBFT would find a busy P2P port only once started, and log its
	// clean-up over the error.
	if err := probeListen(strings.TrimPrefix(cfg.Node.P2PListen, "tcp://")); err != nil {
		return fmt.Errorf("node.p2p_listen %s: %w (set p2p_listen in %s or CHANCERY_P2P_LISTEN)", cfg.Node.P2PListen, err, configFile)
	}
	st, err := store.Open(store.Options{Dir: filepath.Join(cfg.Home, stateDir), Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close()

	kr, err := keyring.Open(filepath.Join(cfg.Home, keyringDir), keyring.Options{})
	if err != nil {
		return err
	}
	defer kr.Close()

	blobs, err := openBlobStore(ctx, cfg)
	if err != nil {
		return err
	}

	app, keepers, err := newApp(st, chainID, logger)
	if err != nil {
		return err
	}
	keeper, evidenceKeeper := keepers.members, keepers.evidence
	n, ln, err := startConsensus(cfg, app, logger)
	if err != nil {
		return err
	}
	defer n.Stop()
	srv := web.New(cfg.HTTP, web.Deps{
		Chain: nodeChain{Node: n, app: app}, Keyring: kr, Blobs: blobs,
		Stats: func() web.ChainStats { return chainStats(app.Stats()) }, Logger: logger.With("component", "http"),
		State: app.State(), Roles: keeper, Version: version,
	})
	membersweb.New(app.State(), srv).Routes(srv.API())
	membersweb.New(app.State(), srv).Pages(srv.Echo())
	evidenceweb.New(app.State(), srv, evidenceKeeper).APIRoutes()
	evidenceweb.New(app.State(), srv, evidenceKeeper).Pages(srv.Echo())
	// The store, not app.State(): license statuses need its block time.
	copyrightweb.New(st, srv).APIRoutes()
	copyrightweb.New(st, srv).Pages(srv.Echo())
	// The store too: overdue, due soon and quotes count from its block time.
	financeweb.New(st, srv).APIRoutes()
	financeweb.New(st, srv).Pages(srv.Echo())
	logger.Info("chancery started", "chain_id", chainID, "home", cfg.Home, "http", "http://"+ln.Addr().String(), "version", version)
	err = srv.Serve(ctx, ln)
	logger.Info("stopping")
	if stopErr := n.Stop(); err == nil {
		err = stopErr
	}
	return err
}

// startConsensus builds the node of app from cfg, listens on the HTTP address —
// before consensus starts, so a busy port fails fast — and starts
// consensus. The caller stops the node; serving closes the listener.
func startConsensus(cfg Config, app node.Application, logger *slog.Logger) (*node.Node, net.Listener, error) {
	n, err := node.New(cfg.Node, app, logger.With("component", "comet"))
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		n.Stop()
		return nil, nil, fmt.Errorf("http.addr %s: %w", cfg.HTTP.Addr, err)
	}
	if err := n.Start(); err != nil {
		ln.Close()
		n.Stop()
		return nil, nil, err
	}
	return n, ln, nil
}

// chainStats are the application's counters as /metrics shows them.
func chainStats(st abciapp.Stats) web.ChainStats {
	out := web.ChainStats{Height: st.Height, TxsCommitted: st.TxsCommitted, TxsFailed: st.TxsFailed, CheckTxRejected: st.CheckTxRejected}
	for _, m := range st.Messages {
		out.Messages = append(out.Messages, web.MessageStats(m))
	}
	return out
}

// keepers are the apps' keepers that the web handlers need besides the
// application.
type keepers struct {
	members  members.Keeper
	evidence evidence.Keeper
}

// newApp builds the application over st with every app's module, as every
// node runs it (and `chancery bench` measures it).
func newApp(st *store.Store, chainID string, logger *slog.Logger) (*abciapp.App, keepers, error) {
	k := keepers{members: members.NewKeeper()}
	k.evidence = evidence.NewKeeper(k.members)
	// A dispute cites a deposit that evidence.Get finds.
	deposits := copyright.EvidenceFunc(func(r chain.Reader, id uint64) bool {
		_, err := evidence.Get(r, evidence.ID(id))
		return err == nil
	})
	app, err := abciapp.New(abciapp.Config{ChainID: chainID, Logger: logger.With("component", "app")},
		st, k.members, members.NewModule(), evidence.NewModule(k.evidence),
		copyright.NewModule(copyright.NewKeeper(k.members, deposits)), finance.NewModule(finance.NewKeeper(k.members)))
	return app, k, err
}

// openBlobStore opens the configured blob store: files under the home, or an
// S3 bucket (created if absent; an unreachable server stops start-up with
// one line).
func openBlobStore(ctx context.Context, cfg Config) (storage.BlobStore, error) {
	sc := cfg.Storage
	if sc.Backend == storage.BackendS3 {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := s3.Open(ctx, sc.S3, sc.MaxSize)
		if err != nil {
			return nil, fmt.Errorf("storage.s3 (%s, bucket %s): %w", sc.S3.Endpoint, sc.S3.Bucket, err)
		}
		return st, nil
	}
	dir := sc.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cfg.Home, dir)
	}
	return fs.Open(dir, sc.MaxSize)
}

// nodeChain is the running node and its application, as the web server uses
// them.
type nodeChain struct {
	*node.Node
	app *abciapp.App
}

func (c nodeChain) TxResult(h chain.Hash) (*chain.TxResult, bool, error) { return c.app.TxResult(h) }
func (c nodeChain) Pending(h chain.Hash) bool                            { return c.app.Pending(h) }
