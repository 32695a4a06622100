package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage"
)

// Store is a storage.BlobStore in a directory.
type Store struct {
	blobs   string // <dir>/sha256
	temp    string // <dir>/tmp
	maxSize int64
}

var _ storage.BlobStore = (*Store)(nil)

// Open uses dir, creating it if needed, and removes what an earlier process
// left in its tmp/. Puts larger than maxSize bytes fail with
// storage.ErrTooLarge.
func Open(dir string, maxSize int64) (*Store, error) {
	if maxSize <= 0 {
		return nil, storage.ErrBadConfig.Withf("fs: max size must be positive, got %d", maxSize)
	}
	s := &Store{
		blobs:   filepath.Join(dir, storage.BlobDir),
		temp:    filepath.Join(dir, storage.TempDir),
		maxSize: maxSize,
	}
	for _, d := range []string{s.blobs, s.temp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("fs: open blob store: %w", err)
		}
	}
	// Only the store's own leftovers go: a dir set wrong ("/", say) must
	// not cost anyone else's tmp/.
	leftovers, err := filepath.Glob(filepath.Join(s.temp, tempPattern))
	if err != nil {
		return nil, fmt.Errorf("fs: find leftover temp files: %w", err)
	}
	for _, f := range leftovers {
		if err := os.Remove(f); err != nil {
			return nil, fmt.Errorf("fs: remove leftover temp files: %w", err)
		}
	}
	return s, nil
}

// tempPattern names the temporary file of a Put (os.CreateTemp's pattern).
const tempPattern = "put-*"

func (s *Store) Put(ctx context.Context, r io.Reader, opts storage.PutOptions) (storage.Blob, error) {
	f, err := os.CreateTemp(s.temp, tempPattern)
	if err != nil {
		return storage.Blob{}, diskErr(fmt.Errorf("fs: create temp file: %w", err))
	}
	blob, err := s.write(ctx, f, r, opts)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return storage.Blob{}, diskErr(err)
	}
	return blob, nil
}

// diskErr marks a full, over-quota or read-only disk as the store being
// unavailable (503, and retry later), not as a fault of the node's own.
func diskErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EROFS) {
		return storage.Unavailable(err)
	}
	return err
}

// write fills f from r and moves it to the blob's name. On error the caller
// removes f; on success f is closed and has become the blob.
func (s *Store) write(ctx context.Context, f *os.File, r io.Reader, opts storage.PutOptions) (storage.Blob, error) {
	hr := storage.NewHashingReader(ctx, r, s.maxSize)
	if _, err := io.Copy(f, hr); err != nil {
		if rerr := hr.Err(); rerr != nil {
			return storage.Blob{}, rerr
		}
		return storage.Blob{}, fmt.Errorf("fs: write temp file: %w", err)
	}
	blob, err := hr.Finish(opts.ExpectSHA256)
	if err != nil {
		return storage.Blob{}, err
	}
	// The content must be on disk before a name promises it.
	if err := f.Sync(); err != nil {
		return storage.Blob{}, fmt.Errorf("fs: sync temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return storage.Blob{}, fmt.Errorf("fs: close temp file: %w", err)
	}
	// Renaming over an existing blob is safe: the content is the same, the
	// replacement is atomic and readers of the old file keep reading it.
	if err := os.Rename(f.Name(), s.path(blob.SHA256)); err != nil {
		return storage.Blob{}, fmt.Errorf("fs: move blob %s into place: %w", blob.SHA256, err)
	}
	// A rename survives a crash only once its directory is synced. The
	// blob's file is in place already, so a failure here leaves nothing to
	// remove, only a Put to report as failed.
	if err := syncDir(s.blobs); err != nil {
		return storage.Blob{}, fmt.Errorf("fs: sync blob directory: %w", err)
	}
	return blob, nil
}

func (s *Store) Get(ctx context.Context, h chain.Hash) (io.ReadCloser, storage.Blob, error) {
	if err := ctx.Err(); err != nil {
		return nil, storage.Blob{}, err
	}
	f, err := os.Open(s.path(h))
	if err != nil {
		return nil, storage.Blob{}, s.statErr(h, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, storage.Blob{}, fmt.Errorf("fs: stat blob %s: %w", h, err)
	}
	return f, storage.Blob{SHA256: h, Size: info.Size()}, nil
}

func (s *Store) Stat(ctx context.Context, h chain.Hash) (storage.Blob, error) {
	if err := ctx.Err(); err != nil {
		return storage.Blob{}, err
	}
	info, err := os.Stat(s.path(h))
	if err != nil {
		return storage.Blob{}, s.statErr(h, err)
	}
	return storage.Blob{SHA256: h, Size: info.Size()}, nil
}

// Ready creates and removes a file in tmp/: a directory that is gone, full
// or read-only fails here rather than in the next upload.
func (s *Store) Ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.temp, "ready-*")
	if err != nil {
		return storage.Unavailable(fmt.Errorf("fs: %w", err))
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return storage.Unavailable(fmt.Errorf("fs: %w", err))
	}
	if _, err := os.Stat(s.blobs); err != nil {
		return storage.Unavailable(fmt.Errorf("fs: %w", err))
	}
	return nil
}

// Temps lists the files in tmp/, for tests that check a failed Put cleans up.
func (s *Store) Temps(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(s.temp)
	if err != nil {
		return nil, fmt.Errorf("fs: list temp files: %w", err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

func (s *Store) path(h chain.Hash) string { return filepath.Join(s.blobs, h.String()) }

func (s *Store) statErr(h chain.Hash, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return storage.NotFound(h)
	}
	return fmt.Errorf("fs: blob %s: %w", h, err)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
