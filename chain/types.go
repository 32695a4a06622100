package chain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Hash is a SHA-256 digest, written as 64 lowercase hex characters.
type Hash [32]byte

// SumHash returns the SHA-256 digest of b.
func SumHash(b []byte) Hash { return sha256.Sum256(b) }

func (h Hash) String() string { return hexString(h[:]) }

// IsZero reports whether h is the all-zero hash, used as "none".
func (h Hash) IsZero() bool { return h == Hash{} }

func (h Hash) MarshalText() ([]byte, error) { return hexText(h[:]), nil }

func (h *Hash) UnmarshalText(b []byte) error { return decodeHex(h[:], b, "hash") }

// ParseHash reads a hash as people and their tools write it: 64 hex
// characters in either case (PowerShell's Get-FileHash prints upper case).
// Canonical encodings (UnmarshalText) take lowercase only.
func ParseHash(s string) (Hash, error) {
	var h Hash
	return h, h.UnmarshalText([]byte(strings.ToLower(s)))
}

// PubKey is an ed25519 public key, written as 64 lowercase hex characters.
type PubKey [32]byte

func (k PubKey) String() string { return hexString(k[:]) }

func (k PubKey) MarshalText() ([]byte, error) { return hexText(k[:]), nil }

func (k *PubKey) UnmarshalText(b []byte) error { return decodeHex(k[:], b, "public key") }

// Address returns the account address of the key.
func (k PubKey) Address() Address {
	sum := sha256.Sum256(k[:])
	var a Address
	copy(a[:], sum[:len(a)])
	return a
}

// ParsePubKey reads a public key from its hex form.
func ParsePubKey(s string) (PubKey, error) {
	var k PubKey
	return k, k.UnmarshalText([]byte(s))
}

// Address identifies an account: the first 20 bytes of the SHA-256 of its
// ed25519 public key, as CometBFT derives validator addresses. Written as 40
// lowercase hex characters.
type Address [20]byte

func (a Address) String() string { return hexString(a[:]) }

func (a Address) IsZero() bool { return a == Address{} }

func (a Address) MarshalText() ([]byte, error) { return hexText(a[:]), nil }

func (a *Address) UnmarshalText(b []byte) error { return decodeHex(a[:], b, "address") }

// ParseAddress reads an address that a person typed or pasted: its hex form
// in either case. Encoded data (UnmarshalText) takes lowercase only, so that
// every address has one encoding.
func ParseAddress(s string) (Address, error) {
	var a Address
	return a, a.UnmarshalText([]byte(strings.ToLower(s)))
}

// hexString and hexText write b (at most 32 bytes: a hash or a key) in
// lowercase hex with one allocation, where hex.EncodeToString takes two and
// a conversion of its string a third. State keys and JSON encodings write
// several of them a transaction.
func hexString(b []byte) string {
	var buf [64]byte
	return string(hex.AppendEncode(buf[:0], b))
}

func hexText(b []byte) []byte { return hex.AppendEncode(make([]byte, 0, 2*len(b)), b) }

// decodeHex accepts exactly len(dst)*2 lowercase hex characters, so every
// value has one spelling and canonical encodings stay unique.
func decodeHex(dst, src []byte, what string) error {
	if len(src) != 2*len(dst) {
		return fmt.Errorf("%s must be %d hex characters, got %d", what, 2*len(dst), len(src))
	}
	for _, c := range src {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("%s must be hex: 0-9 and a-f only", what)
		}
	}
	_, err := hex.Decode(dst, src)
	return err
}
