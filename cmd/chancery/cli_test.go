package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs the command in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// initHome makes an initialised demo home once per test binary.
var demoHome string

func testHome(t *testing.T) string {
	t.Helper()
	if demoHome == "" {
		demoHome = filepath.Join(os.TempDir(), "chancery-cli-test-"+time.Now().Format("150405.000000"))
		if code, _, stderr := runCLI(t, "init", "--home", demoHome, "--demo"); code != 0 {
			t.Fatalf("init: %s", stderr)
		}
	}
	// Each test gets its own copy so that breaking files breaks only it.
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(demoHome)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoHome != "" {
		os.RemoveAll(demoHome)
	}
	os.Exit(code)
}

func TestInitWritesHome(t *testing.T) {
	home := filepath.Join(t.TempDir(), "h")
	code, out, stderr := runCLI(t, "init", "--home", home, "--chain-id", "test-1", "--demo")
	if code != 0 {
		t.Fatalf("init failed: %s", stderr)
	}
	if !strings.Contains(out, `chain "test-1"`) {
		t.Fatalf("init output: %s", out)
	}
	for _, f := range []string{"config/genesis.json", "config/chancery.toml", "config/priv_validator_key.json", adminTokenFile, adminPasswordFile, demoUsersFile} {
		st, err := os.Stat(filepath.Join(home, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f != "config/genesis.json" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	users, err := os.ReadFile(filepath.Join(home, demoUsersFile))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(users)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 || !strings.HasPrefix(fields[3], "chy_") || len(fields[1]) < 12 {
			t.Fatalf("bad demo-users line %q", line)
		}
		seen[fields[0]] = true
	}
	for _, u := range []string{"admin", "court", "notary", "author1", "author2", "arbiter", "core", "supplier", "subsupplier", "bank"} {
		if !seen[u] {
			t.Errorf("demo user %s missing", u)
		}
	}
	// A second init must refuse and leave the home alone.
	code, _, stderr = runCLI(t, "init", "--home", home)
	if code == 0 || !strings.Contains(stderr, "already initialised") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("second init: code %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, demoUsersFile)); err != nil {
		t.Fatal("second init removed files")
	}
}

func TestStartRefusesBadHome(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(home string)
		want   string
	}{
		{"not initialised", func(home string) { os.RemoveAll(home); os.MkdirAll(home, 0o700) }, "not initialised"},
		{"only keys", func(home string) { os.RemoveAll(home); os.MkdirAll(filepath.Join(home, keysDir), 0o700) }, "not initialised"},
		{"missing genesis", func(home string) { os.Remove(filepath.Join(home, "config/genesis.json")) }, "config/genesis.json: missing — copy it from another node"},
		{"missing keyring", func(home string) { os.RemoveAll(filepath.Join(home, keyringDir)) }, "data/keyring is missing: restore it from a backup"},
		{"corrupt genesis", func(home string) {
			os.WriteFile(filepath.Join(home, "config/genesis.json"), []byte(`{"chain_id": "x",`), 0o644)
		}, "config/genesis.json"},
		{"missing validator key", func(home string) { os.Remove(filepath.Join(home, "config/priv_validator_key.json")) }, "priv_validator_key.json"},
		{"corrupt node key", func(home string) {
			os.WriteFile(filepath.Join(home, "config/node_key.json"), []byte(`nonsense`), 0o600)
		}, "node_key.json"},
		{"bad config value", func(home string) {
			os.WriteFile(filepath.Join(home, configFile), []byte("[node]\ntimeout_commit = \"1ms\"\n"), 0o600)
		}, "timeout_commit"},
		{"unknown config key", func(home string) {
			os.WriteFile(filepath.Join(home, configFile), []byte("[http]\nadress = \"x\"\n"), 0o600)
		}, "unknown setting \"http.adress\""},
		{"missing config", func(home string) { os.Remove(filepath.Join(home, configFile)) }, "config/chancery.toml is missing"},
		{"config syntax", func(home string) {
			os.WriteFile(filepath.Join(home, configFile), []byte("[http\n"), 0o600)
		}, "chancery.toml"},
		{"bad http address", func(home string) {
			os.WriteFile(filepath.Join(home, configFile), []byte("[http]\naddr = \"nonsense\"\n"), 0o600)
		}, "http.addr"},
		{"bad env value", func(home string) { os.Setenv("CHANCERY_SUBMIT_WAIT", "forever") }, "CHANCERY_SUBMIT_WAIT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := testHome(t)
			t.Setenv("CHANCERY_SUBMIT_WAIT", "1s") // restored after the test
			tc.break_(home)
			code, _, stderr := runCLI(t, "start", "--home", home)
			if code == 0 {
				t.Fatal("start succeeded on a broken home")
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("stderr = %q, want one line naming %q", stderr, tc.want)
			}
			if _, err := os.Stat(filepath.Join(home, stateDir)); err == nil {
				t.Fatal("state database was created by a start that failed validation")
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"start", "--nope"},
		{"init", "extra"},
		{"keys"},
		{"keys", "rename", "x"},
		{"keys", "new", "bad name!", "--dir", t.TempDir()},
		{"keys", "new", "k1", "k2", "--dir", t.TempDir()},
		{"keys", "list", "extra", "--dir", t.TempDir()},
		{"version", "extra"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: code %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

// Each command answers -h and --help with its usage line and flags, exit 0.
func TestCommandHelp(t *testing.T) {
	for _, args := range [][]string{
		{"keys", "-h"}, {"keys", "new", "--help"}, {"version", "--help"}, {"init", "-h"}, {"start", "--help"}, {"verify", "-h"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(out, "Usage: chancery "+args[0]) || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "keys", "new", "bot", "--dir", dir)
	if code != 0 {
		t.Fatal(stderr)
	}
	st, err := os.Stat(filepath.Join(dir, "bot.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, st)
	}
	_, shown, _ := runCLI(t, "keys", "show", "bot", "--dir", dir)
	if !strings.Contains(out, strings.Split(shown, "\n")[1]) {
		t.Fatalf("show %q does not match new %q", shown, out)
	}
	if code, _, _ := runCLI(t, "keys", "new", "bot", "--dir", dir); code == 0 {
		t.Fatal("overwrote an existing key")
	}
	_, list, _ := runCLI(t, "keys", "list", "--dir", dir)
	if !strings.HasPrefix(list, "bot ") {
		t.Fatalf("list = %q", list)
	}
	if code, _, stderr := runCLI(t, "keys", "show", "ghost", "--dir", dir); code != 1 || !strings.Contains(stderr, "no key") {
		t.Fatalf("show missing: %d %q", code, stderr)
	}
}

func TestConfigPrecedence(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "config"), 0o700)
	os.WriteFile(filepath.Join(home, configFile), []byte("[http]\naddr = \"127.0.0.1:9000\"\nsubmit_wait = \"3s\"\n[log]\nlevel = \"debug\"\n"), 0o600)
	t.Setenv("CHANCERY_HTTP_ADDR", "127.0.0.1:9001")
	cfg, err := loadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:9001" {
		t.Errorf("env must override file: addr = %s", cfg.HTTP.Addr)
	}
	if cfg.HTTP.SubmitWait != 3*time.Second || cfg.Log.Level != "debug" {
		t.Errorf("file must override defaults: %+v", cfg)
	}
	if cfg.Node.TimeoutCommit != 200*time.Millisecond || cfg.Node.Home != home {
		t.Errorf("defaults lost: %+v", cfg.Node)
	}
	t.Setenv("CHANCERY_TIMEOUT_COMMIT", "soon")
	if _, err := loadConfig(home); err == nil || !strings.Contains(err.Error(), "CHANCERY_TIMEOUT_COMMIT") {
		t.Fatalf("bad env value: %v", err)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "chancery ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

// A newcomer may make a script's key before the home: init takes a home
// that holds only the keys directory, and keeps the keys.
func TestInitAfterKeys(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	if code, _, stderr := runCLI(t, "keys", "new", "bot", "--dir", filepath.Join(home, keysDir)); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runCLI(t, "init", "--home", home); code != 0 {
		t.Fatalf("init after keys new: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, keysDir, "bot.json")); err != nil {
		t.Errorf("the key is gone: %v", err)
	}
	if code, _, stderr := runCLI(t, "init", "--home", home); code == 0 || !strings.Contains(stderr, "already initialised") {
		t.Errorf("second init: exit %d: %s", code, stderr)
	}
}

// A bad value from a CHANCERY_* variable is blamed on the variable: the
// operator would look for it in the file otherwise.
func TestBadEnvValueNamesTheVariable(t *testing.T) {
	home := testHome(t)
	t.Setenv("CHANCERY_LOG_LEVEL", "loud")
	code, _, stderr := runCLI(t, "start", "--home", home)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, `log.level "loud"`) || !strings.Contains(stderr, "(set by CHANCERY_LOG_LEVEL)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	t.Setenv("CHANCERY_LOG_LEVEL", "info")
	t.Setenv("CHANCERY_TIMEOUT_COMMIT", "1ms")
	code, _, stderr = runCLI(t, "start", "--home", home)
	if code != 1 || !strings.Contains(stderr, "timeout_commit") || !strings.Contains(stderr, "(set by CHANCERY_TIMEOUT_COMMIT)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
