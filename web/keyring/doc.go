// Package keyring holds a node's web users and the ed25519 keys of their
// on-chain accounts, in a node-local Badger database that is not chain state.
//
// A private key is never stored in the clear. It is wrapped with
// XChaCha20-Poly1305 once under a key derived from the user's password with
// argon2id, so a person can log in from a browser, and once more under each API
// token the user creates, so a script can sign without knowing the password and
// one token can be revoked (its wrap deleted) without touching the others. A
// token secret is 256 random bits that the node keeps only as a SHA-256 hash;
// its wrapping key comes from HKDF, since a high-entropy secret needs no slow
// KDF and API calls stay fast. Every wrap's additional data names its purpose
// and owner, so a blob moved into another user's record does not open. An
// operator with the disk can read usernames, organisations, addresses, public
// keys, display roles and token names, can delete or corrupt records, and can
// guess a weak password offline at argon2id's cost per guess; they cannot sign
// for a user without that user's password or a live token secret. The disk is
// all this protects: a key is unwrapped in memory whenever its owner logs in
// or presents a token, so the running node must still be trusted. Roles are
// shown to users only; the chain decides what an account may do.
package keyring
