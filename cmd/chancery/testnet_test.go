package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web/keyring"
)

// testnet writes N homes that form one chain: the same genesis naming every
// validator with equal power, each node peering with all the others on its
// own ports, and the same users in every keyring, so a token or password
// works on any node.
func TestTestnet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	code, out, stderr := runCLI(t, "testnet", "--validators", "4", "--out", dir, "--demo", "--chain-id", "net-1",
		"--base-port", "40000", "--http-port", "41000")
	if code != 0 {
		t.Fatalf("testnet: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `4 validator homes for chain "net-1"`) {
		t.Errorf("output: %s", out)
	}
	homes := make([]string, 4)
	for i := range homes {
		homes[i] = filepath.Join(dir, fmt.Sprintf("node%d", i))
	}

	genesis := readFile(t, filepath.Join(homes[0], node.GenesisFile))
	doc, err := types.GenesisDocFromJSON(genesis)
	if err != nil {
		t.Fatal(err)
	}
	if doc.ChainID != "net-1" || len(doc.Validators) != 4 {
		t.Fatalf("genesis: chain %q with %d validators, want net-1 with 4", doc.ChainID, len(doc.Validators))
	}
	ids := make([]string, 4)
	for i, home := range homes {
		if got := readFile(t, filepath.Join(home, node.GenesisFile)); !bytes.Equal(got, genesis) {
			t.Errorf("node%d has another genesis than node0", i)
		}
		v, err := node.LoadValidator(home)
		if err != nil {
			t.Fatal(err)
		}
		gv := doc.Validators[i]
		if !bytes.Equal(gv.PubKey.Bytes(), v.PubKey[:]) || gv.Power != node.DefaultValidatorPower || gv.Name != fmt.Sprintf("node%d", i) {
			t.Errorf("genesis validator %d = %s %X power %d, want node%d's key with power %d", i, gv.Name, gv.PubKey.Bytes(), gv.Power, i, node.DefaultValidatorPower)
		}
		if ids[i], err = node.NodeID(home); err != nil {
			t.Fatal(err)
		}
		// Every home passes start's checks as a validator.
		if err := node.CheckHome(home); err != nil {
			t.Errorf("node%d: %v", i, err)
		}
		if err := node.CheckChain(home, false); err != nil {
			t.Errorf("node%d: %v", i, err)
		}
	}
	if !strings.Contains(string(doc.AppState), `"notary"`) {
		t.Error("demo users are missing from genesis")
	}

	for i, home := range homes {
		cfg, err := loadConfig(home)
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("node%d config: %v", i, err)
		}
		if want := fmt.Sprintf("127.0.0.1:%d", 41000+i); cfg.HTTP.Addr != want {
			t.Errorf("node%d http.addr = %s, want %s", i, cfg.HTTP.Addr, want)
		}
		if want := fmt.Sprintf("tcp://127.0.0.1:%d", 40000+i); cfg.Node.P2PListen != want {
			t.Errorf("node%d p2p_listen = %s, want %s", i, cfg.Node.P2PListen, want)
		}
		if cfg.Node.Moniker != fmt.Sprintf("node%d", i) {
			t.Errorf("node%d moniker = %s", i, cfg.Node.Moniker)
		}
		var want []string
		for j := range homes {
			if j != i {
				want = append(want, fmt.Sprintf("%s@127.0.0.1:%d", ids[j], 40000+j))
			}
		}
		if got := cfg.Node.PersistentPeers; got != strings.Join(want, ",") {
			t.Errorf("node%d persistent_peers = %s, want %s", i, got, strings.Join(want, ","))
		}
	}

	// One users file for the whole testnet; its credentials open every keyring.
	users := readFile(t, filepath.Join(homes[0], demoUsersFile))
	for _, home := range homes[1:] {
		if !bytes.Equal(readFile(t, filepath.Join(home, demoUsersFile)), users) ||
			!bytes.Equal(readFile(t, filepath.Join(home, adminTokenFile)), readFile(t, filepath.Join(homes[0], adminTokenFile))) {
			t.Errorf("%s has other credentials than node0", home)
		}
		st, err := os.Stat(filepath.Join(home, demoUsersFile))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", demoUsersFile, err, st.Mode().Perm())
		}
	}
	notary := demoCredentials(t, users, "notary")
	kr, err := keyring.Open(filepath.Join(homes[3], keyringDir), keyring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kr.Close()
	u, key, err := kr.AuthenticateToken(notary.token)
	if err != nil || u.Username != "notary" || u.Org != "notary" {
		t.Fatalf("notary's token on node3: %v %+v", err, u)
	}
	if _, key2, err := kr.Login("notary", notary.password); err != nil || !key.Equal(key2) {
		t.Fatalf("notary's password on node3: %v", err)
	}
	if !strings.Contains(string(doc.AppState), u.PubKey.String()) {
		t.Errorf("notary's key %s in node3's keyring is not the one in genesis", u.PubKey)
	}
}

// With --docker, node i is reached as host node<i> at the same ports as every
// other node, and listens on all interfaces; --s3-endpoint points the blob
// store at an S3 server.
func TestTestnetDocker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	if code, _, stderr := runCLI(t, "testnet", "--validators", "3", "--out", dir, "--docker", "--s3-endpoint", "minio:9000"); code != 0 {
		t.Fatalf("testnet: %s", stderr)
	}
	for i := range 3 {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		cfg, err := loadConfig(home)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.HTTP.Addr != "0.0.0.0:8080" || cfg.Node.P2PListen != "tcp://0.0.0.0:26656" {
			t.Errorf("node%d listens on %s and %s, want 0.0.0.0:8080 and tcp://0.0.0.0:26656", i, cfg.HTTP.Addr, cfg.Node.P2PListen)
		}
		for j := range 3 {
			if hasPeer := strings.Contains(cfg.Node.PersistentPeers, fmt.Sprintf("@node%d:26656", j)); hasPeer == (i == j) {
				t.Errorf("node%d persistent_peers %q: peer node%d listed = %v", i, cfg.Node.PersistentPeers, j, hasPeer)
			}
		}
		s3 := cfg.Storage.S3
		if cfg.Storage.Backend != storage.BackendS3 || s3.Endpoint != "minio:9000" || s3.TLS || !s3.PathStyle || s3.Bucket != "chancery" {
			t.Errorf("node%d storage = %+v", i, cfg.Storage)
		}
		if _, err := os.Stat(filepath.Join(home, demoUsersFile)); err == nil {
			t.Errorf("node%d has demo users without --demo", i)
		}
	}
}

func TestTestnetRefusesBadInput(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "keep"), []byte("x"), 0o600)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--validators", "4"}, 2, "--out is required"},
		{[]string{"--out", t.TempDir(), "--validators", "0"}, 2, "--validators must be between"},
		{[]string{"--out", t.TempDir(), "--base-port", "65534"}, 2, "--base-port"},
		{[]string{"--out", t.TempDir(), "--base-port", "8080"}, 2, "overlapping"},
		{[]string{"--out", full}, 1, "is not empty"},
	}
	for _, tc := range cases {
		code, _, stderr := runCLI(t, append([]string{"testnet"}, tc.args...)...)
		if code != tc.code || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("testnet %v: exit %d, stderr %q; want %d and one line with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("testnet wrote into a non-empty directory: %v", entries)
	}
}

type demoCred struct{ password, token string }

// demoCredentials finds a user's line in demo-users.txt.
func demoCredentials(t *testing.T, file []byte, username string) demoCred {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == username {
			return demoCred{password: f[1], token: f[3]}
		}
	}
	t.Fatalf("%s is not in %s", username, demoUsersFile)
	return demoCred{}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
