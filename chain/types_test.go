package chain_test

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
)

// TestParseAddress checks that typed addresses parse in either case, while
// encoded ones keep their one lowercase spelling.
func TestParseAddress(t *testing.T) {
	want := chain.SumHash([]byte("someone"))
	var addr chain.Address
	copy(addr[:], want[:])
	lower := addr.String()
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"lowercase", lower, true},
		{"uppercase", strings.ToUpper(lower), true},
		{"mixed", strings.ToUpper(lower[:10]) + lower[10:], true},
		{"short", lower[2:], false},
		{"not hex", "zz" + lower[2:], false},
		{"empty", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chain.ParseAddress(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseAddress(%q) error = %v, want ok %v", tc.in, err, tc.ok)
			}
			if tc.ok && got != addr {
				t.Fatalf("ParseAddress(%q) = %s, want %s", tc.in, got, addr)
			}
		})
	}
	// Encoded data: one spelling only.
	var decoded chain.Address
	if err := json.Unmarshal([]byte(`"`+strings.ToUpper(lower)+`"`), &decoded); err == nil {
		t.Fatal("an uppercase address decoded from JSON")
	}
}

// TestHexForms checks that hashes, keys and addresses print, encode and
// decode as lowercase hex of their bytes.
func TestHexForms(t *testing.T) {
	sum := chain.SumHash([]byte("hex forms"))
	var key chain.PubKey
	copy(key[:], sum[:])
	addr := key.Address()
	tests := []struct {
		name  string
		bytes []byte
		value interface {
			String() string
			MarshalText() ([]byte, error)
		}
	}{
		{"hash", sum[:], sum},
		{"public key", key[:], key},
		{"address", addr[:], addr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := hex.EncodeToString(tc.bytes)
			if got := tc.value.String(); got != want {
				t.Errorf("String() = %s, want %s", got, want)
			}
			text, err := tc.value.MarshalText()
			if err != nil || string(text) != want {
				t.Errorf("MarshalText() = %s, %v, want %s", text, err, want)
			}
		})
	}
	var back chain.Hash
	if err := back.UnmarshalText([]byte(sum.String())); err != nil || back != sum {
		t.Fatalf("UnmarshalText(String()) = %s, %v, want %s", back, err, sum)
	}
}
