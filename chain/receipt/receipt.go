package receipt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain"
)

// Version is the receipt format this package builds and verifies.
const Version = 1

// MaxBytes bounds an encoded receipt. A transaction (at most 1 MiB) appears
// twice, base64-encoded, in tx and in tx_proof; headers, commits and proofs
// add a few kilobytes per validator.
const MaxBytes = 8 << 20

// Receipt proves that transaction Tx was committed at Height with Result.
// Its JSON form (MarshalJSON, Decode) is pinned in DESIGN §6.
//
// A later version adds batch leaves as one more optional field, "leaf": a
// Merkle path from a leaf hash to a root carried in the transaction's result
// data. Decode rejects unknown fields, so a verifier that predates it refuses
// such a receipt instead of ignoring a claim it cannot check.
type Receipt struct {
	Version int
	ChainID string
	Tx      []byte
	TxHash  chain.Hash
	Height  int64
	// SignedHeader is block Height's header and the commit that signs it.
	SignedHeader *types.SignedHeader
	// ValidatorSet is the set that signed blocks Height and Height+1, in
	// the normalised form types.NewValidatorSet gives it (see Verify).
	ValidatorSet *types.ValidatorSet
	// TxProof proves Tx under SignedHeader's DataHash.
	TxProof types.TxProof
	// NextSignedHeader is block Height+1's header, whose LastResultsHash
	// commits to the results of block Height, and its commit.
	NextSignedHeader *types.SignedHeader
	Result           Result
	// ResultProof proves Result under NextSignedHeader's LastResultsHash.
	ResultProof merkle.Proof
	// Leaf, when present, proves one hash of a batch the transaction
	// anchored: its Merkle path to the "root" at the top level of the
	// result data.
	Leaf *Leaf
}

// Leaf is a batch member's path to its batch's root: RFC 6962 hashing, as
// CometBFT's merkle.Proof, over the 32 bytes of each hash. Aunts go from the
// leaf up.
type Leaf struct {
	SHA256 chain.Hash   `json:"sha256"`
	Index  int64        `json:"index"`
	Total  int64        `json:"total"`
	Aunts  []chain.Hash `json:"aunts"`
}

// Result is the deterministic part of a transaction's result: what
// CometBFT's LastResultsHash covers. Code 0 is success; otherwise it is the
// errs.Kind of the failure. Data is the module's canonical JSON.
type Result struct {
	Code      uint32 `json:"code"`
	Data      []byte `json:"data"`
	GasWanted int64  `json:"gas_wanted"`
	GasUsed   int64  `json:"gas_used"`
}

// wire is the JSON form of a receipt. CometBFT types are encoded with its
// libs/json (64-bit integers as strings, hashes as upper-case hex, keys as
// type/value objects), exactly as its RPC shows them.
type wire struct {
	Version          int             `json:"version"`
	ChainID          string          `json:"chain_id"`
	Tx               []byte          `json:"tx"`
	TxHash           chain.Hash      `json:"tx_hash"`
	Height           int64           `json:"height"`
	SignedHeader     json.RawMessage `json:"signed_header"`
	ValidatorSet     json.RawMessage `json:"validator_set"`
	TxProof          json.RawMessage `json:"tx_proof"`
	NextSignedHeader json.RawMessage `json:"next_signed_header"`
	Result           Result          `json:"result"`
	ResultProof      json.RawMessage `json:"result_proof"`
	Leaf             *Leaf           `json:"leaf,omitempty"`
}

// MarshalJSON encodes the receipt in its one canonical form.
func (r *Receipt) MarshalJSON() ([]byte, error) {
	w := wire{
		Version: r.Version, ChainID: r.ChainID, Tx: nonNil(r.Tx), TxHash: r.TxHash, Height: r.Height,
		Result: r.Result, Leaf: r.Leaf,
	}
	// nil and empty encode alike ("" here, omitted aunts below, [] for a
	// leaf's aunts) so that each receipt has one form.
	w.Result.Data = nonNil(w.Result.Data)
	if l := r.Leaf; l != nil && l.Aunts == nil {
		w.Leaf = &Leaf{SHA256: l.SHA256, Index: l.Index, Total: l.Total, Aunts: []chain.Hash{}}
	}
	txProof, resultProof := r.TxProof, r.ResultProof
	txProof.Proof.Aunts, resultProof.Aunts = nilIfEmpty(txProof.Proof.Aunts), nilIfEmpty(resultProof.Aunts)
	for _, p := range []struct {
		dst *json.RawMessage
		v   any
	}{
		{&w.SignedHeader, r.SignedHeader},
		{&w.ValidatorSet, r.ValidatorSet},
		{&w.TxProof, txProof},
		{&w.NextSignedHeader, r.NextSignedHeader},
		{&w.ResultProof, resultProof},
	} {
		b, err := cmtjson.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		*p.dst = b
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes a receipt strictly, as Decode does.
func (r *Receipt) UnmarshalJSON(b []byte) error {
	got, err := Decode(b)
	if err != nil {
		return err
	}
	*r = *got
	return nil
}

// Decode reads a receipt. It accepts only the canonical encoding that
// MarshalJSON produces, give or take white space: unknown or missing fields,
// other key orders or spellings of the same values are refused, so no byte of
// a receipt escapes Verify. It does not verify anything.
func Decode(b []byte) (*Receipt, error) {
	if len(b) > MaxBytes {
		return nil, ErrInvalid.Withf("receipt JSON: %d bytes is more than the limit of %d", len(b), MaxBytes)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return nil, ErrInvalid.Withf("receipt JSON: %v", err)
	}
	in := compact.Bytes()
	var w wire
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, ErrInvalid.Withf("receipt JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	r := &Receipt{
		Version: w.Version, ChainID: w.ChainID, Tx: w.Tx, TxHash: w.TxHash, Height: w.Height, Result: w.Result,
		Leaf: w.Leaf,
	}
	for _, p := range []struct {
		name string
		raw  json.RawMessage
		dst  any
	}{
		{"signed_header", w.SignedHeader, &r.SignedHeader},
		{"validator_set", w.ValidatorSet, &r.ValidatorSet},
		{"tx_proof", w.TxProof, &r.TxProof},
		{"next_signed_header", w.NextSignedHeader, &r.NextSignedHeader},
		{"result_proof", w.ResultProof, &r.ResultProof},
	} {
		if len(p.raw) == 0 {
			return nil, ErrInvalid.Withf("receipt JSON: %s is missing", p.name)
		}
		if err := decodeCometJSON(p.raw, p.dst); err != nil {
			return nil, ErrInvalid.Withf("receipt JSON: %s: %v", p.name, err)
		}
	}
	again, err := r.MarshalJSON()
	if err != nil {
		return nil, ErrInvalid.Withf("receipt JSON: %v", err)
	}
	if !bytes.Equal(again, in) {
		at := firstDifference(again, in)
		return nil, ErrInvalid.Withf("receipt JSON is not in canonical form at byte %d of its compact form (%s): a field is missing, reordered or spelled differently",
			at, excerpt(in, at))
	}
	return r, nil
}

// decodeCometJSON runs CometBFT's JSON decoder, which was written for its
// own RPC's output and may panic on hostile input.
func decodeCometJSON(raw []byte, dst any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed: %v", p)
		}
	}()
	return cmtjson.Unmarshal(raw, dst)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// nilIfEmpty drops an empty list of aunts, which CometBFT's encoder would
// write as [] although its field is omitempty (a one-leaf tree has none).
func nilIfEmpty(aunts [][]byte) [][]byte {
	if len(aunts) == 0 {
		return nil
	}
	return aunts
}

func firstDifference(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// excerpt shows the input around byte at, for an error message.
func excerpt(b []byte, at int) string {
	lo, hi := max(at-20, 0), min(at+20, len(b))
	return fmt.Sprintf("%q", b[lo:hi])
}
