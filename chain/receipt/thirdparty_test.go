package receipt_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/merkle"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/types"
)

// verifyWithCometBFTOnly is how a third party checks a receipt with nothing
// but CometBFT's Go packages and the standard library — the recipe of
// docs/receipts.md, kept compiling and passing here. It checks the facts a
// receipt proves; receipt.Verify adds the strictness checks (canonical
// form, normalised validator set, signatures of nil votes).
func verifyWithCometBFTOnly(raw []byte, trusted *types.ValidatorSet) error {
	var r struct {
		Version          int             `json:"version"`
		ChainID          string          `json:"chain_id"`
		Tx               []byte          `json:"tx"`
		TxHash           string          `json:"tx_hash"`
		Height           int64           `json:"height"`
		SignedHeader     json.RawMessage `json:"signed_header"`
		ValidatorSet     json.RawMessage `json:"validator_set"`
		TxProof          json.RawMessage `json:"tx_proof"`
		NextSignedHeader json.RawMessage `json:"next_signed_header"`
		Result           struct {
			Code      uint32 `json:"code"`
			Data      []byte `json:"data"`
			GasWanted int64  `json:"gas_wanted"`
			GasUsed   int64  `json:"gas_used"`
		} `json:"result"`
		ResultProof json.RawMessage `json:"result_proof"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	var (
		sh, next    types.SignedHeader
		vals        types.ValidatorSet
		txProof     types.TxProof
		resultProof merkle.Proof
	)
	for _, p := range []struct {
		raw []byte
		dst any
	}{{r.SignedHeader, &sh}, {r.NextSignedHeader, &next}, {r.ValidatorSet, &vals}, {r.TxProof, &txProof}, {r.ResultProof, &resultProof}} {
		if err := cmtjson.Unmarshal(p.raw, p.dst); err != nil {
			return err
		}
	}
	if r.Version != 1 || sh.Header == nil || next.Header == nil || sh.Height != r.Height || next.Height != r.Height+1 {
		return errors.New("version or heights")
	}
	// 1. Headers and commits belong together and to the chain.
	if err := sh.ValidateBasic(r.ChainID); err != nil {
		return err
	}
	if err := next.ValidateBasic(r.ChainID); err != nil {
		return err
	}
	// 2. The validator set is the trusted one and signed both blocks.
	if err := vals.ValidateBasic(); err != nil {
		return err
	}
	h := vals.Hash()
	if !bytes.Equal(h, trusted.Hash()) || !bytes.Equal(h, sh.ValidatorsHash) ||
		!bytes.Equal(h, sh.NextValidatorsHash) || !bytes.Equal(h, next.ValidatorsHash) {
		return errors.New("validator set")
	}
	if err := vals.VerifyCommitLightAllSignatures(r.ChainID, sh.Commit.BlockID, sh.Height, sh.Commit); err != nil {
		return err
	}
	if err := vals.VerifyCommitLightAllSignatures(r.ChainID, next.Commit.BlockID, next.Height, next.Commit); err != nil {
		return err
	}
	if !next.LastBlockID.Equals(sh.Commit.BlockID) {
		return errors.New("blocks not consecutive")
	}
	// 3. The tx is in block H.
	if err := txProof.Validate(sh.DataHash); err != nil {
		return err
	}
	sum := sha256.Sum256(r.Tx)
	if !bytes.Equal(txProof.Data, r.Tx) || fmt.Sprintf("%x", sum) != r.TxHash {
		return errors.New("tx")
	}
	// 4. Its result is the one at the same position under H+1's
	// LastResultsHash.
	if resultProof.Index != txProof.Proof.Index || resultProof.Total != txProof.Proof.Total {
		return errors.New("result position")
	}
	leaf, err := (&abci.ExecTxResult{Code: r.Result.Code, Data: r.Result.Data, GasWanted: r.Result.GasWanted, GasUsed: r.Result.GasUsed}).Marshal()
	if err != nil {
		return err
	}
	return resultProof.Verify(next.LastResultsHash, leaf)
}

func TestThirdPartyVerification(t *testing.T) {
	okRaw, failedRaw := receiptsFromNode(t)
	trusted := sharedNode(t).genesisSet(t)
	for _, raw := range [][]byte{okRaw, failedRaw} {
		if err := verifyWithCometBFTOnly(raw, trusted); err != nil {
			t.Fatalf("a third party cannot verify the receipt: %v", err)
		}
	}
	tampered := strings.Replace(string(okRaw), `"result":{"code":0`, `"result":{"code":2`, 1)
	if err := verifyWithCometBFTOnly([]byte(tampered), trusted); err == nil {
		t.Fatal("a third party accepted a tampered result")
	}
}
