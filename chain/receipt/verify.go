package receipt

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/merkle"
	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/tx"
)

// Proven is what a verified receipt establishes.
type Proven struct {
	ChainID string     `json:"chain_id"`
	Height  int64      `json:"height"`
	Time    time.Time  `json:"time"` // block time of Height, UTC
	TxHash  chain.Hash `json:"tx_hash"`
	// Module and Type name the message; empty if the transaction is not a
	// Chancery envelope (such a transaction fails in its block).
	Module string `json:"module"`
	Type   string `json:"type"`
	// Signer is the account whose key signed the transaction; zero if the
	// signature does not verify (the chain then failed the transaction).
	Signer chain.Address `json:"signer"`
	Code   uint32        `json:"code"` // 0: the transaction succeeded
	Data   []byte        `json:"data"` // the module's result, canonical JSON
	// ValidatorSetHash is the hash of the set whose signatures make all of
	// this true: the trusted set's, or, when Verify was given none, the
	// receipt's own — then the caller must compare it with one it trusts.
	ValidatorSetHash cmtbytes.HexBytes `json:"validator_set_hash"`
	// Leaf is the batch member proven in the batch the transaction
	// anchored, if the receipt carries one.
	Leaf *Leaf `json:"leaf,omitempty"`
}

// Verify checks everything a receipt claims, offline, in this order:
// the chain id and both headers (ValidateBasic, heights H and H+1); the
// validator set (normalised, its hash equal to header H's ValidatorsHash,
// NextValidatorsHash and header H+1's ValidatorsHash, and to trusted's hash
// if trusted is not nil); the commits of H and H+1 with
// VerifyCommitLightAllSignatures (more than 2/3 of the power, every present
// signature checked); header H+1's LastBlockID against block H; the tx
// proof against header H's DataHash, the tx against it and the tx hash;
// the result proof against header H+1's LastResultsHash.
//
// With trusted nil the receipt's own validator set is taken on trust, and
// Proven.ValidatorSetHash reports it for the caller to compare. Any failure
// is ErrInvalid with a message naming the first check that failed.
func Verify(r *Receipt, trusted *types.ValidatorSet) (p Proven, err error) {
	// CometBFT's checks assume values its own code built; a receipt is
	// hostile input, so a panic in them is one more way to be invalid.
	defer func() {
		if rec := recover(); rec != nil {
			p, err = Proven{}, ErrInvalid.Withf("malformed receipt: %v", rec)
		}
	}()
	if err := verify(r, trusted); err != nil {
		return Proven{}, ErrInvalid.Withf("%s", oneLine(err.Error()))
	}
	sh := r.SignedHeader
	p = Proven{
		ChainID: r.ChainID, Height: r.Height, Time: sh.Time.UTC(), TxHash: r.TxHash,
		Code: r.Result.Code, Data: r.Result.Data, ValidatorSetHash: r.ValidatorSet.Hash(), Leaf: r.Leaf,
	}
	if t, err := tx.Decode(r.Tx); err == nil {
		p.Module, p.Type = t.Body.Module, t.Body.Type
		if t.VerifySignature() {
			p.Signer = t.Body.Signer.Address()
		}
	}
	return p, nil
}

func verify(r *Receipt, trusted *types.ValidatorSet) error {
	if r == nil {
		return errors.New("no receipt")
	}
	if r.Version != Version {
		return fmt.Errorf("version: %d is not a receipt version this verifier reads (%d)", r.Version, Version)
	}
	sh, next := r.SignedHeader, r.NextSignedHeader
	if sh == nil || sh.Header == nil || sh.Commit == nil {
		return errors.New("signed_header: header or commit missing")
	}
	if next == nil || next.Header == nil || next.Commit == nil {
		return errors.New("next_signed_header: header or commit missing")
	}
	if sh.ChainID != r.ChainID {
		return fmt.Errorf("chain_id: the receipt says %q, signed_header is for %q", r.ChainID, sh.ChainID)
	}
	if sh.Height != r.Height {
		return fmt.Errorf("height: the receipt says %d, signed_header is at height %d", r.Height, sh.Height)
	}
	// Checks the header's own fields, the commit's, and that the commit is
	// for this very header (its block ID is the header's hash).
	if err := sh.ValidateBasic(r.ChainID); err != nil {
		return fmt.Errorf("signed_header of height %d: %w", r.Height, err)
	}
	if next.Height != r.Height+1 {
		return fmt.Errorf("next_signed_header: height %d does not follow height %d", next.Height, r.Height)
	}
	if err := next.ValidateBasic(r.ChainID); err != nil {
		return fmt.Errorf("next_signed_header of height %d: %w", next.Height, err)
	}

	vals, err := checkValidatorSet(r.ValidatorSet)
	if err != nil {
		return fmt.Errorf("validator_set: %w", err)
	}
	hash := vals.Hash()
	if !bytes.Equal(hash, sh.ValidatorsHash) {
		return fmt.Errorf("validator_set: its hash %X is not signed_header's validators_hash %X", hash, sh.ValidatorsHash)
	}
	if !bytes.Equal(sh.NextValidatorsHash, hash) || !bytes.Equal(next.ValidatorsHash, hash) {
		return fmt.Errorf("validator_set: the set changes between heights %d and %d (next_validators_hash %X, then validators_hash %X): receipts across a validator-set change are not supported",
			r.Height, next.Height, sh.NextValidatorsHash, next.ValidatorsHash)
	}
	if trusted != nil {
		if th := trusted.Hash(); !bytes.Equal(th, hash) {
			return fmt.Errorf("validator_set: %X is not the trusted validator set %X", hash, th)
		}
	}

	if err := verifyCommit(r.ChainID, vals, sh); err != nil {
		return fmt.Errorf("commit of height %d: %w", sh.Height, err)
	}
	if err := verifyCommit(r.ChainID, vals, next); err != nil {
		return fmt.Errorf("commit of height %d (next_signed_header): %w", next.Height, err)
	}
	if !next.LastBlockID.Equals(sh.Commit.BlockID) {
		return fmt.Errorf("next_signed_header: last_block_id %v is not block %v of signed_header", next.LastBlockID, sh.Commit.BlockID)
	}

	if err := r.TxProof.Proof.ValidateBasic(); err != nil {
		return fmt.Errorf("tx_proof: %w", err)
	}
	if err := r.TxProof.Validate(sh.DataHash); err != nil {
		return fmt.Errorf("tx_proof: %w (against signed_header's data_hash %X)", err, sh.DataHash)
	}
	if !bytes.Equal(r.TxProof.Data, r.Tx) {
		return errors.New("tx: not the transaction that tx_proof proves")
	}
	if got := chain.SumHash(r.Tx); got != r.TxHash {
		return fmt.Errorf("tx_hash: %s is not the SHA-256 of tx, %s", r.TxHash, got)
	}

	rp := r.ResultProof
	if err := rp.ValidateBasic(); err != nil {
		return fmt.Errorf("result_proof: %w", err)
	}
	// The results tree has one leaf per transaction, in block order: the
	// result proven must be the one at the transaction's position. (A
	// Merkle proof verifies for every total that gives its leaf the same
	// path, so neither proof pins total alone; agreeing is what ties the
	// result to the tx.)
	if rp.Index != r.TxProof.Proof.Index || rp.Total != r.TxProof.Proof.Total {
		return fmt.Errorf("result_proof and tx_proof disagree: the result is %d of %d, the tx %d of %d",
			rp.Index, rp.Total, r.TxProof.Proof.Index, r.TxProof.Proof.Total)
	}
	leaf, err := resultLeaf(r.Result)
	if err != nil {
		return fmt.Errorf("result: %w", err)
	}
	if lh := leafHash(leaf); !bytes.Equal(lh, rp.LeafHash) {
		return fmt.Errorf("result: code, data and gas hash to %X, not to result_proof's leaf_hash %X", lh, rp.LeafHash)
	}
	if err := rp.Verify(next.LastResultsHash, leaf); err != nil {
		return fmt.Errorf("result_proof: %w (against next_signed_header's last_results_hash %X)", err, next.LastResultsHash)
	}
	if r.Leaf != nil {
		return verifyLeaf(r.Leaf, r.Result)
	}
	return nil
}

// verifyLeaf checks a batch member's path to the "root" at the top level of
// the (already proven) result data, in a batch of the "count" beside it. A
// Merkle path verifies for every total that gives its leaf the same path, so
// the total is pinned by the count, or "member i of n" would be unproven.
func verifyLeaf(l *Leaf, res Result) error {
	if res.Code != 0 {
		return fmt.Errorf("leaf: the transaction failed (code %d), so it anchored no batch", res.Code)
	}
	var data struct {
		Root  *chain.Hash `json:"root"`
		Count *int64      `json:"count"`
	}
	if err := json.Unmarshal(res.Data, &data); err != nil || data.Root == nil || data.Count == nil {
		return errors.New(`leaf: the result data has no top-level "root" and "count": this transaction anchored no batch`)
	}
	if l.Total != *data.Count {
		return fmt.Errorf("leaf: total %d, but the batch the transaction anchored has %d members", l.Total, *data.Count)
	}
	p := merkle.Proof{Total: l.Total, Index: l.Index, LeafHash: leafHash(l.SHA256[:])}
	for _, a := range l.Aunts {
		p.Aunts = append(p.Aunts, a[:])
	}
	if err := p.ValidateBasic(); err != nil {
		return fmt.Errorf("leaf: %w", err)
	}
	if err := p.Verify(data.Root[:], l.SHA256[:]); err != nil {
		return fmt.Errorf("leaf: %s is not in the batch with root %s: %w", l.SHA256, data.Root, err)
	}
	return nil
}

// resultLeaf is the leaf LastResultsHash has for a result: the protobuf
// encoding of the ExecTxResult stripped to its deterministic fields, as
// types.NewResults does.
func resultLeaf(res Result) ([]byte, error) {
	return (&abci.ExecTxResult{Code: res.Code, Data: res.Data, GasWanted: res.GasWanted, GasUsed: res.GasUsed}).Marshal()
}

// leafHash is a Merkle leaf's hash in CometBFT's trees (RFC 6962):
// SHA-256(0x00 ‖ leaf).
func leafHash(leaf []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(leaf)
	return h.Sum(nil)
}

// verifyCommit checks a signed header's commit with the set: more than 2/3
// of the voting power for the block, every signature for it checked. Votes
// for nil count for nothing and CometBFT skips them; their signatures are
// checked here too, so that no signature bytes in a receipt go unchecked.
func verifyCommit(chainID string, vals *types.ValidatorSet, sh *types.SignedHeader) error {
	c := sh.Commit
	if err := vals.VerifyCommitLightAllSignatures(chainID, c.BlockID, sh.Height, c); err != nil {
		return err
	}
	for i, sig := range c.Signatures {
		if sig.BlockIDFlag != types.BlockIDFlagNil {
			continue
		}
		v := vals.Validators[i]
		if !bytes.Equal(v.Address, sig.ValidatorAddress) {
			return fmt.Errorf("nil vote #%d is from %X, not validator %X", i, sig.ValidatorAddress, v.Address)
		}
		if !v.PubKey.VerifySignature(c.VoteSignBytes(chainID, int32(i)), sig.Signature) {
			return fmt.Errorf("wrong signature on nil vote #%d: %X", i, sig.Signature)
		}
	}
	return nil
}

// checkValidatorSet checks a set from a receipt before any CometBFT code that
// panics on bad values touches it, and that it is normalised: proposer
// priorities and the proposer are not covered by the set's hash, so a
// receipt carries the ones types.NewValidatorSet computes from the
// validators alone, and any other value is refused. It returns that
// normalised set, equal to vals but built by CometBFT, which caches what
// commit verification needs (batch verification of same-type keys).
func checkValidatorSet(vals *types.ValidatorSet) (*types.ValidatorSet, error) {
	if vals == nil || len(vals.Validators) == 0 {
		return nil, errors.New("missing or empty")
	}
	if err := checkValidators(vals.Validators); err != nil {
		return nil, err
	}
	if vals.Proposer == nil {
		return nil, errors.New("proposer missing")
	}
	norm := types.NewValidatorSet(vals.Validators) // copies
	for i, v := range vals.Validators {
		if n := norm.Validators[i]; !bytes.Equal(v.Address, n.Address) || v.ProposerPriority != n.ProposerPriority {
			return nil, fmt.Errorf("validator #%d: not in the order and with the proposer priority types.NewValidatorSet gives it", i)
		}
	}
	if p, np := vals.Proposer, norm.Proposer; !bytes.Equal(p.Address, np.Address) || !p.PubKey.Equals(np.PubKey) ||
		p.VotingPower != np.VotingPower || p.ProposerPriority != np.ProposerPriority {
		return nil, errors.New("proposer: not the one types.NewValidatorSet computes")
	}
	return norm, nil
}

// checkValidators checks what types.NewValidatorSet would panic on, and
// that keys are ed25519, the only kind Chancery's validators use.
func checkValidators(vals []*types.Validator) error {
	if len(vals) > types.MaxVotesCount {
		return fmt.Errorf("%d validators, more than %d", len(vals), types.MaxVotesCount)
	}
	seen := make(map[string]bool, len(vals))
	var total int64
	for i, v := range vals {
		if v == nil {
			return fmt.Errorf("validator #%d: missing", i)
		}
		if k, ok := v.PubKey.(ed25519.PubKey); !ok || len(k) != ed25519.PubKeySize {
			return fmt.Errorf("validator #%d: public key is not an ed25519 key", i)
		}
		if err := v.ValidateBasic(); err != nil {
			return fmt.Errorf("validator #%d: %w", i, err)
		}
		if v.VotingPower <= 0 || v.VotingPower > types.MaxTotalVotingPower {
			return fmt.Errorf("validator #%d: voting power %d out of range", i, v.VotingPower)
		}
		if total += v.VotingPower; total > types.MaxTotalVotingPower {
			return fmt.Errorf("total voting power above %d", types.MaxTotalVotingPower)
		}
		if seen[string(v.Address)] {
			return fmt.Errorf("validator #%d: %X is listed twice", i, v.Address)
		}
		seen[string(v.Address)] = true
	}
	return nil
}

// GenesisValidators is the validator set a genesis document starts the
// chain with: what a verifier holding only the genesis file trusts.
func GenesisValidators(doc *types.GenesisDoc) (*types.ValidatorSet, error) {
	if doc == nil || len(doc.Validators) == 0 {
		return nil, errors.New("genesis lists no validators")
	}
	vals := make([]*types.Validator, len(doc.Validators))
	for i, v := range doc.Validators {
		if k, ok := v.PubKey.(ed25519.PubKey); !ok || len(k) != ed25519.PubKeySize {
			return nil, fmt.Errorf("genesis validator #%d: public key is not an ed25519 key", i)
		}
		vals[i] = types.NewValidator(v.PubKey, v.Power)
	}
	if err := checkValidators(vals); err != nil {
		return nil, fmt.Errorf("genesis validators: %w", err)
	}
	return types.NewValidatorSet(vals), nil
}

// ContentSHA256 returns the "sha256" field at the top level of the proven
// result data: by convention (see the package doc), the hex SHA-256 of the
// content a module's transaction records; for a receipt with a Leaf, the
// batch member's hash. It fails if the transaction
// failed or its data has no such field.
func (p Proven) ContentSHA256() (string, error) {
	if p.Code != 0 {
		return "", fmt.Errorf("the transaction failed (code %d): it proves no content", p.Code)
	}
	if p.Leaf != nil {
		return p.Leaf.SHA256.String(), nil // a batch member, proven by Verify
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(p.Data, &fields); err != nil || fields == nil {
		return "", errors.New(`the result data is not a JSON object, so it has no "sha256" field: this transaction does not prove file content`)
	}
	raw, ok := fields["sha256"]
	if !ok {
		return "", errors.New(`the result data has no top-level "sha256" field: this transaction does not prove file content`)
	}
	var h chain.Hash
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || h.UnmarshalText([]byte(s)) != nil {
		return "", fmt.Errorf(`the result's "sha256" field %s is not 64 lowercase hex characters`, raw)
	}
	return s, nil
}

func oneLine(s string) string {
	return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" ")))
}
