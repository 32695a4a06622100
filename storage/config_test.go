package storage_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chancery/chancery/storage"
)

func TestConfigValidate(t *testing.T) {
	s3 := func(edit func(c *storage.Config)) storage.Config {
		c := storage.DefaultConfig()
		c.Backend = storage.BackendS3
		c.S3.Endpoint = "minio:9000"
		c.S3.AccessKey = "chancery"
		c.S3.SecretKey = "chancery-secret"
		edit(&c)
		return c
	}
	tests := []struct {
		name    string
		config  storage.Config
		wantErr string // a part of the message; "" for valid
	}{
		{"default", storage.DefaultConfig(), ""},
		{"s3", s3(func(*storage.Config) {}), ""},
		{"unknown backend", func() storage.Config { c := storage.DefaultConfig(); c.Backend = "ftp"; return c }(), "storage.backend"},
		{"no dir", func() storage.Config { c := storage.DefaultConfig(); c.Dir = ""; return c }(), "storage.dir"},
		{"zero max size", func() storage.Config { c := storage.DefaultConfig(); c.MaxSize = 0; return c }(), "storage.max_size"},
		{"s3 max size over 5 GiB", s3(func(c *storage.Config) { c.MaxSize = storage.S3MaxSize + 1 }), "storage.max_size"},
		{"s3 no endpoint", s3(func(c *storage.Config) { c.S3.Endpoint = "" }), "storage.s3.endpoint"},
		{"s3 endpoint with scheme", s3(func(c *storage.Config) { c.S3.Endpoint = "http://minio:9000" }), "without a scheme"},
		{"s3 no secret key", s3(func(c *storage.Config) { c.S3.SecretKey = "" }), "storage.s3.secret_key"},
		{"s3 bucket with capitals", s3(func(c *storage.Config) { c.S3.Bucket = "Blobs" }), "storage.s3.bucket"},
		{"s3 bucket too short", s3(func(c *storage.Config) { c.S3.Bucket = "ab" }), "storage.s3.bucket"},
		{"s3 bucket ending in a hyphen", s3(func(c *storage.Config) { c.S3.Bucket = "blobs-" }), "storage.s3.bucket"},
		{"s3 bucket with dots", s3(func(c *storage.Config) { c.S3.Bucket = "org.chancery.blobs" }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.config.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, storage.ErrBadConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate: err = %v, want %s mentioning %q", err, storage.ErrBadConfig.Code, tt.wantErr)
			}
		})
	}
}
