package s3

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage"
)

const (
	// PartSize is how much of a Put's input is held in memory: one part.
	PartSize = 16 << 20
	// StaleAfter is the age past which Open deletes temporary objects and
	// unfinished uploads under tmp/. Another node may share the bucket and be
	// uploading, so only what no Put can still be using goes.
	StaleAfter = 24 * time.Hour
	// cleanupTimeout bounds deleting a temporary object after its Put's
	// context has ended.
	cleanupTimeout = 30 * time.Second
)

// Store is a storage.BlobStore in an S3 bucket.
type Store struct {
	client  *minio.Client
	probe   *minio.Client // without retries, so Ready answers quickly
	bucket  string
	region  string
	maxSize int64
	// tempKey names a Put's temporary object. A test fixes it to find the
	// upload, because MinIO lists unfinished uploads by exact key only.
	tempKey func() string
}

var _ storage.BlobStore = (*Store)(nil)

// Open connects to the server, creates the bucket if it is absent and deletes
// stale temporary objects. Puts larger than maxSize bytes fail with
// storage.ErrTooLarge. A server that cannot be reached is
// storage.ErrUnavailable.
func Open(ctx context.Context, cfg storage.S3Config, maxSize int64) (*Store, error) {
	s, err := newStore(cfg, maxSize)
	if err != nil {
		return nil, err
	}
	if err := s.ensureBucket(ctx); err != nil {
		return nil, err
	}
	if err := s.sweep(ctx, time.Now().Add(-StaleAfter)); err != nil {
		return nil, err
	}
	return s, nil
}

// newStore builds the clients without contacting the server.
func newStore(cfg storage.S3Config, maxSize int64) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if maxSize <= 0 || maxSize > storage.S3MaxSize {
		return nil, storage.ErrBadConfig.Withf("s3: max size must be between 1 and %d bytes, got %d", storage.S3MaxSize, maxSize)
	}
	s := &Store{
		bucket:  cfg.Bucket,
		region:  cfg.Region,
		maxSize: maxSize,
		tempKey: func() string { return storage.TempDir + "/" + rand.Text() },
	}
	var err error
	if s.client, err = newClient(cfg, 0); err != nil {
		return nil, err
	}
	if s.probe, err = newClient(cfg, 1); err != nil {
		return nil, err
	}
	return s, nil
}

// newClient makes a client; maxRetries 0 keeps minio-go's default, which
// rides out brief outages in the middle of an upload.
func newClient(cfg storage.S3Config, maxRetries int) (*minio.Client, error) {
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       cfg.TLS,
		Region:       cfg.Region,
		BucketLookup: lookup,
		MaxRetries:   maxRetries,
	})
	if err != nil {
		return nil, storage.ErrBadConfig.Withf("s3: endpoint %q: %v", cfg.Endpoint, err)
	}
	return c, nil
}

func (s *Store) ensureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return classify(ctx, fmt.Errorf("s3: check bucket %s: %w", s.bucket, err))
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	// Another node sharing the bucket may have created it meanwhile.
	if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
		return classify(ctx, fmt.Errorf("s3: create bucket %s: %w", s.bucket, err))
	}
	return nil
}

func (s *Store) Put(ctx context.Context, r io.Reader, opts storage.PutOptions) (storage.Blob, error) {
	temp := s.tempKey()
	hr := storage.NewHashingReader(ctx, r, s.maxSize)
	// Size -1 makes minio-go stream: it reads and sends one part at a time,
	// and aborts the multipart upload if anything fails.
	_, err := s.client.PutObject(ctx, s.bucket, temp, hr, -1, minio.PutObjectOptions{
		PartSize:    PartSize,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		if rerr := hr.Err(); rerr != nil {
			return storage.Blob{}, rerr
		}
		return storage.Blob{}, classify(ctx, fmt.Errorf("s3: upload %s: %w", temp, err))
	}
	// Whatever happens next, the temporary object has served its purpose.
	// Failing to delete it is not reported: the blob, if stored, is safe,
	// and Open's sweep removes the leftover.
	defer s.remove(ctx, temp)

	blob, err := hr.Finish(opts.ExpectSHA256)
	if err != nil {
		return storage.Blob{}, err
	}
	if err := s.moveIntoPlace(ctx, temp, blob.SHA256); err != nil {
		return storage.Blob{}, err
	}
	return blob, nil
}

// moveIntoPlace copies the uploaded temp object to the blob's name, unless
// the same content is stored already.
func (s *Store) moveIntoPlace(ctx context.Context, temp string, h chain.Hash) error {
	_, err := s.Stat(ctx, h)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	_, err = s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: storage.Key(h)},
		minio.CopySrcOptions{Bucket: s.bucket, Object: temp})
	if err != nil {
		return classify(ctx, fmt.Errorf("s3: copy %s to blob %s: %w", temp, h, err))
	}
	return nil
}

// remove deletes a temporary object even after ctx has ended: a cancelled
// Put must not leave it behind.
func (s *Store) remove(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
}

func (s *Store) Get(ctx context.Context, h chain.Hash) (io.ReadCloser, storage.Blob, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, storage.Key(h), minio.GetObjectOptions{})
	if err != nil {
		return nil, storage.Blob{}, s.objectErr(ctx, h, err)
	}
	// GetObject sends its request on first use; Stat makes a missing blob
	// fail here rather than at the caller's first Read.
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, storage.Blob{}, s.objectErr(ctx, h, err)
	}
	return obj, storage.Blob{SHA256: h, Size: info.Size}, nil
}

func (s *Store) Stat(ctx context.Context, h chain.Hash) (storage.Blob, error) {
	info, err := s.client.StatObject(ctx, s.bucket, storage.Key(h), minio.StatObjectOptions{})
	if err != nil {
		return storage.Blob{}, s.objectErr(ctx, h, err)
	}
	return storage.Blob{SHA256: h, Size: info.Size}, nil
}

// Ready checks that the bucket answers, trying once.
func (s *Store) Ready(ctx context.Context) error {
	exists, err := s.probe.BucketExists(ctx, s.bucket)
	if err != nil {
		return storage.Unavailable(fmt.Errorf("s3: check bucket %s: %w", s.bucket, err))
	}
	if !exists {
		return storage.Unavailable(fmt.Errorf("s3: bucket %s does not exist", s.bucket))
	}
	return nil
}

// Temps lists temporary objects and unfinished uploads under tmp/, for
// tests that check a failed Put cleans up. On MinIO it sees no unfinished
// uploads; see sweep.
func (s *Store) Temps(ctx context.Context) ([]string, error) {
	var names []string
	err := s.eachTemp(ctx, func(key string, _ time.Time, _ bool) error {
		names = append(names, key)
		return nil
	})
	return names, err
}

// sweep deletes temporary objects and aborts unfinished uploads under tmp/
// last touched before cutoff: what crashed Puts left behind. MinIO lists
// unfinished uploads only by exact key, so there the sweep finds none; MinIO
// deletes them itself once stale (api stale_uploads_expiry, 24h by default).
func (s *Store) sweep(ctx context.Context, cutoff time.Time) error {
	return s.eachTemp(ctx, func(key string, modified time.Time, upload bool) error {
		if modified.After(cutoff) {
			return nil
		}
		var err error
		if upload {
			err = s.client.RemoveIncompleteUpload(ctx, s.bucket, key)
		} else {
			err = s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
		}
		if err != nil {
			return classify(ctx, fmt.Errorf("s3: delete stale %s: %w", key, err))
		}
		return nil
	})
}

// eachTemp calls fn for every object and unfinished multipart upload under
// tmp/, stopping at the first error.
func (s *Store) eachTemp(ctx context.Context, fn func(key string, modified time.Time, upload bool) error) error {
	ctx, cancel := context.WithCancel(ctx) // stops the listings if fn fails
	defer cancel()
	prefix := storage.TempDir + "/"
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return classify(ctx, fmt.Errorf("s3: list temporary objects: %w", obj.Err))
		}
		if err := fn(obj.Key, obj.LastModified, false); err != nil {
			return err
		}
	}
	for up := range s.client.ListIncompleteUploads(ctx, s.bucket, prefix, true) {
		if up.Err != nil {
			return classify(ctx, fmt.Errorf("s3: list unfinished uploads: %w", up.Err))
		}
		if err := fn(up.Key, up.Initiated, true); err != nil {
			return err
		}
	}
	return nil
}

// objectErr reports a failed request about blob h.
func (s *Store) objectErr(ctx context.Context, h chain.Hash, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		// A HEAD of a key answers NoSuchKey also when the bucket is gone;
		// every blob would then look lost, where the store is.
		if exists, berr := s.client.BucketExists(ctx, s.bucket); berr == nil && !exists {
			return storage.Unavailable(fmt.Errorf("s3: bucket %s does not exist", s.bucket))
		}
		return storage.NotFound(h)
	}
	return classify(ctx, fmt.Errorf("s3: blob %s: %w", h, err))
}

// classify marks err, a failed request, as storage.ErrUnavailable when the
// server gave no usable answer (no response at all, or a server-side fault)
// or the bucket is gone. The caller's own cancellation is not an outage and
// stays as it is, as do refusals such as a denied access, which retrying
// will not mend.
func classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || resp.StatusCode >= 500 || resp.Code == minio.NoSuchBucket {
		return storage.Unavailable(err)
	}
	return err
}
