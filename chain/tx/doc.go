// Package tx is the signed transaction envelope (pinned in DESIGN §3):
//
//	{"body":{"chain_id","module","type","msg":{…},"signer","nonce","valid_until"},"sig"}
//
// in canonical JSON (package canon). The signer is the hex ed25519 public key;
// the signature covers SHA-256("chancery/tx/v1\n" ‖ body bytes) and is base64.
// The nonce is a random 64-bit number written as a decimal string (so clients
// in languages without 64-bit integers keep it exact); valid_until is the last
// height at which the transaction may be included.
//
// Replay protection needs no per-account sequence: the chain remembers the
// hash of every body it executed until its valid_until has passed, so one
// account can have many transactions in flight at once.
//
// Decode is strict: a size limit, unknown fields rejected, and any bytes that
// are not the canonical encoding of what they decode to are rejected, so one
// content has exactly one transaction hash.
package tx
