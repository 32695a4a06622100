// Package miniotest starts a throwaway MinIO server in Docker for tests.
//
// The image is chancery/minio, built locally FROM scratch by
// deploy/minio/build.sh because no registry can be reached; Start runs the
// script when the image is missing, so the first run takes a few minutes.
package miniotest

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The root credentials of every server Start runs.
const (
	AccessKey = "chancery"
	SecretKey = "chancery-secret"
)

const buildScript = "deploy/minio/build.sh"

// Port is the container port MinIO serves on.
const Port = "9000/tcp"

// Start runs a new MinIO server and returns its endpoint (host:port, plain
// HTTP) and root credentials. The container is removed when the test ends.
//
// Without a reachable Docker engine the test is skipped, unless CI=true: CI
// must run it, so there it fails.
func Start(t testing.TB) (endpoint, accessKey, secretKey string) {
	t.Helper()
	s := Run(t)
	return s.Endpoint, AccessKey, SecretKey
}

// Server is a MinIO container started by Run.
type Server struct {
	// Container is the server, for a test that stops and starts it. A
	// restart publishes Port on another host port: ask PortEndpoint again.
	Container *testcontainers.DockerContainer
	Endpoint  string // host:port as seen from the test, plain HTTP
}

// Run is Start with more options for the container, such as the networks
// it joins (network.WithNetwork), returning the container itself.
func Run(t testing.TB, opts ...testcontainers.ContainerCustomizer) *Server {
	t.Helper()
	// Ryuk, the container testcontainers starts to reap what a crashed test
	// leaves, is an image on Docker Hub, which cannot be pulled here; the
	// t.Cleanup below removes the container instead. Set before testcontainers
	// first reads its configuration, which it does once per process.
	setDefaultEnv("TESTCONTAINERS_RYUK_DISABLED", "true")
	// Inside a container, testcontainers expects the engine on the Docker
	// host and looks for published ports on the default gateway. When the
	// engine runs in this network namespace instead (its docker0 bridge is
	// here, as on a plain host), they are on localhost.
	if _, err := net.InterfaceByName("docker0"); err == nil {
		setDefaultEnv("TESTCONTAINERS_HOST_OVERRIDE", "localhost")
	}
	image := ensureImage(t)

	ctr, err := testcontainers.Run(t.Context(), image, append([]testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithEnv(map[string]string{
			"MINIO_ROOT_USER":     AccessKey,
			"MINIO_ROOT_PASSWORD": SecretKey,
		}),
		testcontainers.WithWaitStrategy(
			wait.ForHTTP("/minio/health/live").WithPort(Port).WithStartupTimeout(time.Minute)),
	}, opts...)...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("start %s: %v", image, err)
	}
	endpoint, err := ctr.PortEndpoint(t.Context(), Port, "")
	if err != nil {
		t.Fatalf("endpoint of %s: %v", image, err)
	}
	return &Server{Container: ctr, Endpoint: endpoint}
}

// ensureImage returns the pinned image's tag, building the image if Docker
// lacks it.
func ensureImage(t testing.TB) string {
	t.Helper()
	script := findBuildScript(t)
	out, err := exec.Command(script, "--print-image").Output()
	if err != nil {
		t.Fatalf("%s --print-image: %v", script, err)
	}
	image := strings.TrimSpace(string(out))

	cli, err := testcontainers.NewDockerClientWithOpts(t.Context())
	if err != nil {
		noDocker(t, err)
	}
	defer cli.Close()
	if _, err := cli.ImageInspect(t.Context(), image); err == nil {
		return image
	}

	t.Logf("building %s with %s; the first build compiles MinIO and takes a few minutes", image, buildScript)
	cmd := exec.CommandContext(t.Context(), script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return image
}

// setDefaultEnv sets an environment variable the user has not set.
func setDefaultEnv(key, value string) {
	if _, ok := os.LookupEnv(key); !ok {
		os.Setenv(key, value)
	}
}

func noDocker(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("no Docker engine is reachable, and CI=true requires the MinIO tests: %v", err)
	}
	t.Skipf("skipping: no Docker engine is reachable to run MinIO (set CI=true to fail instead): %v", err)
}

// findBuildScript looks for the script from the working directory up, since
// go test runs in the package's directory, somewhere below the repository's.
func findBuildScript(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		script := filepath.Join(dir, buildScript)
		if _, err := os.Stat(script); err == nil {
			return script
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("%s not found above the working directory", buildScript)
		}
		dir = parent
	}
}
