package storage

import (
	"context"
	"io"

	"github.com/chancery/chancery/chain"
)

// BlobStore keeps blobs by the SHA-256 of their content. Implementations are
// safe for concurrent use.
type BlobStore interface {
	// Put stores everything read from r and returns its hash and size. It
	// streams: memory use does not grow with the size of the input. Content
	// that is already stored yields the same Blob and no error. A Put that
	// fails (too large, hash mismatch, cancelled, backend error) stores
	// nothing.
	Put(ctx context.Context, r io.Reader, opts PutOptions) (Blob, error)
	// Get opens a stored blob; the caller closes the reader. A missing blob
	// is ErrNotFound.
	Get(ctx context.Context, hash chain.Hash) (io.ReadCloser, Blob, error)
	// Stat reports a stored blob's size, or ErrNotFound.
	Stat(ctx context.Context, hash chain.Hash) (Blob, error)
	// Ready reports whether the store can serve requests now, for /readyz:
	// nil, or ErrUnavailable with the reason.
	Ready(ctx context.Context) error
}

// Blob names stored content.
type Blob struct {
	SHA256 chain.Hash
	Size   int64
}

// PutOptions tune a Put.
type PutOptions struct {
	// ExpectSHA256, when not zero, is the hash the caller already knows (a
	// browser hashes a file before uploading it). Content that hashes
	// differently fails with ErrHashMismatch and is not stored.
	ExpectSHA256 chain.Hash
}

// The layout every store uses, so a blob has the same name whichever backend
// holds it and an operator can move blobs between them with ordinary tools.
const (
	// BlobDir holds the blobs, each named by its lowercase hex SHA-256.
	BlobDir = "sha256"
	// TempDir holds the inputs of Puts in progress. Nothing in it is a blob:
	// a leftover from a crash may be partial and is removed, never read.
	TempDir = "tmp"
)

// Key returns where a blob with hash h is stored: "sha256/<hex>".
func Key(h chain.Hash) string { return BlobDir + "/" + h.String() }
