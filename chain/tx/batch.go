package tx

import (
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
)

// VerifyBatch checks the signatures of txs together, which costs about half as
// much per signature as checking them one by one, and reports which are valid.
// It uses the same verification rules as VerifySignature.
func VerifyBatch(txs []*Tx) []bool {
	valid := make([]bool, len(txs))
	switch len(txs) {
	case 0:
		return valid
	case 1:
		valid[0] = txs[0].VerifySignature()
		return valid
	}
	bv := cmted25519.NewBatchVerifier()
	for _, t := range txs {
		// Add fails only for a key or signature of the wrong size, which
		// Decode has already ruled out.
		_ = bv.Add(cmted25519.PubKey(t.Body.Signer[:]), t.SignBytes[:], t.Sig)
	}
	ok, each := bv.Verify()
	if ok {
		for i := range valid {
			valid[i] = true
		}
		return valid
	}
	copy(valid, each)
	return valid
}
