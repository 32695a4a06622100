package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/s3/miniotest"
)

// What a failed or crashed Put leaves under tmp/ goes away and is never seen
// as a blob.
func TestLeftovers(t *testing.T) {
	endpoint, accessKey, secretKey := miniotest.Start(t)
	s, err := Open(t.Context(), storage.S3Config{
		Endpoint: endpoint, Bucket: "leftovers", AccessKey: accessKey, SecretKey: secretKey,
		Region: "us-east-1", PathStyle: true,
	}, 3*PartSize)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("cancelled put aborts its upload", func(t *testing.T) {
		const key = storage.TempDir + "/cancelled"
		s.tempKey = func() string { return key }
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		// Cancelled in the second part, once the first has been uploaded.
		src := io.MultiReader(
			bytes.NewReader(make([]byte, PartSize+1<<20)),
			readerFunc(func([]byte) (int, error) { cancel(); return 0, nil }),
			bytes.NewReader(make([]byte, PartSize)),
		)
		if _, err := s.Put(ctx, src, storage.PutOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("Put: err = %v, want context.Canceled", err)
		}
		for up := range s.client.ListIncompleteUploads(t.Context(), s.bucket, key, false) {
			t.Errorf("unfinished upload left: %+v", up)
		}
		if _, err := s.client.StatObject(t.Context(), s.bucket, key, minio.StatObjectOptions{}); minio.ToErrorResponse(err).Code != minio.NoSuchKey {
			t.Errorf("temporary object: StatObject err = %v, want NoSuchKey", err)
		}
	})

	t.Run("sweep removes stale temporary objects", func(t *testing.T) {
		const leftover = storage.TempDir + "/crashed"
		if _, err := s.client.PutObject(t.Context(), s.bucket, leftover, strings.NewReader("partial"), -1, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
		// Too recent for the sweep that Open runs: a Put may still use it.
		if err := s.sweep(t.Context(), time.Now().Add(-StaleAfter)); err != nil {
			t.Fatal(err)
		}
		if temps, err := s.Temps(t.Context()); err != nil || len(temps) != 1 {
			t.Fatalf("after sweeping stale leftovers only, Temps = %q, %v; want the recent one kept", temps, err)
		}
		if err := s.sweep(t.Context(), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if temps, err := s.Temps(t.Context()); err != nil || len(temps) != 0 {
			t.Errorf("after sweeping, Temps = %q, %v; want none", temps, err)
		}
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
