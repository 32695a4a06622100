package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	dbm "github.com/cometbft/cometbft-db"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/types"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// stateDB is CometBFT's state database under the home: the genesis it first
// started from, and the validator sets.
const stateDB = "data/state.db"

// CheckChain checks, before anything in home is opened for writing, that
// the node would join the chain its files describe:
//
//   - once the node has run, CometBFT keeps the genesis it started from in
//     its state database and from then on silently ignores the genesis file;
//     a file from another chain (or an edited one) would make the
//     application run under one chain id while consensus runs another, so
//     it is refused;
//   - a validator's key must be in the validator set (the current one once
//     the node has run, else genesis), or the node would never vote; a full
//     node (fullNode) must not hold a key in the set, or it would.
//
// A refusal is ErrWrongChain, ErrNotValidator or ErrInvalidConfig, in one
// line saying what to do. It reads CometBFT's state read-only, so it also
// fails while another process runs the home.
func CheckChain(home string, fullNode bool) error {
	g, err := loadGenesis(home)
	if err != nil {
		return err
	}
	validators := types.NewValidatorSet(genesisValidators(g))
	stored, state, err := loadStoredChain(home)
	if err != nil {
		return err
	}
	if stored != nil {
		if stored.ChainID != g.ChainID {
			return ErrWrongChain.Withf("%s is for chain %q, but data/ holds chain %q: put back the genesis file of %q, or start %q in a new home",
				GenesisFile, g.ChainID, stored.ChainID, stored.ChainID, g.ChainID)
		}
		if field := genesisDiff(stored, g); field != "" {
			return ErrWrongChain.Withf("%s differs in %s from the genesis data/ was created from (chain %q): put back the original file",
				GenesisFile, field, stored.ChainID)
		}
	}
	if state != nil && !state.IsEmpty() {
		validators = state.Validators
	}

	k, err := loadPrivValidatorKey(home)
	if err != nil {
		return err
	}
	addr := k.PrivKey.PubKey().Address()
	inSet := validators.HasAddress(addr) || state != nil && state.NextValidators != nil && state.NextValidators.HasAddress(addr)
	switch {
	case !inSet && !fullNode:
		return ErrNotValidator.Withf("%s: validator %x is not in the validator set of chain %q: use the key this home was given, or set node.full_node = true to run a full node",
			PrivValidatorKeyFile, addr, g.ChainID)
	case inSet && fullNode:
		return ErrInvalidConfig.Withf("node.full_node is true, but %s holds validator %x of chain %q, which would vote: give a full node a key of its own, or set full_node = false",
			PrivValidatorKeyFile, addr, g.ChainID)
	}
	return nil
}

// loadStoredChain returns the genesis and state CometBFT keeps in the home's
// state database, or nils if the node has never run.
func loadStoredChain(home string) (*types.GenesisDoc, *sm.State, error) {
	dir := filepath.Join(home, stateDB)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	db, err := dbm.NewGoLevelDBWithOpts("state", filepath.Join(home, "data"), &opt.Options{ReadOnly: true, ErrorIfMissing: true})
	if err != nil {
		return nil, nil, ErrInvalidHome.Withf("%s: cannot open (is another chancery running on this home?): %s", stateDB, oneLine(err.Error()))
	}
	defer db.Close()
	var stored *types.GenesisDoc
	// The key and encoding of CometBFT's node.saveGenesisDoc.
	if b, err := db.Get([]byte("genesisDoc")); err != nil {
		return nil, nil, homeErr(stateDB, err)
	} else if len(b) > 0 {
		stored = new(types.GenesisDoc)
		if err := cmtjson.Unmarshal(b, stored); err != nil {
			return nil, nil, homeErr(stateDB, fmt.Errorf("stored genesis: %w", err))
		}
	}
	state, err := sm.NewStore(db, sm.StoreOptions{}).Load()
	if err != nil {
		return nil, nil, homeErr(stateDB, err)
	}
	return stored, &state, nil
}

// genesisDiff names the first field in which b differs from a, or "" if
// they describe the same chain. Formatting of the file does not count.
func genesisDiff(a, b *types.GenesisDoc) string {
	switch {
	case !a.GenesisTime.Equal(b.GenesisTime):
		return "genesis_time"
	case a.InitialHeight != b.InitialHeight:
		return "initial_height"
	case (a.ConsensusParams == nil) != (b.ConsensusParams == nil),
		a.ConsensusParams != nil && !bytes.Equal(a.ConsensusParams.Hash(), b.ConsensusParams.Hash()):
		return "consensus_params"
	case !bytes.Equal(types.NewValidatorSet(genesisValidators(a)).Hash(), types.NewValidatorSet(genesisValidators(b)).Hash()):
		return "validators"
	case !bytes.Equal(compactAppState(a.AppState), compactAppState(b.AppState)):
		return "app_state"
	}
	return ""
}

func genesisValidators(g *types.GenesisDoc) []*types.Validator {
	vals := make([]*types.Validator, len(g.Validators))
	for i, v := range g.Validators {
		vals[i] = types.NewValidator(v.PubKey, v.Power)
	}
	return vals
}

func compactAppState(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}
