package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/chain/node"
)

// A node refuses to start on files that belong to another chain, or as a
// validator whose key is not in the set: one line, exit 1, and not a byte
// of the home changed.
func TestStartRefusesWrongChain(t *testing.T) {
	net := filepath.Join(t.TempDir(), "net")
	if code, _, stderr := runCLI(t, "testnet", "--validators", "2", "--out", net); code != 0 {
		t.Fatal(stderr)
	}
	other := filepath.Join(t.TempDir(), "other")
	if code, _, stderr := runCLI(t, "init", "--home", other, "--chain-id", "other-chain"); code != 0 {
		t.Fatal(stderr)
	}
	sameIDOther := filepath.Join(t.TempDir(), "same-id")
	if code, _, stderr := runCLI(t, "init", "--home", sameIDOther); code != 0 {
		t.Fatal(stderr)
	}
	copyFile := func(t *testing.T, from, to string) {
		t.Helper()
		if err := os.WriteFile(to, readFile(t, from), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		name  string
		home  func(t *testing.T) string
		setup func(t *testing.T, home string)
		want  string
	}{
		{
			"genesis of another chain over existing data",
			ranHome,
			func(t *testing.T, home string) {
				copyFile(t, filepath.Join(other, node.GenesisFile), filepath.Join(home, node.GenesisFile))
			},
			`is for chain "other-chain", but data/ holds chain "chancery-local"`,
		},
		{
			"another genesis with the same chain id over existing data",
			ranHome,
			func(t *testing.T, home string) {
				copyFile(t, filepath.Join(sameIDOther, node.GenesisFile), filepath.Join(home, node.GenesisFile))
			},
			"differs in genesis_time from the genesis data/ was created from",
		},
		{
			"validator key not in the set of a new chain",
			func(t *testing.T) string { return copyHome(t, filepath.Join(net, "node1")) },
			func(t *testing.T, home string) {
				copyFile(t, filepath.Join(other, node.PrivValidatorKeyFile), filepath.Join(home, node.PrivValidatorKeyFile))
			},
			"is not in the validator set of chain \"chancery-testnet\"",
		},
		{
			"genesis of another chain in a new home",
			func(t *testing.T) string { return copyHome(t, filepath.Join(net, "node1")) },
			func(t *testing.T, home string) {
				copyFile(t, filepath.Join(other, node.GenesisFile), filepath.Join(home, node.GenesisFile))
			},
			"is not in the validator set of chain \"other-chain\"",
		},
		{
			"validator key not in the set after the node ran",
			ranHome,
			func(t *testing.T, home string) {
				copyFile(t, filepath.Join(other, node.PrivValidatorKeyFile), filepath.Join(home, node.PrivValidatorKeyFile))
			},
			"is not in the validator set",
		},
		{
			"full node holding a validator key",
			testHome,
			func(t *testing.T, home string) { t.Setenv("CHANCERY_FULL_NODE", "true") },
			"full_node is true",
		},
		{
			"S3 configured without credentials",
			testHome,
			func(t *testing.T, home string) {
				t.Setenv("CHANCERY_S3_ENDPOINT", "127.0.0.1:9")
				t.Setenv("CHANCERY_S3_ACCESS_KEY", "")
				t.Setenv("CHANCERY_S3_SECRET_KEY", "")
			},
			"storage.s3.access_key must be set",
		},
		{
			"S3 configured without a secret key",
			testHome,
			func(t *testing.T, home string) {
				t.Setenv("CHANCERY_S3_ENDPOINT", "127.0.0.1:9")
				t.Setenv("CHANCERY_S3_ACCESS_KEY", "someone")
				t.Setenv("CHANCERY_S3_SECRET_KEY", "")
			},
			"storage.s3.secret_key must be set",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := tc.home(t)
			tc.setup(t, home)
			before := snapshot(t, home)
			code, _, stderr := runCLI(t, "start", "--home", home, "--http", freeHTTPAddr(t))
			if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("start: exit %d, stderr %q; want 1 and one line with %q", code, stderr, tc.want)
			}
			if after := snapshot(t, home); after != before {
				t.Fatalf("a refused start changed the home:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}

	// A full node may hold a key that is not in the set; CheckChain lets it
	// through (start would then follow the chain without voting).
	home := copyHome(t, filepath.Join(net, "node1"))
	copyFile(t, filepath.Join(other, node.PrivValidatorKeyFile), filepath.Join(home, node.PrivValidatorKeyFile))
	if err := node.CheckChain(home, true); err != nil {
		t.Errorf("full node with its own key: %v", err)
	}
}

// A second process on a running home is refused before it touches anything.
func TestStartRefusesRunningHome(t *testing.T) {
	home := testHome(t)
	stop := serveHome(t, home)
	defer stop()
	code, _, stderr := runCLI(t, "start", "--home", home, "--http", freeHTTPAddr(t))
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "another chancery running") {
		t.Fatalf("second start: exit %d, stderr %q", code, stderr)
	}
}

// ranHome is a demo home of chain chancery-local on which a node has
// committed a few blocks and stopped.
func ranHome(t *testing.T) string {
	t.Helper()
	home := testHome(t)
	serveHome(t, home)()
	return home
}

// serveHome runs a node on home until a block is committed; the returned
// function stops it.
func serveHome(t *testing.T, home string) (stop func()) {
	t.Helper()
	cfg, err := loadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = freeHTTPAddr(t)
	cfg.Node.P2PListen = "tcp://127.0.0.1:0"
	cfg.Node.TimeoutCommit = 100 * time.Millisecond
	chainID, err := node.ChainID(home)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, chainID, slog.New(slog.DiscardHandler)) }()
	stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get("http://" + cfg.HTTP.Addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return stop
			}
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatal("node not ready after 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func copyHome(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "home")
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// snapshot lists every file of dir with its size, mode and modification
// time, so any write shows as a difference.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %v %d %s\n", rel, info.Mode(), info.Size(), info.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// pprof_listen serves Go's profiler while the node runs and stops with it;
// an address other computers could reach is refused before anything starts.
func TestProfiler(t *testing.T) {
	addr := freeHTTPAddr(t)
	t.Setenv("CHANCERY_PPROF_LISTEN", addr)
	stop := serveHome(t, testHome(t))
	res, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		stop()
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile:") {
		t.Errorf("profiler: %d %.200q", res.StatusCode, body)
	}
	stop()
	if res, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		res.Body.Close()
		t.Errorf("profiler still answers after the node stopped: %d", res.StatusCode)
	}

	t.Setenv("CHANCERY_PPROF_LISTEN", "0.0.0.0:6060")
	code, _, stderr := runCLI(t, "start", "--home", testHome(t), "--http", freeHTTPAddr(t))
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "pprof_listen:") || !strings.Contains(stderr, "loopback") {
		t.Errorf("start with pprof on all interfaces: exit %d, stderr %q", code, stderr)
	}
}

// A chain whose genesis time is ahead is waited for where a signal still
// stops the node: CometBFT's own Start would sleep through it.
func TestStartWaitsForGenesisTime(t *testing.T) {
	home := testHome(t)
	path := filepath.Join(home, node.GenesisFile)
	var g map[string]any
	if err := json.Unmarshal(readFile(t, path), &g); err != nil {
		t.Fatal(err)
	}
	g["genesis_time"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano)
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.Addr = freeHTTPAddr(t)
	var logs strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, "chancery-local", slog.New(slog.NewTextHandler(&logs, nil)))
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a signal did not stop a node waiting for its genesis time")
	}
	if !strings.Contains(logs.String(), "waiting") {
		t.Errorf("nothing said about the wait: %q", logs.String())
	}
}

// A busy P2P port is one line naming the setting, not CometBFT's clean-up
// logged over the error.
func TestStartRefusesBusyP2PPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("CHANCERY_P2P_LISTEN", "tcp://"+ln.Addr().String())
	code, _, stderr := runCLI(t, "start", "--home", testHome(t), "--http", freeHTTPAddr(t))
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "node.p2p_listen") || !strings.Contains(stderr, "address already in use") {
		t.Errorf("start on a busy P2P port: exit %d, stderr %q", code, stderr)
	}
}
