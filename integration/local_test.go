package integration

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// localNet is a testnet of chancery processes on this machine, as
// `make testnet` runs one.
type localNet struct {
	chainID string
	admin   string
	nodes   []*localNode
}

type localNode struct {
	*api
	cmd  *exec.Cmd
	log  string
	done chan error
}

// startLocalNet creates n homes with `chancery testnet` on free ports,
// starts a process on each and waits until all are ready. The processes are
// stopped when tb ends.
func startLocalNet(tb testing.TB, n int, env ...string) *localNet {
	tb.Helper()
	bin := chanceryBinary(tb)
	dir := tb.TempDir()
	p2pBase, httpBase := freePorts(tb, n), 0
	for httpBase == 0 || httpBase < p2pBase+n && p2pBase < httpBase+n {
		httpBase = freePorts(tb, n)
	}
	net := &localNet{chainID: fmt.Sprintf("local-%d", time.Now().UnixNano()%1e6)}
	out, err := exec.Command(bin, "testnet", "--validators", strconv.Itoa(n), "--out", dir, "--chain-id", net.chainID,
		"--base-port", strconv.Itoa(p2pBase), "--http-port", strconv.Itoa(httpBase)).CombinedOutput()
	if err != nil {
		tb.Fatalf("chancery testnet: %v\n%s", err, out)
	}
	token, err := os.ReadFile(filepath.Join(dir, "node0", "admin-token"))
	if err != nil {
		tb.Fatal(err)
	}
	net.admin = string(bytes.TrimSpace(token))
	for i := range n {
		name := fmt.Sprintf("node%d", i)
		ln := &localNode{api: newAPI(name, fmt.Sprintf("http://127.0.0.1:%d", httpBase+i)), log: filepath.Join(dir, name+".log"), done: make(chan error, 1)}
		logf, err := os.Create(ln.log)
		if err != nil {
			tb.Fatal(err)
		}
		ln.cmd = exec.Command(bin, "start", "--home", filepath.Join(dir, name))
		ln.cmd.Stdout, ln.cmd.Stderr = logf, logf
		ln.cmd.Env = append(os.Environ(), env...)
		if err := ln.cmd.Start(); err != nil {
			tb.Fatal(err)
		}
		logf.Close()
		go func() { ln.done <- ln.cmd.Wait() }()
		tb.Cleanup(func() {
			if err := ln.stop(); err != nil {
				tb.Errorf("%s: %v", name, err)
			}
			if tb.Failed() {
				b, _ := os.ReadFile(ln.log)
				tb.Logf("--- log of %s:\n%s", name, lastLines(b, 30))
			}
		})
		net.nodes = append(net.nodes, ln)
	}
	for _, ln := range net.nodes {
		eventually(tb, settle, ln.name+" ready", func() (bool, string) {
			select {
			case err := <-ln.done:
				ln.done <- err
				b, _ := os.ReadFile(ln.log)
				tb.Fatalf("%s exited: %v\n%s", ln.name, err, lastLines(b, 10))
			default:
			}
			code, body := ln.do(tb.Context(), http.MethodGet, "/readyz", "", "", nil)
			return code == http.StatusOK, fmt.Sprintf("%d %s", code, body)
		})
	}
	return net
}

// apis are the nodes' HTTP APIs, node0 first.
func (net *localNet) apis() []*api {
	apis := make([]*api, len(net.nodes))
	for i, ln := range net.nodes {
		apis[i] = ln.api
	}
	return apis
}

// stop ends the process with SIGTERM, as `make testnet-stop` does, and
// reports anything but a clean exit.
func (ln *localNode) stop() error {
	if ln.cmd.ProcessState != nil {
		return nil
	}
	select {
	case err := <-ln.done:
		ln.done <- err
		return fmt.Errorf("exited before it was stopped: %v", err)
	default:
	}
	ln.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-ln.done:
		ln.done <- err
		return err
	case <-time.After(time.Minute):
		ln.cmd.Process.Kill()
		return errors.New("still running a minute after SIGTERM; killed")
	}
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freePorts returns the first of n consecutive free TCP ports on loopback,
// below Linux's ephemeral range (32768 and up) so that the outgoing
// connections of a loaded test do not take one before a node binds it.
// Another process may still do so; the nodes then fail to start, saying so.
func freePorts(tb testing.TB, n int) int {
	tb.Helper()
	for range 100 {
		base := 10000 + rand.IntN(22000)
		free := true
		for p := base; p < base+n && free; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				free = false
				continue
			}
			l.Close()
		}
		if free {
			return base
		}
	}
	tb.Fatal("no free port range")
	return 0
}

// The homes `chancery testnet` writes for local processes form one chain:
// a transaction submitted to the last node is committed and shown by the
// first, and every node stops cleanly on SIGTERM.
func TestLocalTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: runs 4 validator processes")
	}
	net := startLocalNet(t, 4)
	loader := newSigner(net.chainID)
	registerOrgAdmin(t, net.admin, loader, net.apis()...)
	st, err := net.nodes[3].status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Validators) != 4 {
		t.Fatalf("%d validators, want 4", len(st.Validators))
	}
	raw, hash := loader.addAccount("local", st.Height+500)
	res, code, body := net.nodes[3].submit(t.Context(), raw, "30s")
	if code != http.StatusAccepted || res.Status != "committed" {
		t.Fatalf("submit: %d %s", code, body)
	}
	eventually(t, settle, "the tx on node0", func() (bool, string) {
		r, code, err := net.nodes[0].tx(t.Context(), hash)
		return err == nil && r.Status == "committed" && r.Height == res.Height, fmt.Sprintf("%d %+v %v", code, r, err)
	})
	for _, ln := range net.nodes {
		if err := ln.stop(); err != nil {
			t.Errorf("%s: SIGTERM: %v", ln.name, err)
		}
	}
}
