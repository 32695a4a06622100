package s3

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
)

// A server that does not answer makes Open, Ready and Put fail with
// storage.unavailable, and a Put reads no further than it must.
func TestUnreachableServer(t *testing.T) {
	t.Parallel() // minio-go retries with backoff for some seconds
	cfg := storage.S3Config{
		Endpoint:  closedPort(t),
		Bucket:    "unreachable",
		AccessKey: "key",
		SecretKey: "secret-key",
		Region:    "us-east-1",
		PathStyle: true,
	}
	if _, err := Open(t.Context(), cfg, 1<<20); !isUnavailable(err) {
		t.Errorf("Open: err = %v, want storage.unavailable", err)
	}

	// As if the server went away after Open.
	s, err := newStore(cfg, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(t.Context()); !isUnavailable(err) {
		t.Errorf("Ready: err = %v, want storage.unavailable", err)
	}
	src := strings.NewReader("content")
	if _, err := s.Put(t.Context(), src, storage.PutOptions{}); !isUnavailable(err) {
		t.Errorf("Put: err = %v, want storage.unavailable", err)
	}
	if src.Len() == 0 {
		t.Errorf("Put consumed its input though no upload could start")
	}
}

func isUnavailable(err error) bool {
	return errors.Is(err, storage.ErrUnavailable) && errs.As(err).Kind == errs.KindUnavailable
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
