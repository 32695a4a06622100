package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/chancery/chancery/storage/s3/miniotest"
)

// Settings of the consortium the tests run.
const (
	validators = 4
	httpPort   = "8080/tcp"
	// A short block time keeps the tests quick; faults cost whole rounds.
	timeoutCommit = "200ms"
	// How long a node may take to start, catch up or converge on this
	// shared 2-core machine.
	settle = 3 * time.Minute
)

// cluster is a consortium of validator containers and a MinIO they share.
//
// Two networks, both made by the test: "p2p", internal, where the
// validators reach each other (as node0 … node3) and MinIO (as minio); and
// "web", whose only use is to publish each container's port on loopback for
// the test. Cutting a validator off p2p partitions it from its peers while
// the test can still ask it what it sees.
type cluster struct {
	cli     *testcontainers.DockerClient
	dir     string // the homes, from chancery testnet --docker
	chainID string
	p2p     *testcontainers.DockerNetwork
	web     *testcontainers.DockerNetwork
	minio   *miniotest.Server
	nodes   []*validator
	admin   string            // API token of the consortium admin
	tokens  map[string]string // demo users' API tokens, valid on every node
	loader  *signer           // an org.admin key the test holds
}

// validator is one validator container and its API.
type validator struct {
	*api
	ctr *testcontainers.DockerContainer
}

// startCluster starts MinIO and the validators, and waits until they agree
// on a chain. Everything is removed when t ends.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	cli := dockerClient(t)
	c := &cluster{cli: cli, chainID: fmt.Sprintf("it-%d", time.Now().UnixNano()%1e6)}
	img := chanceryImage(t, cli)

	c.dir = filepath.Join(t.TempDir(), "net")
	out, err := exec.Command(chanceryBinary(t), "testnet", "--validators", fmt.Sprint(validators), "--out", c.dir,
		"--docker", "--demo", "--chain-id", c.chainID).CombinedOutput()
	if err != nil {
		t.Fatalf("chancery testnet: %v\n%s", err, out)
	}
	c.tokens = credentials(t, filepath.Join(c.dir, "node0", "demo-users.txt"))
	c.admin = c.tokens["admin"]

	ctx := t.Context()
	c.web, err = tcnetwork.New(ctx)
	testcontainers.CleanupNetwork(t, c.web)
	if err != nil {
		t.Fatalf("create network: %v", err)
	}
	c.p2p, err = tcnetwork.New(ctx, tcnetwork.WithInternal())
	testcontainers.CleanupNetwork(t, c.p2p)
	if err != nil {
		t.Fatalf("create network: %v", err)
	}

	c.minio = miniotest.Run(t, tcnetwork.WithNetwork(nil, c.web), tcnetwork.WithNetwork([]string{"minio"}, c.p2p))

	for i := range validators {
		name := fmt.Sprintf("node%d", i)
		home := filepath.Join(c.dir, name)
		ctr, err := testcontainers.Run(ctx, img,
			testcontainers.WithExposedPorts(httpPort),
			testcontainers.WithEnv(map[string]string{
				"CHANCERY_TIMEOUT_COMMIT": timeoutCommit,
				// As deploy/compose.yaml configures them.
				"CHANCERY_S3_ENDPOINT":   "minio:9000",
				"CHANCERY_S3_BUCKET":     "chancery",
				"CHANCERY_S3_ACCESS_KEY": miniotest.AccessKey,
				"CHANCERY_S3_SECRET_KEY": miniotest.SecretKey,
				"CHANCERY_S3_TLS":        "false",
				"CHANCERY_S3_PATH_STYLE": "true",
			}),
			tcnetwork.WithNetwork(nil, c.web),
			tcnetwork.WithNetwork([]string{name}, c.p2p),
			// The home goes into the container's /home volume before it
			// first starts; it stays there across stops and kills.
			testcontainers.WithAdditionalLifecycleHooks(testcontainers.ContainerLifecycleHooks{
				PostCreates: []testcontainers.ContainerHook{func(ctx context.Context, ctr testcontainers.Container) error {
					return copyHome(ctx, cli, ctr.GetContainerID(), home)
				}},
			}),
			testcontainers.WithWaitStrategy(wait.ForHTTP("/healthz").WithPort(httpPort).WithStartupTimeout(settle)),
		)
		testcontainers.CleanupContainer(t, ctr)
		if err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		v := &validator{ctr: ctr, api: newAPI(name, "")}
		c.refresh(t, v)
		c.nodes = append(c.nodes, v)
	}
	// Registered last, so it runs first: logs before the containers go.
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpLogs(t)
		}
	})

	c.waitHeight(t, c.nodes, 2)
	c.requireAgreement(t, c.nodes)
	c.loader = newSigner(c.chainID)
	apis := make([]*api, len(c.nodes))
	for i, v := range c.nodes {
		apis[i] = v.api
	}
	registerOrgAdmin(t, c.admin, c.loader, apis...)
	return c
}

// copyHome copies a home into the container's /home, keeping modes: keys
// stay 0600.
func copyHome(ctx context.Context, cli *testcontainers.DockerClient, id, home string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == home {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(home, path)
		hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = filepath.ToSlash(rel), 0, 0, "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return fmt.Errorf("pack %s: %w", home, err)
	}
	_, err = cli.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: "/home", Content: &buf})
	return err
}

// refresh points v's API at its published port, which changes when the
// container restarts.
func (c *cluster) refresh(t testing.TB, v *validator) {
	t.Helper()
	ep, err := v.ctr.PortEndpoint(t.Context(), httpPort, "http")
	if err != nil {
		t.Fatalf("%s: endpoint: %v", v.name, err)
	}
	v.setURL(ep)
}

// stop stops v gracefully (SIGTERM); it is started again when t ends if
// the test has not, so the next test finds four validators.
func (c *cluster) stop(t *testing.T, v *validator) {
	t.Helper()
	timeout := 30 * time.Second
	if err := v.ctr.Stop(t.Context(), &timeout); err != nil {
		t.Fatalf("stop %s: %v", v.name, err)
	}
	t.Logf("%s stopped", v.name)
	t.Cleanup(func() { c.ensureRunning(t, v) })
}

// kill sends v SIGKILL, as a crash or power cut of the process would end it.
func (c *cluster) kill(t *testing.T, v *validator) {
	t.Helper()
	if _, err := c.cli.ContainerKill(t.Context(), v.ctr.GetContainerID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		t.Fatalf("kill %s: %v", v.name, err)
	}
	t.Cleanup(func() { c.ensureRunning(t, v) })
	eventually(t, time.Minute, v.name+" to die", func() (bool, string) {
		st, err := v.ctr.State(t.Context())
		if err != nil {
			return false, err.Error()
		}
		return !st.Running, fmt.Sprintf("state %s, exit code %d", st.Status, st.ExitCode)
	})
	st, err := v.ctr.State(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode != 137 || st.OOMKilled {
		t.Fatalf("%s exited with %d (OOM killed: %v), want 137: killed by SIGKILL", v.name, st.ExitCode, st.OOMKilled)
	}
	t.Logf("%s killed with SIGKILL (exit code %d)", v.name, st.ExitCode)
}

// start starts a stopped v again on its volume and waits for its API.
func (c *cluster) start(t testing.TB, v *validator) {
	t.Helper()
	if err := v.ctr.Start(t.Context()); err != nil {
		t.Fatalf("start %s: %v", v.name, err)
	}
	c.refresh(t, v)
	t.Logf("%s started again", v.name)
}

func (c *cluster) ensureRunning(t testing.TB, v *validator) {
	st, err := v.ctr.State(context.Background())
	if err == nil && !st.Running {
		c.start(t, v)
	}
}

// disconnect cuts v off the p2p network: from its peers (and MinIO).
func (c *cluster) disconnect(t *testing.T, v *validator) {
	t.Helper()
	if _, err := c.cli.NetworkDisconnect(t.Context(), c.p2p.ID, client.NetworkDisconnectOptions{Container: v.ctr.GetContainerID()}); err != nil {
		t.Fatalf("disconnect %s: %v", v.name, err)
	}
	t.Logf("%s disconnected from its peers", v.name)
	t.Cleanup(func() { c.ensureConnected(t, v) })
}

// reconnect puts v back on the p2p network under its name.
func (c *cluster) reconnect(t testing.TB, v *validator) {
	t.Helper()
	_, err := c.cli.NetworkConnect(t.Context(), c.p2p.ID, client.NetworkConnectOptions{
		Container:      v.ctr.GetContainerID(),
		EndpointConfig: &network.EndpointSettings{Aliases: []string{v.name}},
	})
	if err != nil {
		t.Fatalf("reconnect %s: %v", v.name, err)
	}
	t.Logf("%s reconnected", v.name)
}

func (c *cluster) ensureConnected(t testing.TB, v *validator) {
	nets, err := v.ctr.Networks(context.Background())
	if err != nil {
		return
	}
	for _, n := range nets {
		if n == c.p2p.Name {
			return
		}
	}
	c.reconnect(t, v)
}

// others returns the validators other than those given.
func (c *cluster) others(skip ...*validator) []*validator {
	var out []*validator
	for _, v := range c.nodes {
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == v
		}
		if !skipped {
			out = append(out, v)
		}
	}
	return out
}

// heights returns each node's height; a node that does not answer has -1.
func heights(ctx context.Context, nodes []*validator) []int64 {
	hs := make([]int64, len(nodes))
	for i, v := range nodes {
		hs[i] = -1
		if st, err := v.status(ctx); err == nil {
			hs[i] = st.Height
		}
	}
	return hs
}

func maxHeight(ctx context.Context, nodes []*validator) int64 {
	var m int64
	for _, h := range heights(ctx, nodes) {
		m = max(m, h)
	}
	return m
}

func describe(nodes []*validator, hs []int64) string {
	var parts []string
	for i, v := range nodes {
		parts = append(parts, fmt.Sprintf("%s at %d", v.name, hs[i]))
	}
	return strings.Join(parts, ", ")
}

// waitHeight waits until every node has committed height h.
func (c *cluster) waitHeight(t testing.TB, nodes []*validator, h int64) {
	t.Helper()
	eventually(t, settle, fmt.Sprintf("height %d on every node", h), func() (bool, string) {
		hs := heights(t.Context(), nodes)
		for _, x := range hs {
			if x < h {
				return false, describe(nodes, hs)
			}
		}
		return true, ""
	})
}

// requireAgreement asserts that nodes hold one chain: for the latest height
// H each node reports, with its app hash after H, every node's block H has
// the same hash and every node's block H+1 carries that app hash. It waits
// for nodes still catching up.
func (c *cluster) requireAgreement(t testing.TB, nodes []*validator) {
	t.Helper()
	ctx := t.Context()
	for _, v := range nodes {
		st, err := v.status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.ChainID != c.chainID {
			t.Fatalf("%s runs chain %q, want %q", v.name, st.ChainID, c.chainID)
		}
		var ref block
		for _, w := range nodes {
			var at, next block
			eventually(t, settle, fmt.Sprintf("%s to have block %d", w.name, st.Height+1), func() (bool, string) {
				var found1, found2 bool
				at, found1, err = w.block(ctx, st.Height)
				if err == nil {
					next, found2, err = w.block(ctx, st.Height+1)
				}
				if err != nil {
					return false, err.Error()
				}
				return found1 && found2, fmt.Sprintf("%s is at %d", w.name, heights(ctx, []*validator{w})[0])
			})
			if ref.Hash.IsZero() {
				ref = at
			}
			if at.Hash != ref.Hash {
				t.Fatalf("fork at height %d: %s has block %s, %s has %s", st.Height, nodes[0].name, ref.Hash, w.name, at.Hash)
			}
			if next.AppHash != st.AppHash {
				t.Fatalf("app hash after height %d: %s reports %s, but %s's block %d carries %s", st.Height, v.name, st.AppHash, w.name, st.Height+1, next.AppHash)
			}
		}
	}
}

// dumpLogs prints the end of every container's log.
func (c *cluster) dumpLogs(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctrs := map[string]*testcontainers.DockerContainer{"minio": c.minio.Container}
	for _, v := range c.nodes {
		ctrs[v.name] = v.ctr
	}
	for name, ctr := range ctrs {
		rc, err := ctr.Logs(ctx)
		if err != nil {
			t.Logf("logs of %s: %v", name, err)
			continue
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		t.Logf("--- last lines of %s:\n%s", name, strings.Join(lines, "\n"))
	}
}
