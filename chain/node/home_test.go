package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
)

// newHome returns a home initialised with a single-validator genesis.
func newHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	g := &GenesisParams{ChainID: "test-chain", AppState: json.RawMessage(`{"orgs":[]}`)}
	if err := InitHome(home, g); err != nil {
		t.Fatalf("InitHome: %v", err)
	}
	return home
}

func writeHomeFile(t *testing.T, home, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(home, rel), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func editPVKey(t *testing.T, home string, edit func(*privval.FilePVKey)) {
	t.Helper()
	k, err := loadPrivValidatorKey(home)
	if err != nil {
		t.Fatal(err)
	}
	edit(&k)
	b, err := cmtjson.MarshalIndent(k, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeHomeFile(t, home, PrivValidatorKeyFile, string(b))
}

func TestInitHome(t *testing.T) {
	home := newHome(t)
	if err := CheckHome(home); err != nil {
		t.Fatalf("CheckHome after InitHome: %v", err)
	}
	for _, dir := range []string{"config", "data"} {
		fi, err := os.Stat(filepath.Join(home, dir))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, err %v; want 0700", dir, fi.Mode().Perm(), err)
		}
	}

	doc, err := loadGenesis(home)
	if err != nil {
		t.Fatal(err)
	}
	v, err := LoadValidator(home)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case doc.ChainID != "test-chain":
		t.Errorf("chain id %q", doc.ChainID)
	case len(doc.Validators) != 1 || doc.Validators[0].Power != DefaultValidatorPower ||
		!bytes.Equal(doc.Validators[0].PubKey.Bytes(), v.PubKey[:]):
		t.Errorf("validators %+v, want this node with power %d", doc.Validators, DefaultValidatorPower)
	case doc.ConsensusParams.Block.MaxBytes != GenesisMaxBlockBytes || doc.ConsensusParams.Block.MaxGas != -1:
		t.Errorf("block params %+v", doc.ConsensusParams.Block)
	case doc.ConsensusParams.ABCI.VoteExtensionsEnableHeight != 0:
		t.Errorf("vote extensions on at %d", doc.ConsensusParams.ABCI.VoteExtensionsEnableHeight)
	case compactJSON(t, doc.AppState) != `{"orgs":[]}`:
		t.Errorf("app state %s", doc.AppState)
	case doc.GenesisTime.IsZero() || doc.GenesisTime.After(time.Now()):
		t.Errorf("genesis time %v", doc.GenesisTime)
	}

	// A second init keeps the keys and refuses to replace the genesis.
	id, _ := NodeID(home)
	err = InitHome(home, &GenesisParams{ChainID: "other"})
	if !errors.Is(err, ErrGenesisExists) {
		t.Fatalf("InitHome over a genesis = %v, want ErrGenesisExists", err)
	}
	if err := InitHome(home, nil); err != nil {
		t.Fatalf("InitHome without genesis on an initialised home: %v", err)
	}
	if id2, _ := NodeID(home); id2 != id {
		t.Errorf("node id changed from %s to %s", id, id2)
	}
	if v2, _ := LoadValidator(home); v2 != v {
		t.Errorf("validator key changed")
	}
	if doc2, _ := loadGenesis(home); doc2.ChainID != "test-chain" {
		t.Errorf("genesis replaced: chain id %q", doc2.ChainID)
	}

	// A key without its sign state is not given a fresh one.
	os.Remove(filepath.Join(home, PrivValidatorStateFile))
	if err := InitHome(home, nil); err == nil || !strings.Contains(err.Error(), PrivValidatorStateFile) {
		t.Errorf("InitHome with the sign state missing = %v, want an error naming it", err)
	}
}

func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteGenesisValidators(t *testing.T) {
	var vals []Validator
	homes := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	for i, h := range homes {
		if err := InitHome(h, nil); err != nil {
			t.Fatal(err)
		}
		v, err := LoadValidator(h)
		if err != nil {
			t.Fatal(err)
		}
		v.Name = "node" + string(rune('0'+i))
		vals = append(vals, v)
	}
	g := GenesisParams{ChainID: "consortium", GenesisTime: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, h := range homes {
		if err := WriteGenesis(h, g, vals); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := os.ReadFile(filepath.Join(homes[0], GenesisFile))
	b, _ := os.ReadFile(filepath.Join(homes[2], GenesisFile))
	if !bytes.Equal(a, b) {
		t.Error("the same parameters gave different genesis files")
	}
	doc, err := loadGenesis(homes[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Validators) != 3 || doc.Validators[2].Name != "node2" || !doc.GenesisTime.Equal(g.GenesisTime) {
		t.Errorf("genesis %+v", doc)
	}
	if err := CheckHome(homes[1]); err != nil {
		t.Errorf("CheckHome: %v", err)
	}

	bad := []struct {
		name string
		g    GenesisParams
		vals []Validator
	}{
		{"no validators", g, nil},
		{"zero power", g, []Validator{{PubKey: vals[0].PubKey}}},
		{"duplicate", g, []Validator{vals[0], vals[1], vals[0]}},
		{"no chain id", GenesisParams{}, vals},
		{"bad app state", GenesisParams{ChainID: "c", AppState: json.RawMessage(`{`)}, vals},
	}
	for _, tt := range bad {
		if err := WriteGenesis(t.TempDir(), tt.g, tt.vals); err == nil {
			t.Errorf("%s: WriteGenesis succeeded", tt.name)
		}
	}
}

func TestCheckHome(t *testing.T) {
	otherKey := ed25519.GenPrivKey()
	tests := []struct {
		name    string
		corrupt func(t *testing.T, home string)
		want    string // the error, or its start when it ends with "…"
	}{
		{"genesis missing", func(t *testing.T, h string) { os.Remove(filepath.Join(h, GenesisFile)) },
			`config/genesis.json: missing — copy it from another node of the chain, or restore it from a backup (docs/operations.md, "Backups")`},
		{"genesis empty", func(t *testing.T, h string) { writeHomeFile(t, h, GenesisFile, " \n") },
			"config/genesis.json: empty file"},
		{"genesis bad JSON", func(t *testing.T, h string) {
			writeHomeFile(t, h, GenesisFile, "{\n  \"chain_id\": \"x\",\n  \"validators\": [}\n}")
		}, "config/genesis.json: invalid JSON at line 3, column 18: …"},
		{"genesis truncated", func(t *testing.T, h string) { writeHomeFile(t, h, GenesisFile, "{\n\"chain_id\": ") },
			"config/genesis.json: invalid JSON at line 2, column 13: unexpected end of JSON input"},
		{"genesis no chain id", func(t *testing.T, h string) {
			writeHomeFile(t, h, GenesisFile, `{"genesis_time":"2024-01-01T00:00:00Z","chain_id":""}`)
		}, "config/genesis.json: genesis doc must include non-empty chain_id"},
		{"genesis unreadable", func(t *testing.T, h string) {
			os.Remove(filepath.Join(h, GenesisFile))
			os.Mkdir(filepath.Join(h, GenesisFile), 0o700)
		}, "config/genesis.json: cannot read: is a directory"},
		{"pv key missing", func(t *testing.T, h string) { os.Remove(filepath.Join(h, PrivValidatorKeyFile)) },
			`config/priv_validator_key.json: missing — restore it from a backup (docs/operations.md, "Backups")`},
		{"pv key bad JSON", func(t *testing.T, h string) { writeHomeFile(t, h, PrivValidatorKeyFile, `{"address": 12,}`) },
			"config/priv_validator_key.json: invalid JSON at line 1, column 16: …"},
		{"pv key no priv key", func(t *testing.T, h string) { writeHomeFile(t, h, PrivValidatorKeyFile, `{}`) },
			"config/priv_validator_key.json: priv_key is missing"},
		{"pv key wrong type", func(t *testing.T, h string) {
			writeHomeFile(t, h, PrivValidatorKeyFile, `{"priv_key":{"type":"nonsense/Key","value":"AA=="}}`)
		}, "config/priv_validator_key.json: …"},
		{"pv key short", func(t *testing.T, h string) {
			editPVKey(t, h, func(k *privval.FilePVKey) { k.PrivKey = ed25519.PrivKey(k.PrivKey.Bytes()[:40]) })
		}, "config/priv_validator_key.json: priv_key has 40 bytes, want 64"},
		{"pv key corrupt", func(t *testing.T, h string) {
			editPVKey(t, h, func(k *privval.FilePVKey) {
				b := bytes.Clone(k.PrivKey.Bytes())
				b[40] ^= 1
				k.PrivKey = ed25519.PrivKey(b)
			})
		}, "config/priv_validator_key.json: priv_key is corrupt: its public half does not match its seed"},
		{"pv key other pub key", func(t *testing.T, h string) {
			editPVKey(t, h, func(k *privval.FilePVKey) { k.PubKey = otherKey.PubKey() })
		}, "config/priv_validator_key.json: pub_key does not match priv_key"},
		{"pv key other address", func(t *testing.T, h string) {
			editPVKey(t, h, func(k *privval.FilePVKey) { k.Address = otherKey.PubKey().Address() })
		}, "config/priv_validator_key.json: address does not match priv_key"},
		{"pv state missing", func(t *testing.T, h string) { os.Remove(filepath.Join(h, PrivValidatorStateFile)) },
			`data/priv_validator_state.json: missing — restore the newest copy you have, never an older one (docs/operations.md, "Backups")`},
		{"pv state bad JSON", func(t *testing.T, h string) { writeHomeFile(t, h, PrivValidatorStateFile, `{"height": "0"`) },
			"data/priv_validator_state.json: invalid JSON at line 1, column 15: unexpected end of JSON input"},
		{"pv state bad step", func(t *testing.T, h string) {
			writeHomeFile(t, h, PrivValidatorStateFile, `{"height":"5","round":0,"step":9}`)
		}, "data/priv_validator_state.json: height 5, round 0, step 9 out of range"},
		{"pv state wrong types", func(t *testing.T, h string) {
			writeHomeFile(t, h, PrivValidatorStateFile, `{"height":[],"round":0,"step":0}`)
		}, "data/priv_validator_state.json: …"},
		{"node key missing", func(t *testing.T, h string) { os.Remove(filepath.Join(h, NodeKeyFile)) },
			`config/node_key.json: missing — restore it from a backup (docs/operations.md, "Backups")`},
		{"node key no key", func(t *testing.T, h string) { writeHomeFile(t, h, NodeKeyFile, `{"priv_key":null}`) },
			"config/node_key.json: priv_key is missing"},
		{"node key bad JSON", func(t *testing.T, h string) { writeHomeFile(t, h, NodeKeyFile, "[") },
			"config/node_key.json: invalid JSON at line 1, column 2: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := newHome(t)
			tt.corrupt(t, home)
			err := CheckHome(home)
			if err == nil {
				t.Fatal("CheckHome succeeded")
			}
			msg := err.Error()
			if prefix, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(msg, prefix) || len(msg) == len(prefix) {
					t.Errorf("CheckHome = %q, want %q followed by a reason", msg, prefix)
				}
			} else if msg != tt.want {
				t.Errorf("CheckHome = %q, want %q", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if !errors.Is(err, ErrInvalidHome) {
				t.Errorf("error does not match ErrInvalidHome")
			}
		})
	}
}

func TestPosition(t *testing.T) {
	b := []byte("ab\ncd\n\nef")
	for _, tt := range []struct {
		off       int64
		line, col int
	}{{-1, 1, 1}, {0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {6, 3, 1}, {7, 4, 1}, {9, 4, 3}, {99, 4, 3}} {
		if line, col := position(b, tt.off); line != tt.line || col != tt.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}
