package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// repoRoot is the directory holding go.mod, above the package directory
// that go test runs in.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// buildDir is where build output goes: $CHANCERY_BUILD_DIR as the Makefile
// sets it, else .build in the repository.
func buildDir(t testing.TB) string {
	if d := os.Getenv("CHANCERY_BUILD_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), ".build")
}

var binary struct {
	once sync.Once
	path string
	err  error
}

// chanceryBinary builds the static chancery binary once per test process,
// as `make build` does, and returns its path.
func chanceryBinary(t testing.TB) string {
	t.Helper()
	binary.once.Do(func() {
		dir := filepath.Join(buildDir(t), "integration")
		if binary.err = os.MkdirAll(dir, 0o755); binary.err != nil {
			return
		}
		// A directory of its own: other test runs may build at the same time.
		tmp, err := os.MkdirTemp(dir, "bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(tmp, "chancery")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=integration", "-o", binary.path, "./cmd/chancery")
		cmd.Dir = repoRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = errors.New("go build ./cmd/chancery: " + err.Error() + "\n" + string(out))
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

var image struct {
	sync.Mutex
	tag string
}

// chanceryImage returns the tag of the chancery image holding the binary
// built from this tree: chancery/chancery:it-<first 12 hex of its SHA-256>.
// The image is built from deploy/Dockerfile only if Docker lacks that tag,
// so runs after the first (with an unchanged tree) skip the docker build.
func chanceryImage(t testing.TB, cli *testcontainers.DockerClient) string {
	t.Helper()
	image.Lock()
	defer image.Unlock()
	if image.tag != "" {
		return image.tag
	}
	bin := chanceryBinary(t)
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	tag := "chancery/chancery:it-" + hex.EncodeToString(h.Sum(nil))[:12]
	if _, err := cli.ImageInspect(t.Context(), tag); err == nil {
		image.tag = tag
		return tag
	}
	t.Logf("building image %s", tag)
	if err := buildImage(t.Context(), cli, tag, filepath.Join(repoRoot(t), "deploy", "Dockerfile"), bin); err != nil {
		t.Fatalf("build %s: %v", tag, err)
	}
	// Images of earlier trees are kept for an hour, for test runs still
	// using them; an image a container uses is kept anyway.
	cli.ImagePrune(t.Context(), client.ImagePruneOptions{Filters: make(client.Filters).
		Add("dangling", "false").Add("label", imageLabel+"=true").Add("until", "1h")})
	image.tag = tag
	return tag
}

// imageLabel marks the images the tests build.
const imageLabel = "org.chancery.integration"

// buildImage builds tag from dockerfile with a context holding only the
// binary, as `make images` does with .build/bin, through the same engine
// the containers run on.
func buildImage(ctx context.Context, cli *testcontainers.DockerClient, tag, dockerfile, bin string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct{ name, path string }{{"Dockerfile", dockerfile}, {"chancery", bin}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(b))}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{
		Tags: []string{tag}, Dockerfile: "Dockerfile", Remove: true, ForceRemove: true,
		Labels: map[string]string{imageLabel: "true"},
	})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	// The answer is a stream of JSON messages; a failed step is one with
	// an error.
	dec := json.NewDecoder(res.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
	}
}

// removeBinary deletes the binary's directory when the test process ends.
func removeBinary() {
	if binary.path != "" {
		os.RemoveAll(filepath.Dir(binary.path))
	}
}

// dockerClient returns a client for the Docker engine, or skips the test
// when none is reachable — or fails it under CI=true, where these tests must
// run.
func dockerClient(t testing.TB) *testcontainers.DockerClient {
	t.Helper()
	// Ryuk, testcontainers' reaper, is an image on Docker Hub, which cannot
	// be pulled here; each test removes what it made with t.Cleanup instead.
	// Set before testcontainers first reads its configuration.
	setDefaultEnv("TESTCONTAINERS_RYUK_DISABLED", "true")
	// With the engine in this network namespace (its docker0 bridge is
	// here), published ports are on localhost, not on a gateway.
	if _, err := net.InterfaceByName("docker0"); err == nil {
		setDefaultEnv("TESTCONTAINERS_HOST_OVERRIDE", "localhost")
	}
	cli, err := testcontainers.NewDockerClientWithOpts(t.Context())
	if err == nil {
		_, err = cli.Ping(t.Context(), client.PingOptions{})
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Docker engine is reachable, and CI=true requires the integration tests: %v", err)
		}
		t.Skipf("skipping: no Docker engine is reachable to run the consortium in (set CI=true to fail instead): %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// setDefaultEnv sets an environment variable the user has not set.
func setDefaultEnv(key, value string) {
	if _, ok := os.LookupEnv(key); !ok {
		os.Setenv(key, value)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	removeBinary()
	os.Exit(code)
}
