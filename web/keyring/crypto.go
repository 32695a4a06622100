package keyring

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	kdfArgon2id = "argon2id"
	saltSize    = 16
	wrapKeySize = chacha20poly1305.KeySize

	purposePassword = "password"
	purposeToken    = "token"

	tokenPrefix = "chy_"
	tokenBytes  = 32
)

// KDFParams are the argon2id costs for deriving a password's wrapping key.
// They are stored with each wrap, so raising them later leaves existing
// passwords working; a wrap moves to the current costs when its password
// changes.
type KDFParams struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// DefaultKDFParams cost one pass over 64 MiB in two lanes: about 0.1 s on a
// two-core node, which bounds both login latency and offline guessing.
func DefaultKDFParams() KDFParams {
	return KDFParams{Time: 1, MemoryKiB: 64 * 1024, Threads: 2}
}

// Validate rejects costs argon2id cannot run with.
func (p KDFParams) Validate() error {
	if p.Time < 1 || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) {
		return ErrInvalidKDF
	}
	return nil
}

// passwordWrap is a seed wrapped under a password, with what it takes to
// derive the same key again.
type passwordWrap struct {
	KDF    string    `json:"kdf"`
	Params KDFParams `json:"params"`
	Salt   []byte    `json:"salt"`
	Sealed []byte    `json:"sealed"`
}

func wrapWithPassword(seed []byte, password, username string, p KDFParams) passwordWrap {
	salt := make([]byte, saltSize)
	rand.Read(salt)
	key := passwordKey(password, salt, p)
	defer clear(key)
	return passwordWrap{KDF: kdfArgon2id, Params: p, Salt: salt, Sealed: seal(key, seed, additionalData(purposePassword, username, ""))}
}

// unwrap returns the seed, or false when the password is wrong or the wrap
// was altered or belongs to another user: the AEAD tag is the password check.
func (w passwordWrap) unwrap(password, username string) ([]byte, bool) {
	if w.KDF != kdfArgon2id || w.Params.Validate() != nil {
		return nil, false
	}
	key := passwordKey(password, w.Salt, w.Params)
	defer clear(key)
	return open(key, w.Sealed, additionalData(purposePassword, username, ""))
}

func passwordKey(password string, salt []byte, p KDFParams) []byte {
	return argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, wrapKeySize)
}

// dummySalt stands in for an unknown user's salt, so that a login for a
// missing user costs the same argon2id run as one for a real user.
var dummySalt = make([]byte, saltSize)

// newTokenSecret returns a fresh "chy_" secret.
func newTokenSecret() string {
	raw := make([]byte, tokenBytes)
	rand.Read(raw)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
}

// tokenHash is the only form of a secret the store keeps: its lookup key.
// The first 8 bytes, in hex, name the token in listings.
func tokenHash(secret string) (hash [32]byte, id string) {
	hash = sha256.Sum256([]byte(secret))
	return hash, hex.EncodeToString(hash[:8])
}

// validTokenSecret reports whether s has the exact shape newTokenSecret
// produces; anything else is rejected before touching the store.
func validTokenSecret(s string) bool {
	enc, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok || len(enc) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	return err == nil && len(raw) == tokenBytes
}

// tokenWrapKey derives a token's wrapping key. HKDF's output is unrelated to the
// SHA-256 stored as the lookup key, so the stored hash does not unwrap.
func tokenWrapKey(secret string) []byte {
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "chancery/keyring/v1 token wrapping key", wrapKeySize)
	if err != nil {
		panic(err) // only for lengths beyond 255 hashes
	}
	return key
}

// additionalData binds a wrap to its purpose and owner (and, for a token,
// its id), so that a blob copied into another record fails to open. Parts
// are NUL-separated: usernames and ids cannot contain NUL.
func additionalData(purpose, username, tokenID string) []byte {
	return []byte("chancery/keyring/v1\x00" + purpose + "\x00" + username + "\x00" + tokenID)
}

// seal encrypts plaintext as nonce || ciphertext || tag. XChaCha's 24-byte
// nonce is safe to draw at random for every wrap.
func seal(key, plaintext, ad []byte) []byte {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(err) // keys are always wrapKeySize
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, ad)
}

func open(key, sealed, ad []byte) ([]byte, bool) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil || len(sealed) < aead.NonceSize() {
		return nil, false
	}
	n := aead.NonceSize()
	plaintext, err := aead.Open(nil, sealed[:n], sealed[n:], ad)
	return plaintext, err == nil
}

// keyFromSeed rebuilds a private key from an unwrapped seed and checks it is
// the account's, which a correct unwrap of an untampered record guarantees.
func keyFromSeed(seed []byte, pub [32]byte) (ed25519.PrivateKey, bool) {
	if len(seed) != ed25519.SeedSize {
		return nil, false
	}
	key := ed25519.NewKeyFromSeed(seed)
	clear(seed)
	return key, [32]byte(key[ed25519.SeedSize:]) == pub
}
