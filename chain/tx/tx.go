package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/canon"
)

// MaxBytes is the largest transaction accepted. Large content never travels
// in a transaction: files go to the blob store and only their hash on chain.
const MaxBytes = 1 << 20

// signDomain separates Chancery transaction signatures from any other use of
// the same key.
const signDomain = "chancery/tx/v1\n"

// Body is what the signer signs.
type Body struct {
	ChainID    string          `json:"chain_id"`
	Module     string          `json:"module"`
	Type       string          `json:"type"`
	Msg        json.RawMessage `json:"msg"`
	Signer     chain.PubKey    `json:"signer"`
	Nonce      uint64          `json:"nonce,string"`
	ValidUntil int64           `json:"valid_until"`
}

// Tx is a decoded, canonical transaction. Its signature has not been checked:
// call VerifySignature (or batch-verify SignBytes) before trusting Signer.
type Tx struct {
	Body Body
	Sig  []byte
	// Hash is the SHA-256 of the whole encoding: CometBFT's transaction hash,
	// the id clients and receipts use.
	Hash chain.Hash
	// BodyHash is the replay key: the same body is executed at most once,
	// whatever signature bytes come with it.
	BodyHash chain.Hash
	// SignBytes is the digest the signature covers.
	SignBytes chain.Hash
}

// envelope is the wire form: the body and the signature.
type envelope struct {
	Body Body   `json:"body"`
	Sig  []byte `json:"sig"`
}

// NewBody builds a body for msg with a fresh random nonce. msg is encoded
// canonically; it must be a module's message struct.
func NewBody(chainID, module, typ string, msg any, signer chain.PubKey, validUntil int64) (Body, error) {
	raw, err := canon.Marshal(msg)
	if err != nil {
		return Body{}, fmt.Errorf("encode %s/%s message: %w", module, typ, err)
	}
	var n [8]byte
	if _, err := rand.Read(n[:]); err != nil {
		return Body{}, fmt.Errorf("nonce: %w", err)
	}
	return Body{
		ChainID: chainID, Module: module, Type: typ, Msg: raw,
		Signer: signer, Nonce: binary.BigEndian.Uint64(n[:]), ValidUntil: validUntil,
	}, nil
}

// Sign encodes body and signs it with key, whose public half must be
// body.Signer. It returns the transaction bytes to broadcast.
func Sign(body Body, key ed25519.PrivateKey) ([]byte, error) {
	if !bytes.Equal(key.Public().(ed25519.PublicKey), body.Signer[:]) {
		return nil, fmt.Errorf("sign: key does not match signer %s", body.Signer)
	}
	bodyBytes, err := canon.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("sign: encode body: %w", err)
	}
	digest := signDigest(bodyBytes)
	return canon.Marshal(envelope{Body: body, Sig: ed25519.Sign(key, digest[:])})
}

// Decode parses and checks the form of a transaction (not its signature).
func Decode(b []byte) (*Tx, error) {
	if len(b) > MaxBytes {
		return nil, ErrTooLarge.Withf("transaction is %d bytes, the limit is %d", len(b), MaxBytes)
	}
	// Unknown fields, duplicate keys, other spellings of a key and trailing
	// data all decode here, and fail the comparison with the canonical
	// encoding below.
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, ErrMalformed.Withf("malformed transaction: %s", trimJSON(err))
	}
	if len(env.Body.Msg) == 0 || env.Body.Msg[0] != '{' {
		return nil, ErrMalformed.Withf("malformed transaction: msg must be a JSON object")
	}
	if len(env.Sig) != ed25519.SignatureSize {
		return nil, ErrMalformed.Withf("malformed transaction: sig must be %d bytes", ed25519.SignatureSize)
	}
	bodyBytes, err := canon.Marshal(env.Body)
	if err != nil {
		return nil, ErrMalformed.Withf("malformed transaction: %v", err)
	}
	// The canonical envelope is fixed text around the body and the signature,
	// so it is rebuilt here rather than encoded a second time.
	want := make([]byte, 0, len(b))
	want = append(want, `{"body":`...)
	want = append(want, bodyBytes...)
	want = append(want, `,"sig":"`...)
	want = base64.StdEncoding.AppendEncode(want, env.Sig)
	want = append(want, `"}`...)
	if !bytes.Equal(want, b) {
		return nil, ErrMalformed.Withf("transaction is not canonical JSON (fields in order, no spaces, no unknown fields)")
	}
	return &Tx{
		Body:      env.Body,
		Sig:       env.Sig,
		Hash:      sha256.Sum256(b),
		BodyHash:  sha256.Sum256(bodyBytes),
		SignBytes: signDigest(bodyBytes),
	}, nil
}

// VerifySignature checks the signature against the signer's key.
func (t *Tx) VerifySignature() bool {
	return cmted25519.PubKey(t.Body.Signer[:]).VerifySignature(t.SignBytes[:], t.Sig)
}

// Route is the "module/type" name of the message.
func (t *Tx) Route() string { return t.Body.Module + "/" + t.Body.Type }

func signDigest(bodyBytes []byte) chain.Hash {
	h := sha256.New()
	h.Write([]byte(signDomain))
	h.Write(bodyBytes)
	var d chain.Hash
	h.Sum(d[:0])
	return d
}

func trimJSON(err error) string {
	return string(bytes.TrimPrefix([]byte(err.Error()), []byte("json: ")))
}
