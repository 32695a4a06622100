package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/chancery/chancery/chain"
)

// HashingReader is what a backend reads a Put's input through. It hashes and
// counts the bytes that pass, fails once more than the size limit has been
// read or the context is cancelled, and remembers its first failure, so that
// every backend enforces the same rules and reports them with the same codes
// however its own I/O wraps the error.
type HashingReader struct {
	ctx   context.Context
	src   io.Reader
	sum   hash.Hash
	n     int64
	limit int64
	err   error
}

// NewHashingReader reads src for a Put limited to limit bytes (> 0).
func NewHashingReader(ctx context.Context, src io.Reader, limit int64) *HashingReader {
	return &HashingReader{ctx: ctx, src: src, sum: sha256.New(), limit: limit}
}

func (r *HashingReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	// Checked on every read so a cancelled upload stops within one buffer,
	// even when the source itself never blocks.
	if err := r.ctx.Err(); err != nil {
		return 0, r.fail(err)
	}
	// Reading at most one byte past the limit tells an input of exactly
	// limit bytes from a longer one without reading on.
	if room := r.limit + 1 - r.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := r.src.Read(p)
	r.sum.Write(p[:n])
	r.n += int64(n)
	switch {
	case r.n > r.limit:
		return n, r.fail(ErrTooLarge.Withf("blob exceeds the size limit of %d bytes", r.limit))
	case err != nil && !errors.Is(err, io.EOF):
		// The input's failure, not the store's: a 4xx, with the cause kept.
		return n, r.fail(fmt.Errorf("%w: %w", ErrBadInput, err))
	}
	return n, err
}

func (r *HashingReader) fail(err error) error {
	r.err = err
	return err
}

// Err returns why reading failed, or nil. A backend whose copy failed returns
// this error when set: the failure was the input's, not the backend's.
func (r *HashingReader) Err() error { return r.err }

// Finish is called once the input has been read to EOF, before the temporary
// copy is moved into place. It returns the blob, or the reason it must not be
// stored: a read failure, a cancelled context or a hash mismatch.
func (r *HashingReader) Finish(expect chain.Hash) (Blob, error) {
	if r.err != nil {
		return Blob{}, r.err
	}
	if err := r.ctx.Err(); err != nil {
		return Blob{}, err
	}
	var b Blob
	r.sum.Sum(b.SHA256[:0])
	b.Size = r.n
	if !expect.IsZero() && expect != b.SHA256 {
		return Blob{}, ErrHashMismatch.Withf("content has SHA-256 %s, expected %s", b.SHA256, expect)
	}
	return b, nil
}
