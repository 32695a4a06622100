// Package storagetest is the conformance suite every storage.BlobStore passes.
//
// A backend's test calls Run with a constructor for fresh, empty stores whose
// size limit is MaxSize. Stores that implement TempLister are also checked
// for temporary objects left behind by failed Puts.
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
)

// MaxSize is the size limit the stores given to Run must have: small, so the
// limit is tested without moving much data.
const MaxSize = 1 << 20

// TempLister lists a store's temporary objects: inputs of Puts in progress
// or, if any are left when no Put runs, leftovers of failed ones.
type TempLister interface {
	Temps(ctx context.Context) ([]string, error)
}

// Run runs the suite; newStore returns a new, empty store limited to MaxSize.
func Run(t *testing.T, newStore func(t *testing.T) storage.BlobStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.BlobStore)
	}{
		{"put get stat", testPutGetStat},
		{"same content twice", testSameContentTwice},
		{"concurrent puts", testConcurrentPuts},
		{"size limit", testSizeLimit},
		{"expected hash", testExpectedHash},
		{"cancelled context", testCancelled},
		{"missing blob", testMissing},
		{"failing reader leaves no temp", testFailingReader},
		{"ready", testReady},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

func testPutGetStat(t *testing.T, s storage.BlobStore) {
	for _, size := range []int{0, 1, 4096, 300 << 10, MaxSize} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := content(size, uint64(size))
			blob := put(t, s, data, storage.PutOptions{})
			want := storage.Blob{SHA256: sha256.Sum256(data), Size: int64(size)}
			if blob != want {
				t.Fatalf("Put = %+v, want %+v", blob, want)
			}
			if got := stat(t, s, want.SHA256); got != want {
				t.Errorf("Stat = %+v, want %+v", got, want)
			}
			if got, gotBlob := get(t, s, want.SHA256); !bytes.Equal(got, data) || gotBlob != want {
				t.Errorf("Get = %d bytes, %+v; want the %d bytes put, %+v", len(got), gotBlob, size, want)
			}
		})
	}
}

func testSameContentTwice(t *testing.T, s storage.BlobStore) {
	data := content(5000, 1)
	first := put(t, s, data, storage.PutOptions{})
	second := put(t, s, data, storage.PutOptions{ExpectSHA256: first.SHA256})
	if first != second {
		t.Fatalf("second Put = %+v, want %+v", second, first)
	}
	if got, _ := get(t, s, first.SHA256); !bytes.Equal(got, data) {
		t.Errorf("Get after the second Put returned other content")
	}
}

func testConcurrentPuts(t *testing.T, s storage.BlobStore) {
	const n = 8
	tests := []struct {
		name string
		seed func(i int) uint64
	}{
		{"same content", func(int) uint64 { return 7 }},
		{"different content", func(i int) uint64 { return uint64(100 + i) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wg sync.WaitGroup
			errc := make(chan error, n)
			for i := range n {
				data := content(200<<10, tt.seed(i))
				wg.Go(func() {
					blob, err := s.Put(t.Context(), bytes.NewReader(data), storage.PutOptions{})
					if err == nil && blob.SHA256 != sha256.Sum256(data) {
						err = fmt.Errorf("put returned %s, want %x", blob.SHA256, sha256.Sum256(data))
					}
					errc <- err
				})
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Error(err)
				}
			}
			for i := range n {
				data := content(200<<10, tt.seed(i))
				if got, _ := get(t, s, sha256.Sum256(data)); !bytes.Equal(got, data) {
					t.Errorf("blob %d: Get returned other content", i)
				}
			}
			assertNoTemps(t, s)
		})
	}
}

func testSizeLimit(t *testing.T, s storage.BlobStore) {
	exact := content(MaxSize, 2)
	if blob := put(t, s, exact, storage.PutOptions{}); blob.Size != MaxSize {
		t.Fatalf("Put of exactly MaxSize bytes stored %d bytes", blob.Size)
	}

	tests := []struct {
		name string
		src  func() io.Reader
		hash chain.Hash // what must not be stored
	}{
		{"limit plus one", func() io.Reader { return bytes.NewReader(content(MaxSize+1, 3)) }, sha256.Sum256(content(MaxSize+1, 3))},
		// An endless input shows the store stops reading at the limit.
		{"endless", func() io.Reader { return endless{} }, sha256.Sum256(make([]byte, MaxSize+1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Put(t.Context(), tt.src(), storage.PutOptions{})
			assertCode(t, err, storage.ErrTooLarge, errs.KindTooLarge)
			assertNotStored(t, s, tt.hash)
		})
	}
}

func testExpectedHash(t *testing.T, s storage.BlobStore) {
	data := content(3000, 4)
	other := chain.SumHash([]byte("something else"))
	_, err := s.Put(t.Context(), bytes.NewReader(data), storage.PutOptions{ExpectSHA256: other})
	assertCode(t, err, storage.ErrHashMismatch, errs.KindInvalid)
	assertNotStored(t, s, sha256.Sum256(data))
	assertNotStored(t, s, other)

	blob := put(t, s, data, storage.PutOptions{ExpectSHA256: sha256.Sum256(data)})
	if blob.SHA256 != sha256.Sum256(data) {
		t.Errorf("Put with the right expected hash = %s", blob.SHA256)
	}
}

func testCancelled(t *testing.T, s storage.BlobStore) {
	data := content(MaxSize, 5)
	tests := []struct {
		name string
		src  func(cancel context.CancelFunc) io.Reader
	}{
		{"before put", func(cancel context.CancelFunc) io.Reader {
			cancel()
			return bytes.NewReader(data)
		}},
		{"during put", func(cancel context.CancelFunc) io.Reader {
			return &cancelAfter{r: bytes.NewReader(data), n: 100 << 10, cancel: cancel}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := s.Put(ctx, tt.src(cancel), storage.PutOptions{})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Put with a cancelled context: err = %v, want context.Canceled", err)
			}
			assertNotStored(t, s, sha256.Sum256(data))
		})
	}
}

func testMissing(t *testing.T, s storage.BlobStore) {
	h := chain.SumHash([]byte("never stored"))
	_, err := s.Stat(t.Context(), h)
	assertCode(t, err, storage.ErrNotFound, errs.KindNotFound)
	rc, _, err := s.Get(t.Context(), h)
	if err == nil {
		rc.Close()
	}
	assertCode(t, err, storage.ErrNotFound, errs.KindNotFound)
}

// A client that disconnects mid-upload fails the Put with its own error.
func testFailingReader(t *testing.T, s storage.BlobStore) {
	broken := errors.New("connection reset")
	src := io.MultiReader(bytes.NewReader(content(100<<10, 6)), errReader{broken})
	_, err := s.Put(t.Context(), src, storage.PutOptions{})
	if !errors.Is(err, broken) {
		t.Fatalf("Put from a failing reader: err = %v, want %v", err, broken)
	}
	assertNoTemps(t, s)
}

func testReady(t *testing.T, s storage.BlobStore) {
	if err := s.Ready(t.Context()); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}

func put(t *testing.T, s storage.BlobStore, data []byte, opts storage.PutOptions) storage.Blob {
	t.Helper()
	blob, err := s.Put(t.Context(), bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Put %d bytes: %v", len(data), err)
	}
	return blob
}

func get(t *testing.T, s storage.BlobStore, h chain.Hash) ([]byte, storage.Blob) {
	t.Helper()
	rc, blob, err := s.Get(t.Context(), h)
	if err != nil {
		t.Fatalf("Get %s: %v", h, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read blob %s: %v", h, err)
	}
	return data, blob
}

func stat(t *testing.T, s storage.BlobStore, h chain.Hash) storage.Blob {
	t.Helper()
	blob, err := s.Stat(t.Context(), h)
	if err != nil {
		t.Fatalf("Stat %s: %v", h, err)
	}
	return blob
}

func assertCode(t *testing.T, err error, want *errs.Error, kind errs.Kind) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want code %s", err, want.Code)
	}
	if got := errs.As(err); got.Kind != kind {
		t.Errorf("err %v has kind %s, want %s", err, got.Kind, kind)
	}
}

// assertNotStored checks a failed Put left neither a blob nor a temporary.
func assertNotStored(t *testing.T, s storage.BlobStore, h chain.Hash) {
	t.Helper()
	if blob, err := s.Stat(t.Context(), h); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat %s after a failed Put = %+v, %v; want not found", h, blob, err)
	}
	assertNoTemps(t, s)
}

func assertNoTemps(t *testing.T, s storage.BlobStore) {
	t.Helper()
	tl, ok := s.(TempLister)
	if !ok {
		return
	}
	temps, err := tl.Temps(t.Context())
	if err != nil {
		t.Fatalf("Temps: %v", err)
	}
	if len(temps) > 0 {
		t.Errorf("temporary objects left behind: %q", temps)
	}
}

// content returns size pseudo-random bytes, the same for the same seed.
func content(size int, seed uint64) []byte {
	b := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)})
	rng.Read(b)
	return b
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// cancelAfter cancels its context once n bytes have been read: a client who
// gives up in the middle of an upload.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
