// Package receipt builds and verifies offline receipts (pinned in DESIGN §6):
// self-contained proofs that a transaction was committed at height H with a
// given result, checkable by someone who trusts nothing but the consortium's
// validator set — not the node that handed the receipt out, not Chancery's
// code.
//
// Trust model. The verifier trusts one thing: a validator set (from the
// chain's genesis file, or a validator-set hash the consortium publishes).
// More than 2/3 of that set's voting power signing block H's header (and
// every signature present checked) makes the header true; the header's
// DataHash commits to the block's transactions, so a Merkle proof puts the
// transaction in the block. CometBFT commits a block's results only in the
// next header (LastResultsHash of H+1), so the receipt also carries H+1's
// header and commit, signed by the same set, and a Merkle proof of the
// transaction's result under it. LastResultsHash covers only each result's
// code, data, gas_wanted and gas_used: events, log and codespace are not
// proven, which is why a module puts everything a receipt must prove into its
// result data. A receipt is therefore ready one block after its transaction;
// Build reports ErrNotReady until then. Receipts across a validator-set change
// between H and H+1 are out of scope and fail verification clearly.
//
// Content convention. A module whose result proves a piece of content (a
// file, a document) puts its hex SHA-256 in a "sha256" field at the top level
// of its result data (canonical JSON), so a generic verifier can check a file
// against a receipt without knowing the module: see Proven.ContentSHA256 and
// "chancery verify --file".
//
// Encoding. A receipt is JSON; the parts that are CometBFT types
// (signed_header, validator_set, tx_proof, next_signed_header, result_proof)
// are encoded exactly as CometBFT's RPC encodes them (its libs/json), so tools
// built on CometBFT read them unchanged. Decode accepts only the canonical
// encoding (white space aside), so every byte of a receipt is either checked
// by Verify or fixed by the format: changing any one of them makes the
// receipt fail with a reason. docs/receipts.md describes each check and how a
// third party verifies a receipt with CometBFT's packages alone.
package receipt
