package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web"
)

// Config is everything `chancery start` needs. Values come from, in rising
// precedence: defaults, config/chancery.toml in the home, CHANCERY_*
// environment variables, and flags.
type Config struct {
	Home    string         `toml:"-"`
	Log     LogConfig      `toml:"log"`
	HTTP    web.Config     `toml:"http"`
	Node    node.Config    `toml:"node"`
	Storage storage.Config `toml:"storage"`

	// fromEnv names the variables that set values here, so that a bad one
	// is blamed on the variable rather than on the file.
	fromEnv []envVar
}

// LogConfig configures the process log.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text or json
}

// configFile is the config file's path relative to the home.
const configFile = "config/chancery.toml"

func defaultConfig(home string) Config {
	n := node.DefaultConfig()
	n.Home = home
	return Config{
		Home:    home,
		Log:     LogConfig{Level: "info", Format: "text"},
		HTTP:    web.DefaultConfig(),
		Node:    n,
		Storage: storage.DefaultConfig(),
	}
}

// Validate checks every section; the error names the bad setting.
func (c Config) Validate() error {
	err := c.validate()
	if err == nil {
		return nil
	}
	for _, ev := range c.fromEnv {
		if strings.Contains(err.Error(), ev.setting) {
			return fmt.Errorf("%w (set by %s)", err, ev.name)
		}
	}
	return err
}

func (c Config) validate() error {
	if err := c.Log.Validate(); err != nil {
		return err
	}
	if err := c.HTTP.Validate(); err != nil {
		return err
	}
	if err := c.Node.Validate(); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return c.Storage.Validate()
}

func (l LogConfig) Validate() error {
	if _, err := parseLevel(l.Level); err != nil {
		return err
	}
	if l.Format != "text" && l.Format != "json" {
		return fmt.Errorf("log.format %q: want text or json", l.Format)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log.level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// defaultHome is $CHANCERY_HOME, else ~/.chancery.
func defaultHome() string {
	if h := os.Getenv("CHANCERY_HOME"); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".chancery")
	}
	return ".chancery"
}

// loadConfig reads the config of home: defaults, then the file, then the
// environment. Flags are applied by the caller.
func loadConfig(home string) (Config, error) {
	cfg := defaultConfig(home)
	path := filepath.Join(home, configFile)
	md, err := toml.DecodeFile(path, &cfg)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// init and testnet write it with every default: a home without
		// it is damaged, and defaults could silently replace its ports,
		// peers or blob store.
		return cfg, fmt.Errorf("%s is missing: restore it from a backup, or from a home that chancery init writes (every default, commented)", path)
	case err != nil:
		return cfg, fmt.Errorf("%s: %s", path, oneLine(err.Error()))
	default:
		if undecoded := md.Undecoded(); len(undecoded) > 0 {
			return cfg, fmt.Errorf("%s: unknown setting %q", path, undecoded[0].String())
		}
	}
	cfg.Home, cfg.Node.Home = home, home
	if err := applyEnv(&cfg, os.LookupEnv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// envVar is a CHANCERY_* variable: the setting it overrides, as errors
// name it, and how.
type envVar struct {
	name, setting string
	set           func(c *Config, v string) error
}

// envVars maps each CHANCERY_* variable to the setting it overrides.
var envVars = []envVar{
	{"CHANCERY_LOG_LEVEL", "log.level", func(c *Config, v string) error { c.Log.Level = v; return nil }},
	{"CHANCERY_LOG_FORMAT", "log.format", func(c *Config, v string) error { c.Log.Format = v; return nil }},
	{"CHANCERY_HTTP_ADDR", "http.addr", func(c *Config, v string) error { c.HTTP.Addr = v; return nil }},
	{"CHANCERY_SUBMIT_WAIT", "http.submit_wait", func(c *Config, v string) error { return setDuration(&c.HTTP.SubmitWait, v) }},
	{"CHANCERY_MONIKER", "moniker", func(c *Config, v string) error { c.Node.Moniker = v; return nil }},
	{"CHANCERY_P2P_LISTEN", "p2p_listen", func(c *Config, v string) error { c.Node.P2PListen = v; return nil }},
	{"CHANCERY_RPC_LISTEN", "rpc_listen", func(c *Config, v string) error { c.Node.RPCListen = v; return nil }},
	{"CHANCERY_PPROF_LISTEN", "pprof_listen", func(c *Config, v string) error { c.Node.PprofListen = v; return nil }},
	{"CHANCERY_PERSISTENT_PEERS", "persistent_peers", func(c *Config, v string) error { c.Node.PersistentPeers = v; return nil }},
	{"CHANCERY_TIMEOUT_COMMIT", "timeout_commit", func(c *Config, v string) error { return setDuration(&c.Node.TimeoutCommit, v) }},
	{"CHANCERY_COMET_LOG_LEVEL", "comet_log_level", func(c *Config, v string) error { c.Node.CometLogLevel = v; return nil }},
	{"CHANCERY_FULL_NODE", "full_node", func(c *Config, v string) error { return setBool(&c.Node.FullNode, v) }},
	{"CHANCERY_STORAGE_BACKEND", "storage.backend", func(c *Config, v string) error { c.Storage.Backend = v; return nil }},
	{"CHANCERY_BLOB_MAX_SIZE", "storage.max_size", func(c *Config, v string) error { return setInt(&c.Storage.MaxSize, v) }},
	// Setting an S3 endpoint selects the S3 backend.
	{"CHANCERY_S3_ENDPOINT", "storage.s3.endpoint", func(c *Config, v string) error {
		c.Storage.S3.Endpoint, c.Storage.Backend = v, storage.BackendS3
		return nil
	}},
	{"CHANCERY_S3_BUCKET", "storage.s3.bucket", func(c *Config, v string) error { c.Storage.S3.Bucket = v; return nil }},
	{"CHANCERY_S3_ACCESS_KEY", "storage.s3.access_key", func(c *Config, v string) error { c.Storage.S3.AccessKey = v; return nil }},
	{"CHANCERY_S3_SECRET_KEY", "storage.s3.secret_key", func(c *Config, v string) error { c.Storage.S3.SecretKey = v; return nil }},
	{"CHANCERY_S3_REGION", "storage.s3.region", func(c *Config, v string) error { c.Storage.S3.Region = v; return nil }},
	{"CHANCERY_S3_TLS", "storage.s3.tls", func(c *Config, v string) error { return setBool(&c.Storage.S3.TLS, v) }},
	{"CHANCERY_S3_PATH_STYLE", "storage.s3.path_style", func(c *Config, v string) error { return setBool(&c.Storage.S3.PathStyle, v) }},
}

func applyEnv(c *Config, lookup func(string) (string, bool)) error {
	for _, ev := range envVars {
		if v, ok := lookup(ev.name); ok {
			if err := ev.set(c, v); err != nil {
				return fmt.Errorf("%s: %w", ev.name, err)
			}
			c.fromEnv = append(c.fromEnv, ev)
		}
	}
	return nil
}

func setDuration(dst *time.Duration, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is not a duration like 500ms or 10s", v)
	}
	*dst = d
	return nil
}

func setInt(dst *int64, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", v)
	}
	*dst = n
	return nil
}

func setBool(dst *bool, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%q is not true or false", v)
	}
	*dst = b
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// newLogger builds the process logger.
func newLogger(c LogConfig) *slog.Logger {
	level, _ := parseLevel(c.Level)
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// configTemplate is written by init: every setting with its default, so an
// operator sees what can be changed.
const configTemplate = `# Chancery node configuration. Precedence: flags > CHANCERY_* environment > this file > defaults.

[log]
level = "info"       # debug, info, warn, error
format = "text"      # text or json

[http]
addr = "127.0.0.1:8080"
body_limit = 8388608 # bytes, for requests other than file uploads
submit_wait = "10s"  # how long a write waits for its block before answering "pending"

[node]
moniker = "%s"
p2p_listen = "tcp://127.0.0.1:26656"
rpc_listen = ""      # CometBFT's RPC server; empty = off
pprof_listen = ""    # Go's profiler (/debug/pprof/), loopback host:port; empty = off
persistent_peers = ""
timeout_commit = "200ms"
mempool_size = 200000
mempool_cache_size = 400000
comet_log_level = "error" # debug, info, error, none
full_node = false    # true: follow the chain without voting (the validator key must not be in the set)

[storage]
backend = "fs"       # fs (files under the home) or s3 (S3-compatible, e.g. MinIO)
dir = "blobs"        # fs: relative to the home
max_size = 1073741824 # bytes per file

[storage.s3]         # or CHANCERY_S3_ENDPOINT, _BUCKET, _ACCESS_KEY, _SECRET_KEY
endpoint = ""        # host:port, no scheme
bucket = "chancery"
access_key = ""
secret_key = ""
region = "us-east-1"
tls = true
path_style = false
`
