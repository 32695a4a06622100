package evidence

import (
	"encoding/hex"

	"github.com/cometbft/cometbft/crypto/merkle"

	"github.com/chancery/chancery/chain"
)

// Batches use the Merkle tree CometBFT uses for transactions (RFC 6962:
// leaves and inner nodes hashed with different prefixes), over the 32 bytes
// of each hash in the order given, so anyone can check a proof with
// CometBFT's merkle.Proof.Verify.

// BatchRoot returns the root of hashes.
func BatchRoot(hashes []chain.Hash) chain.Hash {
	var root chain.Hash
	copy(root[:], merkle.HashFromByteSlices(leafBytes(hashes)))
	return root
}

// BatchProofs returns the root of hashes and each hash's proof.
func BatchProofs(hashes []chain.Hash) (chain.Hash, []*merkle.Proof) {
	r, proofs := merkle.ProofsFromByteSlices(leafBytes(hashes))
	var root chain.Hash
	copy(root[:], r)
	return root, proofs
}

// VerifyBatchProof checks that leaf is in the batch with root.
func VerifyBatchProof(root, leaf chain.Hash, p *merkle.Proof) error {
	return p.Verify(root[:], leaf[:])
}

func leafBytes(hashes []chain.Hash) [][]byte {
	items := make([][]byte, len(hashes))
	for i := range hashes {
		items[i] = hashes[i][:]
	}
	return items
}

// LeavesFile is how a batch's hashes are stored as a blob, the file its
// proofs are computed from: one lowercase hex hash a line, in batch order.
func LeavesFile(hashes []chain.Hash) []byte {
	out := make([]byte, 0, len(hashes)*65)
	for _, h := range hashes {
		out = hex.AppendEncode(out, h[:])
		out = append(out, '\n')
	}
	return out
}
