package node

import (
	"bytes"
	stded25519 "crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
)

// Files of a node home, relative to it, where CometBFT's defaults put them.
const (
	GenesisFile            = "config/genesis.json"
	NodeKeyFile            = "config/node_key.json"
	PrivValidatorKeyFile   = "config/priv_validator_key.json"
	PrivValidatorStateFile = "data/priv_validator_state.json"
)

// DefaultValidatorPower is the voting power InitHome gives its validator.
const DefaultValidatorPower = 10

// GenesisMaxBlockBytes is the block size limit written into genesis: room
// for well over 10,000 transactions of about 600 bytes.
const GenesisMaxBlockBytes = 16 << 20

// ErrGenesisExists: InitHome or WriteGenesis found a genesis file already.
var ErrGenesisExists = errs.New(errs.KindConflict, "chain.genesis_exists", GenesisFile+": already exists, refusing to overwrite it")

// GenesisParams are the chain-wide facts of a genesis file.
type GenesisParams struct {
	ChainID string
	// GenesisTime is the chain's start; zero means now. A node started
	// before it waits until then.
	GenesisTime time.Time
	// AppState is the application's initial state, passed to InitChain.
	AppState json.RawMessage
}

// Validator is a genesis validator.
type Validator struct {
	Name   string
	PubKey chain.PubKey // ed25519
	Power  int64
}

// InitHome prepares a node home: config/ and data/ (0700), the node key and
// the validator key with its sign state. Keys that exist are kept. With g, it
// also writes a genesis file naming this node the single validator; it never
// overwrites a genesis file (ErrGenesisExists).
func InitHome(home string, g *GenesisParams) error {
	if home == "" {
		return errors.New("init: home is not set")
	}
	if g != nil {
		if _, err := os.Stat(filepath.Join(home, GenesisFile)); err == nil {
			return ErrGenesisExists
		}
	}
	for _, dir := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(home, dir), 0o700); err != nil {
			return fmt.Errorf("init: %w", err)
		}
	}
	if _, err := os.Stat(filepath.Join(home, NodeKeyFile)); errors.Is(err, fs.ErrNotExist) {
		if _, err := p2p.LoadOrGenNodeKey(filepath.Join(home, NodeKeyFile)); err != nil {
			return fmt.Errorf("init: %s: %w", NodeKeyFile, err)
		}
	} else if _, err := loadNodeKey(home); err != nil {
		return err
	}
	if err := initPrivValidator(home); err != nil {
		return err
	}
	if g == nil {
		return nil
	}
	v, err := LoadValidator(home)
	if err != nil {
		return err
	}
	return WriteGenesis(home, *g, []Validator{v})
}

// initPrivValidator creates the validator key and its sign state, or checks
// them when the key exists. A missing state is never recreated for an
// existing key: the state is what stops the validator signing twice at a
// height it has signed before.
func initPrivValidator(home string) (err error) {
	keyFile := filepath.Join(home, PrivValidatorKeyFile)
	if _, err := os.Stat(keyFile); !errors.Is(err, fs.ErrNotExist) {
		if _, err := loadPrivValidatorKey(home); err != nil {
			return err
		}
		return checkPrivValidatorState(home)
	}
	defer func() { // FilePV.Save panics on write errors
		if r := recover(); r != nil {
			err = fmt.Errorf("init: saving validator key: %v", r)
		}
	}()
	privval.GenFilePV(keyFile, filepath.Join(home, PrivValidatorStateFile)).Save()
	return nil
}

// LoadValidator returns the genesis entry for the validator key in home,
// with DefaultValidatorPower and no name.
func LoadValidator(home string) (Validator, error) {
	k, err := loadPrivValidatorKey(home)
	if err != nil {
		return Validator{}, err
	}
	var v Validator
	copy(v.PubKey[:], k.PrivKey.PubKey().Bytes())
	v.Power = DefaultValidatorPower
	return v, nil
}

// NodeID returns the p2p id of the node in home, as persistent peers name it
// ("id@host:port").
func NodeID(home string) (string, error) {
	k, err := loadNodeKey(home)
	if err != nil {
		return "", err
	}
	return string(k.ID()), nil
}

// WriteGenesis writes the genesis file of home for the given validators. It
// never overwrites one (ErrGenesisExists).
func WriteGenesis(home string, g GenesisParams, validators []Validator) error {
	doc, err := genesisDoc(g, validators)
	if err != nil {
		return err
	}
	b, err := cmtjson.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	return writeNewFile(filepath.Join(home, GenesisFile), append(b, '\n'), 0o644)
}

func genesisDoc(g GenesisParams, validators []Validator) (*types.GenesisDoc, error) {
	if len(validators) == 0 {
		return nil, errors.New("genesis: no validators")
	}
	if len(g.AppState) > 0 && !json.Valid(g.AppState) {
		return nil, errors.New("genesis: app_state is not valid JSON")
	}
	t := g.GenesisTime
	if t.IsZero() {
		t = time.Now()
	}
	params := types.DefaultConsensusParams()
	params.Block.MaxBytes = GenesisMaxBlockBytes
	params.Block.MaxGas = -1
	params.ABCI.VoteExtensionsEnableHeight = 0 // off
	doc := &types.GenesisDoc{
		GenesisTime:     t.Round(0).UTC(),
		ChainID:         g.ChainID,
		InitialHeight:   1,
		ConsensusParams: params,
		AppState:        g.AppState,
	}
	seen := make(map[chain.PubKey]bool, len(validators))
	for i, v := range validators {
		if v.PubKey == (chain.PubKey{}) || v.Power <= 0 {
			return nil, fmt.Errorf("genesis: validator %d (%q) needs a public key and a positive power", i, v.Name)
		}
		if seen[v.PubKey] {
			return nil, fmt.Errorf("genesis: validator %d (%q) is listed twice", i, v.Name)
		}
		seen[v.PubKey] = true
		pub := ed25519.PubKey(bytes.Clone(v.PubKey[:]))
		doc.Validators = append(doc.Validators, types.GenesisValidator{
			Address: pub.Address(), PubKey: pub, Power: v.Power, Name: v.Name,
		})
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return doc, nil
}

// writeNewFile creates path with data; it fails with ErrGenesisExists if path
// exists, so two inits racing cannot both write.
func writeNewFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, fs.ErrExist) {
		return ErrGenesisExists
	}
	if err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("genesis: %w", err)
	}
	return nil
}

// CheckHome validates the files CometBFT will load from home — genesis,
// validator key and sign state, node key — and reports the first problem in
// one line naming the file. New calls it: some CometBFT loaders exit the
// process on a bad file instead of returning an error.
func CheckHome(home string) error {
	if _, err := loadGenesis(home); err != nil {
		return err
	}
	if _, err := loadPrivValidatorKey(home); err != nil {
		return err
	}
	if err := checkPrivValidatorState(home); err != nil {
		return err
	}
	_, err := loadNodeKey(home)
	return err
}

func loadGenesis(home string) (*types.GenesisDoc, error) {
	b, err := readHomeJSON(home, GenesisFile)
	if err != nil {
		return nil, err
	}
	doc, err := types.GenesisDocFromJSON(b)
	if err != nil {
		return nil, homeErr(GenesisFile, err)
	}
	return doc, nil
}

func loadPrivValidatorKey(home string) (privval.FilePVKey, error) {
	var k privval.FilePVKey
	b, err := readHomeJSON(home, PrivValidatorKeyFile)
	if err != nil {
		return k, err
	}
	if err := cmtjson.Unmarshal(b, &k); err != nil {
		return k, homeErr(PrivValidatorKeyFile, err)
	}
	pub, err := checkPrivKey(k.PrivKey)
	if err != nil {
		return k, homeErr(PrivValidatorKeyFile, err)
	}
	// CometBFT derives both from priv_key and ignores them; a mismatch means
	// the file was edited or assembled by hand.
	if k.PubKey != nil && !pub.Equals(k.PubKey) {
		return k, homeErr(PrivValidatorKeyFile, errors.New("pub_key does not match priv_key"))
	}
	if len(k.Address) > 0 && !bytes.Equal(k.Address, pub.Address()) {
		return k, homeErr(PrivValidatorKeyFile, errors.New("address does not match priv_key"))
	}
	return k, nil
}

func checkPrivValidatorState(home string) error {
	b, err := readHomeJSON(home, PrivValidatorStateFile)
	if err != nil {
		return err
	}
	var s privval.FilePVLastSignState
	if err := cmtjson.Unmarshal(b, &s); err != nil {
		return homeErr(PrivValidatorStateFile, err)
	}
	if s.Height < 0 || s.Round < 0 || s.Step < 0 || s.Step > 3 {
		return homeErr(PrivValidatorStateFile, fmt.Errorf("height %d, round %d, step %d out of range", s.Height, s.Round, s.Step))
	}
	return nil
}

func loadNodeKey(home string) (*p2p.NodeKey, error) {
	b, err := readHomeJSON(home, NodeKeyFile)
	if err != nil {
		return nil, err
	}
	var k p2p.NodeKey
	if err := cmtjson.Unmarshal(b, &k); err != nil {
		return nil, homeErr(NodeKeyFile, err)
	}
	if _, err := checkPrivKey(k.PrivKey); err != nil {
		return nil, homeErr(NodeKeyFile, err)
	}
	return &k, nil
}

// checkPrivKey checks what CometBFT would otherwise panic on: a missing key,
// another type, a wrong length, a public half that does not belong to the
// seed.
func checkPrivKey(k crypto.PrivKey) (crypto.PubKey, error) {
	if k == nil {
		return nil, errors.New("priv_key is missing")
	}
	ek, ok := k.(ed25519.PrivKey)
	if !ok {
		return nil, fmt.Errorf("priv_key has type %s, want ed25519", k.Type())
	}
	if len(ek) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("priv_key has %d bytes, want %d", len(ek), ed25519.PrivateKeySize)
	}
	if !bytes.Equal(stded25519.NewKeyFromSeed(ek[:32]), ek) {
		return nil, errors.New("priv_key is corrupt: its public half does not match its seed")
	}
	return ek.PubKey(), nil
}

// restoreAdvice says how to get back the file rel of an initialised home: a
// new init would be another chain or another validator.
func restoreAdvice(rel string) string {
	switch rel {
	case GenesisFile:
		return `copy it from another node of the chain, or restore it from a backup (docs/operations.md, "Backups")`
	case PrivValidatorStateFile:
		return `restore the newest copy you have, never an older one (docs/operations.md, "Backups")`
	}
	return `restore it from a backup (docs/operations.md, "Backups")`
}

// readHomeJSON reads a file of home and checks it is JSON, locating syntax
// errors by line and column.
func readHomeJSON(home, rel string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(home, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrInvalidHome.Withf("%s: missing — %s", rel, restoreAdvice(rel))
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, ErrInvalidHome.Withf("%s: cannot read: %v", rel, err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, ErrInvalidHome.Withf("%s: empty file", rel)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the bytes read, the bad one included; at the
			// end of input, point just past the last byte.
			at := se.Offset - 1
			if at+1 >= int64(len(b)) && strings.HasPrefix(se.Error(), "unexpected end") {
				at = int64(len(b))
			}
			line, col := position(b, at)
			return nil, ErrInvalidHome.Withf("%s: invalid JSON at line %d, column %d: %v", rel, line, col, se)
		}
		return nil, homeErr(rel, err)
	}
	return b, nil
}

// position returns the 1-based line and column of the byte at index i.
func position(b []byte, i int64) (line, col int) {
	i = min(max(i, 0), int64(len(b)))
	before := b[:i]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(i) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func homeErr(rel string, err error) error {
	return ErrInvalidHome.Withf("%s: %s", rel, oneLine(err.Error()))
}

// oneLine folds a multi-line message, as some CometBFT errors are, into one.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
