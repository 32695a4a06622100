package tx_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/tx"
	"github.com/chancery/chancery/shared/canon"
)

type testMsg struct {
	Title string `json:"title"`
	Size  int64  `json:"size"`
}

func testKey(name string) (ed25519.PrivateKey, chain.PubKey) {
	seed := sha256.Sum256([]byte(name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	var pub chain.PubKey
	copy(pub[:], priv.Public().(ed25519.PublicKey))
	return priv, pub
}

func signed(t testing.TB, msg any) []byte {
	t.Helper()
	priv, pub := testKey("alice")
	body, err := tx.NewBody("test-chain", "evidence", "deposit", msg, pub, 42)
	if err != nil {
		t.Fatal(err)
	}
	body.Nonce = 7 // fixed so the encoding below is stable
	raw, err := tx.Sign(body, priv)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSignDecodeVerify(t *testing.T) {
	raw := signed(t, testMsg{Title: "contract <v2> & annex", Size: 10})
	got, err := tx.Decode(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !got.VerifySignature() {
		t.Fatal("signature does not verify")
	}
	_, pub := testKey("alice")
	if got.Body.Signer != pub || got.Body.Nonce != 7 || got.Body.ValidUntil != 42 || got.Route() != "evidence/deposit" {
		t.Fatalf("decoded body = %+v", got.Body)
	}
	if got.Hash != sha256.Sum256(raw) {
		t.Fatal("Hash is not SHA-256 of the bytes")
	}
	// HTML-significant characters are not escaped in canonical JSON.
	if !bytes.Contains(raw, []byte(`"title":"contract <v2> & annex"`)) {
		t.Fatalf("unexpected encoding: %s", raw)
	}
	if !bytes.Contains(raw, []byte(`"nonce":"7"`)) {
		t.Fatalf("nonce must be a decimal string: %s", raw)
	}
}

func TestDecodeRejectsNonCanonical(t *testing.T) {
	raw := string(signed(t, testMsg{Title: "a", Size: 1}))
	cases := []struct {
		name   string
		mutate func(string) string
	}{
		{"leading space", func(s string) string { return " " + s }},
		{"trailing newline", func(s string) string { return s + "\n" }},
		{"space after colon", func(s string) string { return strings.Replace(s, `"module":"`, `"module": "`, 1) }},
		{"space inside msg", func(s string) string { return strings.Replace(s, `"size":1`, `"size": 1`, 1) }},
		{"fields reordered", func(s string) string {
			return strings.Replace(s, `"chain_id":"test-chain","module":"evidence"`, `"module":"evidence","chain_id":"test-chain"`, 1)
		}},
		{"unknown body field", func(s string) string { return strings.Replace(s, `"valid_until":42`, `"valid_until":42,"fee":1`, 1) }},
		{"unknown top field", func(s string) string { return strings.Replace(s, `{"body":`, `{"x":1,"body":`, 1) }},
		{"duplicate key", func(s string) string {
			return strings.Replace(s, `"module":"evidence"`, `"module":"evidence","module":"evidence"`, 1)
		}},
		{"key case", func(s string) string { return strings.Replace(s, `"module"`, `"Module"`, 1) }},
		{"nonce as number", func(s string) string { return strings.Replace(s, `"nonce":"7"`, `"nonce":7`, 1) }},
		{"nonce leading zero", func(s string) string { return strings.Replace(s, `"nonce":"7"`, `"nonce":"07"`, 1) }},
		{"escaped ascii", func(s string) string { return strings.Replace(s, `"module":"evidence"`, `"module":"\u0065vidence"`, 1) }},
		{"uppercase signer hex", func(s string) string {
			i := strings.Index(s, `"signer":"`) + len(`"signer":"`)
			return s[:i] + strings.ToUpper(s[i:i+64]) + s[i+64:]
		}},
		{"msg not an object", func(s string) string { return strings.Replace(s, `"msg":{"title":"a","size":1}`, `"msg":[1]`, 1) }},
		{"msg null", func(s string) string { return strings.Replace(s, `"msg":{"title":"a","size":1}`, `"msg":null`, 1) }},
		{"short signature", func(s string) string {
			i := strings.Index(s, `"sig":"`) + len(`"sig":"`)
			return s[:i] + "AAAA" + s[len(s)-2:]
		}},
		{"trailing data", func(s string) string { return s + "{}" }},
		{"not json", func(string) string { return "hello" }},
		{"empty", func(string) string { return "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mutated := c.mutate(raw)
			if mutated == raw {
				t.Fatal("mutation did not change the input")
			}
			_, err := tx.Decode([]byte(mutated))
			if !errors.Is(err, tx.ErrMalformed) {
				t.Fatalf("Decode(%s) error = %v, want tx.malformed", mutated, err)
			}
		})
	}
}

func TestTamperedBodyFailsSignature(t *testing.T) {
	raw := string(signed(t, testMsg{Title: "a", Size: 1}))
	for _, repl := range [][2]string{
		{`"size":1`, `"size":2`},
		{`"chain_id":"test-chain"`, `"chain_id":"test-chaim"`},
		{`"nonce":"7"`, `"nonce":"8"`},
		{`"valid_until":42`, `"valid_until":43`},
		{`"type":"deposit"`, `"type":"withdraw"`},
	} {
		mutated := strings.Replace(raw, repl[0], repl[1], 1)
		got, err := tx.Decode([]byte(mutated))
		if err != nil {
			t.Fatalf("%s: decode: %v", repl[1], err)
		}
		if got.VerifySignature() {
			t.Fatalf("%s: tampered body still verifies", repl[1])
		}
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	raw := signed(t, testMsg{Title: strings.Repeat("x", tx.MaxBytes), Size: 1})
	if _, err := tx.Decode(raw); !errors.Is(err, tx.ErrTooLarge) {
		t.Fatalf("error = %v, want tx.too_large", err)
	}
}

func TestSignRejectsWrongKey(t *testing.T) {
	_, pub := testKey("alice")
	other, _ := testKey("bob")
	body, err := tx.NewBody("c", "m", "t", testMsg{}, pub, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Sign(body, other); err == nil {
		t.Fatal("signing with another key succeeded")
	}
}

func TestNewBodyNoncesDiffer(t *testing.T) {
	_, pub := testKey("alice")
	a, _ := tx.NewBody("c", "m", "t", testMsg{}, pub, 1)
	b, _ := tx.NewBody("c", "m", "t", testMsg{}, pub, 1)
	if a.Nonce == b.Nonce {
		t.Fatal("two bodies got the same nonce")
	}
}

func TestVerifyBatch(t *testing.T) {
	var txs []*tx.Tx
	for i := range 8 {
		raw := signed(t, testMsg{Title: "t", Size: int64(i)})
		if i == 5 {
			raw = bytes.Replace(raw, []byte(`"title":"t"`), []byte(`"title":"u"`), 1)
		}
		d, err := tx.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, d)
	}
	for i, ok := range tx.VerifyBatch(txs) {
		if ok != (i != 5) {
			t.Fatalf("tx %d: valid = %v", i, ok)
		}
	}
	if got := tx.VerifyBatch(txs[5:6]); got[0] {
		t.Fatal("single bad tx verified")
	}
}

func FuzzDecodeTx(f *testing.F) {
	f.Add(signed(f, testMsg{Title: "seed", Size: 1}))
	f.Add([]byte(`{"body":{},"sig":""}`))
	f.Add([]byte(`{"body":{"chain_id":"c","module":"m","type":"t","msg":{},"signer":"00","nonce":"1","valid_until":1},"sig":"AA=="}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := tx.Decode(raw)
		if err != nil {
			return
		}
		// Whatever decodes is canonical: encoding the decoded body and
		// signature again gives back the input exactly.
		again, err := canon.Marshal(struct {
			Body tx.Body `json:"body"`
			Sig  []byte  `json:"sig"`
		}{got.Body, got.Sig})
		if err != nil || !bytes.Equal(again, raw) {
			t.Fatalf("decoded %q, which encodes as %q (%v)", raw, again, err)
		}
		if got.Hash != sha256.Sum256(raw) {
			t.Fatal("hash mismatch")
		}
		if len(got.Sig) != ed25519.SignatureSize {
			t.Fatal("bad signature length accepted")
		}
		_ = got.VerifySignature()
	})
}

func BenchmarkDecodeVerify(b *testing.B) {
	raw := signed(b, testMsg{Title: "contract.pdf", Size: 123456})
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		t, err := tx.Decode(raw)
		if err != nil || !t.VerifySignature() {
			b.Fatal("decode/verify failed")
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	raw := signed(b, testMsg{Title: "contract.pdf", Size: 123456})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tx.Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyBatch64(b *testing.B) {
	txs := make([]*tx.Tx, 64)
	for i := range txs {
		d, err := tx.Decode(signed(b, testMsg{Title: "x", Size: int64(i)}))
		if err != nil {
			b.Fatal(err)
		}
		txs[i] = d
	}
	b.ReportAllocs()
	for b.Loop() {
		tx.VerifyBatch(txs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(txs)), "ns/sig")
}
