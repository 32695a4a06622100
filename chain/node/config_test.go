package node

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	c := DefaultConfig()
	c.Home = "/tmp/chancery-test"
	return c
}

func TestConfigValidate(t *testing.T) {
	peer := strings.Repeat("ab", 20) + "@node1:26656"
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string // substring; "" means valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"rpc on", func(c *Config) { c.RPCListen = "tcp://127.0.0.1:26657" }, ""},
		{"rpc unix", func(c *Config) { c.RPCListen = "unix:///tmp/rpc.sock" }, ""},
		{"pprof on", func(c *Config) { c.PprofListen = "127.0.0.1:6060" }, ""},
		{"pprof localhost", func(c *Config) { c.PprofListen = "localhost:6060" }, ""},
		{"pprof ipv6 loopback", func(c *Config) { c.PprofListen = "[::1]:6060" }, ""},
		{"peers", func(c *Config) { c.PersistentPeers = peer + ", " + peer }, ""},
		{"limits", func(c *Config) {
			c.TimeoutCommit, c.MempoolSize, c.MempoolCacheSize = MinTimeoutCommit, MinMempoolSize, MinMempoolSize
		}, ""},
		{"no home", func(c *Config) { c.Home = "" }, "home:"},
		{"empty moniker", func(c *Config) { c.Moniker = " " }, "moniker:"},
		{"moniker tab", func(c *Config) { c.Moniker = "a\tb" }, "moniker:"},
		{"p2p no scheme", func(c *Config) { c.P2PListen = "127.0.0.1:26656" }, "p2p_listen:"},
		{"p2p no port", func(c *Config) { c.P2PListen = "tcp://127.0.0.1" }, "p2p_listen:"},
		{"p2p bad port", func(c *Config) { c.P2PListen = "tcp://127.0.0.1:70000" }, "p2p_listen:"},
		{"rpc bad", func(c *Config) { c.RPCListen = "http://x:1" }, "rpc_listen:"},
		{"pprof all interfaces", func(c *Config) { c.PprofListen = ":6060" }, "pprof_listen:"},
		{"pprof network address", func(c *Config) { c.PprofListen = "10.0.0.5:6060" }, "pprof_listen:"},
		{"pprof name", func(c *Config) { c.PprofListen = "node1:6060" }, "pprof_listen:"},
		{"pprof no port", func(c *Config) { c.PprofListen = "127.0.0.1" }, "pprof_listen:"},
		{"peer no id", func(c *Config) { c.PersistentPeers = "node1:26656" }, "persistent_peers:"},
		{"peer short id", func(c *Config) { c.PersistentPeers = "abcd@node1:26656" }, "persistent_peers:"},
		{"peer no port", func(c *Config) { c.PersistentPeers = strings.Repeat("ab", 20) + "@node1" }, "persistent_peers:"},
		{"timeout low", func(c *Config) { c.TimeoutCommit = 49 * time.Millisecond }, "timeout_commit:"},
		{"timeout high", func(c *Config) { c.TimeoutCommit = 11 * time.Second }, "timeout_commit:"},
		{"mempool small", func(c *Config) { c.MempoolSize = 999 }, "mempool_size:"},
		{"cache small", func(c *Config) { c.MempoolCacheSize = c.MempoolSize - 1 }, "mempool_cache_size:"},
		{"log level", func(c *Config) { c.CometLogLevel = "warn" }, "comet_log_level:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.edit(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want an error starting %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v does not match ErrInvalidConfig", err)
			}
		})
	}
}

func TestCometConfig(t *testing.T) {
	c := validConfig()
	c.PersistentPeers = " " + strings.Repeat("ab", 20) + "@node1:26656 ,"
	cc := CometConfig(c)
	if err := cc.ValidateBasic(); err != nil {
		t.Fatalf("ValidateBasic: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"root", cc.RootDir, c.Home},
		{"genesis", cc.GenesisFile(), c.Home + "/" + GenesisFile},
		{"pv key", cc.PrivValidatorKeyFile(), c.Home + "/" + PrivValidatorKeyFile},
		{"pv state", cc.PrivValidatorStateFile(), c.Home + "/" + PrivValidatorStateFile},
		{"node key", cc.NodeKeyFile(), c.Home + "/" + NodeKeyFile},
		{"indexer", cc.TxIndex.Indexer, "null"},
		{"db", cc.DBBackend, "goleveldb"},
		{"mempool size", cc.Mempool.Size, DefaultMempoolSize},
		{"mempool cache", cc.Mempool.CacheSize, DefaultMempoolCacheSize},
		{"recheck", cc.Mempool.Recheck, true},
		{"broadcast", cc.Mempool.Broadcast, true},
		{"timeout commit", cc.Consensus.TimeoutCommit, DefaultTimeoutCommit},
		{"empty blocks", cc.Consensus.CreateEmptyBlocks, true},
		{"empty interval", cc.Consensus.CreateEmptyBlocksInterval, time.Duration(0)},
		{"p2p", cc.P2P.ListenAddress, DefaultP2PListen},
		{"peers", cc.P2P.PersistentPeers, strings.Repeat("ab", 20) + "@node1:26656"},
		{"addr book strict", cc.P2P.AddrBookStrict, false},
		{"pex", cc.P2P.PexReactor, false},
		{"duplicate ip", cc.P2P.AllowDuplicateIP, true},
		{"rpc", cc.RPC.ListenAddress, ""},
		{"pprof", cc.RPC.PprofListenAddress, ""},
		{"prometheus", cc.Instrumentation.Prometheus, false},
		{"filter peers", cc.FilterPeers, false},
		{"keep abci responses", cc.Storage.DiscardABCIResponses, false},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}
