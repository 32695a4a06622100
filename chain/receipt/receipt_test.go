package receipt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/types"

	"github.com/chancery/chancery/chain/receipt"
	"github.com/chancery/chancery/chain/receipt/receipttest"
	"github.com/chancery/chancery/shared/errs"
)

// nodeReceipts commits, on the shared node, a note, another note and a
// duplicate of the first (which fails in its block), and returns the
// canonical JSON of the first note's receipt and of the failed one's.
var nodeReceipts struct {
	ok, failed []byte
	okTx       []byte
}

func receiptsFromNode(t *testing.T) (ok, failed []byte) {
	t.Helper()
	if nodeReceipts.ok != nil {
		return nodeReceipts.ok, nodeReceipts.failed
	}
	tn := sharedNode(t)
	// Past the first blocks, so that every header field a test flips
	// (app_hash, last_block_id…) is set.
	tn.waitHeight(t, 3)
	content := uniqueContent("contract.pdf")
	first := tn.note(t, content, "first")
	res := tn.commit(t, first, tn.note(t, uniqueContent("annex.pdf"), "other"), tn.note(t, content, "again"))
	if !res[0].OK() || !res[1].OK() {
		t.Fatalf("notes failed: %+v %+v", res[0], res[1])
	}
	if res[2].OK() || res[2].Codespace != "notes.duplicate" {
		t.Fatalf("duplicate note: code %d %s, want notes.duplicate", res[2].Code, res[2].Codespace)
	}
	var err error
	if nodeReceipts.ok, err = tn.receiptOf(t, res[0]).MarshalJSON(); err != nil {
		t.Fatal(err)
	}
	if nodeReceipts.failed, err = tn.receiptOf(t, res[2]).MarshalJSON(); err != nil {
		t.Fatal(err)
	}
	nodeReceipts.okTx = first
	return nodeReceipts.ok, nodeReceipts.failed
}

func decode(t testing.TB, raw []byte) *receipt.Receipt {
	t.Helper()
	r, err := receipt.Decode(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return r
}

func TestReceiptFromNode(t *testing.T) {
	okRaw, failedRaw := receiptsFromNode(t)
	tn := sharedNode(t)
	genesis := tn.genesisSet(t)

	r := decode(t, okRaw)
	p, err := receipt.Verify(r, genesis)
	if err != nil {
		t.Fatalf("verify against genesis validators: %v", err)
	}
	blk, err := tn.n.Block(context.Background(), r.Height)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		SHA256 string `json:"sha256"`
		Text   string `json:"text"`
	}
	if err := json.Unmarshal(p.Data, &data); err != nil || data.Text != "first" {
		t.Fatalf("proven data %s: %v", p.Data, err)
	}
	switch {
	case p.ChainID != testChainID, p.Height != r.Height, !p.Time.Equal(blk.Time), p.TxHash != r.TxHash,
		p.Module != "notes", p.Type != "add", p.Signer != tn.pub.Address(), p.Code != 0:
		t.Fatalf("proven = %+v", p)
	case !bytes.Equal(p.ValidatorSetHash, genesis.Hash()):
		t.Fatalf("validator set hash %X, want the genesis set's %X", p.ValidatorSetHash, genesis.Hash())
	case !bytes.Equal(r.Tx, nodeReceipts.okTx):
		t.Fatal("receipt carries another tx")
	}
	if got, err := p.ContentSHA256(); err != nil || got != data.SHA256 {
		t.Fatalf("content sha256 = %q, %v; want %s", got, err, data.SHA256)
	}

	// Without a trusted set the receipt's own is used and reported.
	self, err := receipt.Verify(r, nil)
	if err != nil || !bytes.Equal(self.ValidatorSetHash, genesis.Hash()) {
		t.Fatalf("verify without trusted set: %+v %v", self, err)
	}

	// A failed transaction has a receipt too: it proves the failure.
	f := decode(t, failedRaw)
	fp, err := receipt.Verify(f, genesis)
	if err != nil {
		t.Fatalf("verify failed tx's receipt: %v", err)
	}
	if fp.Code != uint32(errs.KindConflict) || len(fp.Data) != 0 || fp.Module != "notes" {
		t.Fatalf("failed tx proven = %+v", fp)
	}
	if _, err := fp.ContentSHA256(); err == nil || !strings.Contains(err.Error(), "failed (code 6)") {
		t.Fatalf("content of a failed tx: %v", err)
	}

	// The set of another chain is not trusted.
	otherSet := genesisSet(receipttest.New("other", "mallory").Genesis())
	if _, err := receipt.Verify(r, otherSet); !errors.Is(err, receipt.ErrInvalid) || !strings.Contains(err.Error(), "is not the trusted validator set") {
		t.Fatalf("verify against another set: %v", err)
	}
}

// TestReceiptTampered changes each part of a real receipt and expects
// verification to fail with a reason naming that part.
func TestReceiptTampered(t *testing.T) {
	okRaw, _ := receiptsFromNode(t)
	flip := func(b []byte) { b[len(b)/2] ^= 0x01 }
	otherKey := ed25519.GenPrivKeyFromSecret([]byte("intruder"))
	cases := []struct {
		name   string
		mutate func(r *receipt.Receipt)
		want   string
	}{
		{"version", func(r *receipt.Receipt) { r.Version = 2 }, "version"},
		{"chain_id", func(r *receipt.Receipt) { r.ChainID += "x" }, "chain_id"},
		{"tx byte", func(r *receipt.Receipt) { flip(r.Tx) }, "tx: not the transaction"},
		{"tx appended", func(r *receipt.Receipt) { r.Tx = append(r.Tx, ' ') }, "tx: not the transaction"},
		{"tx_hash", func(r *receipt.Receipt) { r.TxHash[0] ^= 1 }, "tx_hash"},
		{"height", func(r *receipt.Receipt) { r.Height++ }, "height"},

		{"header time", func(r *receipt.Receipt) { r.SignedHeader.Time = r.SignedHeader.Time.Add(time.Nanosecond) }, "signed_header"},
		{"header chain id", func(r *receipt.Receipt) { r.SignedHeader.ChainID += "x" }, "chain_id"},
		{"header app_hash", func(r *receipt.Receipt) { flip(r.SignedHeader.AppHash) }, "signed_header"},
		{"header data_hash", func(r *receipt.Receipt) { flip(r.SignedHeader.DataHash) }, "signed_header"},
		{"header validators_hash", func(r *receipt.Receipt) { flip(r.SignedHeader.ValidatorsHash) }, "signed_header"},
		{"header next_validators_hash", func(r *receipt.Receipt) { flip(r.SignedHeader.NextValidatorsHash) }, "signed_header"},
		{"header last_results_hash", func(r *receipt.Receipt) { flip(r.SignedHeader.LastResultsHash) }, "signed_header"},
		{"header consensus_hash", func(r *receipt.Receipt) { flip(r.SignedHeader.ConsensusHash) }, "signed_header"},
		{"header last_block_id", func(r *receipt.Receipt) { flip(r.SignedHeader.LastBlockID.Hash) }, "signed_header"},
		{"header proposer", func(r *receipt.Receipt) { flip(r.SignedHeader.ProposerAddress) }, "signed_header"},
		{"header height", func(r *receipt.Receipt) { r.SignedHeader.Height++ }, "height"},

		{"commit signature", func(r *receipt.Receipt) { flip(r.SignedHeader.Commit.Signatures[0].Signature) }, "commit of height"},
		{"commit timestamp", func(r *receipt.Receipt) {
			s := &r.SignedHeader.Commit.Signatures[0]
			s.Timestamp = s.Timestamp.Add(time.Millisecond)
		}, "commit of height"},
		{"commit voted nil", func(r *receipt.Receipt) { r.SignedHeader.Commit.Signatures[0].BlockIDFlag = types.BlockIDFlagNil }, "commit of height"},
		{"commit absent", func(r *receipt.Receipt) {
			r.SignedHeader.Commit.Signatures[0] = types.NewCommitSigAbsent()
		}, "commit of height"},
		{"commit validator address", func(r *receipt.Receipt) { flip(r.SignedHeader.Commit.Signatures[0].ValidatorAddress) }, "commit of height"},
		{"commit round", func(r *receipt.Receipt) { r.SignedHeader.Commit.Round++ }, "commit of height"},
		{"commit block id hash", func(r *receipt.Receipt) { flip(r.SignedHeader.Commit.BlockID.Hash) }, "signed_header"},
		{"commit block id parts", func(r *receipt.Receipt) { flip(r.SignedHeader.Commit.BlockID.PartSetHeader.Hash) }, "commit of height"},

		{"validator power", func(r *receipt.Receipt) { r.ValidatorSet.Validators[0].VotingPower++ }, "validator_set"},
		{"validator pub key", func(r *receipt.Receipt) { flip(r.ValidatorSet.Validators[0].PubKey.(ed25519.PubKey)) }, "validator_set"},
		{"validator replaced", func(r *receipt.Receipt) {
			v := types.NewValidator(otherKey.PubKey(), 10)
			r.ValidatorSet = types.NewValidatorSet([]*types.Validator{v})
		}, "validator_set"},
		{"validator added", func(r *receipt.Receipt) {
			r.ValidatorSet = types.NewValidatorSet(append(r.ValidatorSet.Validators, types.NewValidator(otherKey.PubKey(), 1)))
		}, "validator_set"},
		{"validator address", func(r *receipt.Receipt) { flip(r.ValidatorSet.Validators[0].Address) }, "validator_set"},
		{"proposer priority", func(r *receipt.Receipt) { r.ValidatorSet.Validators[0].ProposerPriority++ }, "validator_set"},
		{"proposer", func(r *receipt.Receipt) { r.ValidatorSet.Proposer.ProposerPriority++ }, "validator_set"},
		{"validator set missing", func(r *receipt.Receipt) { r.ValidatorSet = nil }, "validator_set"},

		{"tx_proof root", func(r *receipt.Receipt) { flip(r.TxProof.RootHash) }, "tx_proof"},
		{"tx_proof data", func(r *receipt.Receipt) { flip(r.TxProof.Data) }, "tx_proof"},
		{"tx_proof leaf hash", func(r *receipt.Receipt) { flip(r.TxProof.Proof.LeafHash) }, "tx_proof"},
		{"tx_proof aunts", func(r *receipt.Receipt) { flipOrAddAunt(&r.TxProof.Proof.Aunts) }, "tx_proof"},
		{"tx_proof index", func(r *receipt.Receipt) { r.TxProof.Proof.Index++ }, "tx_proof"},
		{"tx_proof total", func(r *receipt.Receipt) { r.TxProof.Proof.Total++ }, "tx_proof"},

		{"next header time", func(r *receipt.Receipt) { r.NextSignedHeader.Time = r.NextSignedHeader.Time.Add(time.Second) }, "next_signed_header"},
		{"next header last_results_hash", func(r *receipt.Receipt) { flip(r.NextSignedHeader.LastResultsHash) }, "next_signed_header"},
		{"next header last_block_id", func(r *receipt.Receipt) { flip(r.NextSignedHeader.LastBlockID.Hash) }, "next_signed_header"},
		{"next header app_hash", func(r *receipt.Receipt) { flip(r.NextSignedHeader.AppHash) }, "next_signed_header"},
		{"next header height", func(r *receipt.Receipt) { r.NextSignedHeader.Height++ }, "next_signed_header"},
		{"next commit signature", func(r *receipt.Receipt) { flip(r.NextSignedHeader.Commit.Signatures[0].Signature) }, "commit of height"},
		{"next commit parts", func(r *receipt.Receipt) { flip(r.NextSignedHeader.Commit.BlockID.PartSetHeader.Hash) }, "commit of height"},
		{"next signed header missing", func(r *receipt.Receipt) { r.NextSignedHeader = nil }, "next_signed_header"},

		{"result code", func(r *receipt.Receipt) { r.Result.Code = 1 }, "result: code, data and gas"},
		{"result data", func(r *receipt.Receipt) { flip(r.Result.Data) }, "result: code, data and gas"},
		{"result data dropped", func(r *receipt.Receipt) { r.Result.Data = nil }, "result: code, data and gas"},
		{"result gas_wanted", func(r *receipt.Receipt) { r.Result.GasWanted = 1 }, "result: code, data and gas"},
		{"result gas_used", func(r *receipt.Receipt) { r.Result.GasUsed = 1 }, "result: code, data and gas"},
		{"result_proof aunts", func(r *receipt.Receipt) { flipOrAddAunt(&r.ResultProof.Aunts) }, "result_proof"},
		{"result_proof index", func(r *receipt.Receipt) { r.ResultProof.Index++ }, "result_proof"},
		{"result_proof total", func(r *receipt.Receipt) { r.ResultProof.Total++ }, "result_proof"},
		{"result_proof leaf hash", func(r *receipt.Receipt) { flip(r.ResultProof.LeafHash) }, "result_proof"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := decode(t, okRaw)
			tc.mutate(r)
			_, err := receipt.Verify(r, nil)
			if err == nil {
				t.Fatal("tampered receipt verified")
			}
			if !errors.Is(err, receipt.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want receipt.invalid naming %q", err, tc.want)
			}
			// The same through JSON: whatever still encodes must fail alike.
			if b, err := r.MarshalJSON(); err == nil {
				if r2, err := receipt.Decode(b); err == nil {
					if _, err := receipt.Verify(r2, nil); err == nil {
						t.Fatal("tampered receipt verified after a JSON round trip")
					}
				}
			}
		})
	}
}

func flipOrAddAunt(aunts *[][]byte) {
	if len(*aunts) > 0 {
		(*aunts)[0][3] ^= 0x01
		return
	}
	*aunts = append(*aunts, bytes.Repeat([]byte{7}, 32))
}

// TestEveryByteMatters changes every byte of a real receipt's JSON, twice
// over, and expects each change to be refused: by the decoder when it breaks
// the format, by Verify when it changes a value.
func TestEveryByteMatters(t *testing.T) {
	okRaw, _ := receiptsFromNode(t)
	step := 1
	if testing.Short() {
		step = 7
	}
	for i := 0; i < len(okRaw); i += step {
		for _, mask := range []byte{0x01, 0x20} {
			b := bytes.Clone(okRaw)
			b[i] ^= mask
			r, err := receipt.Decode(b)
			if err == nil {
				_, err = receipt.Verify(r, nil)
			}
			if err == nil {
				t.Fatalf("byte %d (%q → %q) changed and the receipt still verifies: …%s…", i, okRaw[i], b[i], okRaw[max(i-40, 0):min(i+40, len(okRaw))])
			}
			if !errors.Is(err, receipt.ErrInvalid) || err.Error() == "" || strings.Contains(err.Error(), "\n") {
				t.Fatalf("byte %d: error %q is not one line of receipt.invalid", i, err)
			}
		}
	}
}

func TestDecodeStrict(t *testing.T) {
	okRaw, _ := receiptsFromNode(t)
	var indented bytes.Buffer
	if err := json.Indent(&indented, okRaw, "", "  "); err != nil {
		t.Fatal(err)
	}
	r, err := receipt.Decode(indented.Bytes())
	if err != nil {
		t.Fatalf("an indented receipt must decode: %v", err)
	}
	if _, err := receipt.Verify(r, nil); err != nil {
		t.Fatalf("an indented receipt must verify: %v", err)
	}
	s := string(okRaw)
	for _, tc := range []struct{ name, in string }{
		{"unknown field", strings.Replace(s, `{"version":1,`, `{"version":1,"note":"hi",`, 1)},
		{"future leaf field", strings.Replace(s, `{"version":1,`, `{"version":1,"leaf":{},`, 1)},
		{"missing field", strings.Replace(s, `"version":1,`, ``, 1)},
		{"reordered fields", strings.Replace(s, `{"version":1,"chain_id":"receipt-test"`, `{"chain_id":"receipt-test","version":1`, 1)},
		{"key case", strings.Replace(s, `"chain_id"`, `"Chain_ID"`, 1)},
		{"lowercase header hash", strings.Replace(s, `"data_hash":"`+r.SignedHeader.DataHash.String(), `"data_hash":"`+strings.ToLower(r.SignedHeader.DataHash.String()), 1)},
		{"height as string", strings.Replace(s, `"height":`+jsonInt(r.Height)+`,`, `"height":"`+jsonInt(r.Height)+`",`, 1)},
		{"fractional number", strings.Replace(s, `"gas_wanted":0`, `"gas_wanted":0.0`, 1)},
		{"trailing data", s + "{}"},
		{"not json", "receipt"},
		{"empty", ""},
		{"null", "null"},
		{"too large", strings.Repeat(" ", receipt.MaxBytes+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in == s {
				t.Fatal("mutation did not apply")
			}
			if _, err := receipt.Decode([]byte(tc.in)); !errors.Is(err, receipt.ErrInvalid) {
				t.Fatalf("decode error = %v, want receipt.invalid", err)
			}
		})
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestContentSHA256(t *testing.T) {
	sum := contentHash("x")
	for _, tc := range []struct {
		name string
		p    receipt.Proven
		want string // "" for success
	}{
		{"present", receipt.Proven{Data: []byte(`{"record":"r1","sha256":"` + sum + `"}`)}, ""},
		{"nested only", receipt.Proven{Data: []byte(`{"file":{"sha256":"` + sum + `"}}`)}, `no top-level "sha256"`},
		{"no data", receipt.Proven{}, "not a JSON object"},
		{"array", receipt.Proven{Data: []byte(`["` + sum + `"]`)}, "not a JSON object"},
		{"upper case", receipt.Proven{Data: []byte(`{"sha256":"` + strings.ToUpper(sum) + `"}`)}, "64 lowercase hex"},
		{"number", receipt.Proven{Data: []byte(`{"sha256":12}`)}, "64 lowercase hex"},
		{"failed tx", receipt.Proven{Code: 6, Data: []byte(`{"sha256":"` + sum + `"}`)}, "failed (code 6)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.ContentSHA256()
			if tc.want == "" {
				if err != nil || got != sum {
					t.Fatalf("got %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
}
