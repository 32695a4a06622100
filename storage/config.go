package storage

import "strings"

// Backends a Config can name.
const (
	BackendFS = "fs"
	BackendS3 = "s3"
)

const (
	// DefaultMaxSize is the default limit on a blob's size: 1 GiB.
	DefaultMaxSize int64 = 1 << 30
	// S3MaxSize caps MaxSize for the s3 backend: it moves a finished upload to
	// its name with one server-side copy, which S3 allows up to 5 GiB.
	S3MaxSize int64 = 5 << 30
)

// Config selects and configures the blob store. cmd/chancery opens the store
// it names; this package imports no backend.
type Config struct {
	Backend string   `toml:"backend"`  // BackendFS or BackendS3
	Dir     string   `toml:"dir"`      // fs: the blob directory; a relative path is under the node home
	MaxSize int64    `toml:"max_size"` // bytes; larger Puts fail with ErrTooLarge
	S3      S3Config `toml:"s3"`
}

// S3Config reaches an S3-compatible server such as MinIO.
type S3Config struct {
	Endpoint  string `toml:"endpoint"` // host[:port], no scheme: TLS says which
	Bucket    string `toml:"bucket"`   // created on open if absent
	AccessKey string `toml:"access_key"`
	SecretKey string `toml:"secret_key"`
	Region    string `toml:"region"`
	TLS       bool   `toml:"tls"`
	// PathStyle forces bucket-in-path URLs (host/bucket/key). Off, the client
	// chooses: virtual-hosted for AWS, path style for other servers.
	PathStyle bool `toml:"path_style"`
}

// DefaultConfig stores blobs on the local filesystem, under the node home.
func DefaultConfig() Config {
	return Config{
		Backend: BackendFS,
		Dir:     "blobs",
		MaxSize: DefaultMaxSize,
		S3: S3Config{
			Bucket: "chancery",
			Region: "us-east-1",
			TLS:    true,
		},
	}
}

// Validate reports the first bad value in one line, naming its key.
func (c Config) Validate() error {
	if c.MaxSize <= 0 {
		return ErrBadConfig.Withf("storage.max_size must be positive, got %d", c.MaxSize)
	}
	switch c.Backend {
	case BackendFS:
		if c.Dir == "" {
			return ErrBadConfig.Withf("storage.dir must be set for the fs backend")
		}
		return nil
	case BackendS3:
		if c.MaxSize > S3MaxSize {
			return ErrBadConfig.Withf("storage.max_size must be at most %d bytes (5 GiB) for the s3 backend, got %d", S3MaxSize, c.MaxSize)
		}
		return c.S3.Validate()
	default:
		return ErrBadConfig.Withf("storage.backend must be %q or %q, got %q", BackendFS, BackendS3, c.Backend)
	}
}

// Validate checks the settings the s3 backend needs.
func (c S3Config) Validate() error {
	for _, f := range []struct{ key, value string }{
		{"endpoint", c.Endpoint},
		{"bucket", c.Bucket},
		{"access_key", c.AccessKey},
		{"secret_key", c.SecretKey},
	} {
		if f.value == "" {
			return ErrBadConfig.Withf("storage.s3.%s must be set for the s3 backend", f.key)
		}
	}
	if strings.Contains(c.Endpoint, "://") {
		return ErrBadConfig.Withf("storage.s3.endpoint must be host[:port] without a scheme (set storage.s3.tls for https), got %q", c.Endpoint)
	}
	if !validBucket(c.Bucket) {
		return ErrBadConfig.Withf("storage.s3.bucket must be 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit, got %q", c.Bucket)
	}
	return nil
}

// validBucket applies S3's bucket naming rules, so a typo stops start-up here
// rather than as an opaque error from the server.
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		edge := i == 0 || i == len(name)-1
		if !alnum && (edge || c != '.' && c != '-') {
			return false
		}
	}
	return true
}
