package fs_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/fs"
	"github.com/chancery/chancery/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		return open(t, t.TempDir(), storagetest.MaxSize)
	})
}

// A crash can leave partial files in tmp/, even one named like the blob it
// was becoming; they are never blobs, and the next Open removes them.
func TestOpenRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, storagetest.MaxSize)
	kept, err := s.Put(t.Context(), strings.NewReader("kept"), storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	partial := chain.SumHash([]byte("the whole file"))
	for _, name := range []string{"put-123", "put-" + partial.String()} {
		if err := os.WriteFile(filepath.Join(dir, storage.TempDir, name), []byte("the wh"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// What is not the store's own stays: a dir set wrong must not cost
	// anyone else's tmp/.
	other := filepath.Join(dir, storage.TempDir, "someone-elses")
	if err := os.WriteFile(other, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(t.Context(), partial); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat of a partial temp file: err = %v, want not found", err)
	}

	s = open(t, dir, storagetest.MaxSize)
	if temps, err := s.Temps(t.Context()); err != nil || len(temps) != 1 || !strings.HasSuffix(temps[0], "someone-elses") {
		t.Errorf("after Open, tmp/ holds %q (err %v), want only someone-elses", temps, err)
	}
	if got, err := s.Stat(t.Context(), kept.SHA256); err != nil || got != kept {
		t.Errorf("after Open, Stat of a stored blob = %+v, %v; want %+v", got, err, kept)
	}
}

func TestOpenRejectsBadLimit(t *testing.T) {
	if _, err := fs.Open(t.TempDir(), 0); !errors.Is(err, storage.ErrBadConfig) {
		t.Errorf("Open with max size 0: err = %v, want %s", err, storage.ErrBadConfig.Code)
	}
}

func TestReadyFailsWithoutDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	s := open(t, dir, storagetest.MaxSize)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(t.Context()); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("Ready on a removed directory: err = %v, want %s", err, storage.ErrUnavailable.Code)
	}
}

func open(t testing.TB, dir string, maxSize int64) *fs.Store {
	t.Helper()
	s, err := fs.Open(dir, maxSize)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// BenchmarkPut1GiB shows Put streams: memory must not grow with the blob.
// Run it alone, -benchtime 1x; rss-growth-MiB is the peak resident set during
// the Put minus the resident set before it.
func BenchmarkPut1GiB(b *testing.B) {
	const size = 1 << 30
	s := open(b, b.TempDir(), size)
	b.SetBytes(size)
	for b.Loop() {
		runtime.GC()
		resetPeakRSS(b)
		before := procStatusKiB(b, "VmRSS")
		blob, err := s.Put(b.Context(), &generator{left: size}, storage.PutOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if blob.Size != size {
			b.Fatalf("stored %d bytes, want %d", blob.Size, size)
		}
		growth := procStatusKiB(b, "VmHWM") - before
		b.ReportMetric(float64(growth)/1024, "rss-growth-MiB")
	}
}

// resetPeakRSS makes VmHWM start again from the current resident set, so the
// peak measured is this Put's, not the setup's.
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS (Linux only): %v", err)
	}
}

func procStatusKiB(b *testing.B, field string) int64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status (Linux only): %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		value, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			b.Fatalf("parse %s in /proc/self/status: %v", field, err)
		}
		return kib
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// generator yields left bytes of a repeating pattern without holding them.
type generator struct{ left int64 }

var pattern = bytes.Repeat([]byte("chancery blob storage benchmark "), 1024)

func (g *generator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n := 0
	for n < len(p) {
		n += copy(p[n:], pattern)
	}
	g.left -= int64(n)
	return n, nil
}
