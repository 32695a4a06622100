package web

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// A download the client breaks off is the client's doing: not logged as
// a failure. One the server breaks off (a disk or S3 error) is logged.
func TestBrokenOffAnswers(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	s := New(DefaultConfig(), Deps{Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
	served := make(chan struct{})
	s.API().GET("/big", func(c echo.Context) error {
		defer close(served)
		c.Response().WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 1 << 12 { // 256 MiB: far more than the client reads
			if _, err := c.Response().Write(chunk); err != nil {
				return err
			}
		}
		return nil
	})
	s.API().GET("/broken", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		c.Response().Write([]byte("partial"))
		return io.ErrUnexpectedEOF // the store failed mid-stream
	})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("GET /api/v1/big HTTP/1.1\r\nHost: x\r\n\r\n"))
	conn.Read(make([]byte, 1024))
	conn.(*net.TCPConn).SetLinger(0) // a reset, as a cancelled browser download
	conn.Close()
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not notice the client had gone")
	}

	res, err := http.Get(srv.URL + "/api/v1/broken")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	// The body ends once ServeHTTP, and so handleError, has returned.
	mu.Lock()
	got := logs.String()
	mu.Unlock()
	if strings.Count(got, "request failed after its answer began") != 1 || !strings.Contains(got, "/api/v1/broken") || strings.Contains(got, "/api/v1/big") {
		t.Errorf("log: %s", got)
	}
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
