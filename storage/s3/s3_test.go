package s3_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/storage/s3"
	"github.com/chancery/chancery/storage/s3/miniotest"
	"github.com/chancery/chancery/storage/storagetest"
)

// TestMinIO runs against one real MinIO server, a new bucket for each test.
func TestMinIO(t *testing.T) {
	endpoint, accessKey, secretKey := miniotest.Start(t)
	buckets := 0
	config := func() storage.S3Config {
		buckets++
		return storage.S3Config{
			Endpoint:  endpoint,
			Bucket:    fmt.Sprintf("test-%d", buckets),
			AccessKey: accessKey,
			SecretKey: secretKey,
			Region:    "us-east-1",
			PathStyle: true,
		}
	}

	t.Run("conformance", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.BlobStore {
			return open(t, config())
		})
	})

	t.Run("open creates the bucket once", func(t *testing.T) {
		cfg := config()
		client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
		if err != nil {
			t.Fatal(err)
		}
		s := open(t, cfg)
		blob, err := s.Put(t.Context(), strings.NewReader("kept"), storage.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if exists, err := client.BucketExists(t.Context(), cfg.Bucket); err != nil || !exists {
			t.Fatalf("after Open, bucket %s exists = %v (err %v)", cfg.Bucket, exists, err)
		}
		// Opening again finds the bucket and its blobs as they were.
		if got, err := open(t, cfg).Stat(t.Context(), blob.SHA256); err != nil || got != blob {
			t.Errorf("Stat after reopening = %+v, %v; want %+v", got, err, blob)
		}
		if _, err := client.StatObject(t.Context(), cfg.Bucket, storage.Key(blob.SHA256), minio.StatObjectOptions{}); err != nil {
			t.Errorf("blob is not at %s: %v", storage.Key(blob.SHA256), err)
		}
	})

	// A bucket deleted under a running node makes the store unavailable,
	// not every blob lost.
	t.Run("bucket gone", func(t *testing.T) {
		cfg := config()
		client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
		if err != nil {
			t.Fatal(err)
		}
		s := open(t, cfg)
		if err := client.RemoveBucket(t.Context(), cfg.Bucket); err != nil {
			t.Fatal(err)
		}
		missing := storage.Key(chain.SumHash([]byte("never stored")))
		_, err = s.Stat(t.Context(), chain.SumHash([]byte("never stored")))
		if !errors.Is(err, storage.ErrUnavailable) || errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Stat of %s with the bucket gone: %v, want storage unavailable", missing, err)
		}
		if _, err := s.Put(t.Context(), strings.NewReader("new"), storage.PutOptions{}); !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("Put with the bucket gone: %v, want storage unavailable", err)
		}
	})
}

func open(t *testing.T, cfg storage.S3Config) *s3.Store {
	t.Helper()
	s, err := s3.Open(t.Context(), cfg, storagetest.MaxSize)
	if err != nil {
		t.Fatalf("open bucket %s: %v", cfg.Bucket, err)
	}
	return s
}
