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

// FuzzParseText reads what people type as hashes, addresses, keys and
// serials: whatever parses has the bytes typed, in one of their spellings
// (hex in either case for hashes and addresses, lowercase for keys, decimal
// without leading zeros for serials), and prints back as that spelling.
func FuzzParseText(f *testing.F) {
	h := chain.SumHash([]byte("seed"))
	for _, s := range []string{h.String(), strings.ToUpper(h.String()), h.String()[:40], "42", "0", "01", "18446744073709551615", "", "Ｆ" + h.String()[1:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		isHex := func(lowerOnly bool) bool {
			for _, c := range []byte(s) {
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || !lowerOnly && 'A' <= c && c <= 'F') {
					return false
				}
			}
			return true
		}
		if h, err := chain.ParseHash(s); err == nil && (len(s) != 64 || !isHex(false) || h.String() != strings.ToLower(s)) {
			t.Fatalf("ParseHash(%q) = %s", s, h)
		}
		if a, err := chain.ParseAddress(s); err == nil && (len(s) != 40 || !isHex(false) || a.String() != strings.ToLower(s)) {
			t.Fatalf("ParseAddress(%q) = %s", s, a)
		}
		if k, err := chain.ParsePubKey(s); err == nil && (len(s) != 64 || !isHex(true) || k.String() != s) {
			t.Fatalf("ParsePubKey(%q) = %s", s, k)
		}
		if n, ok := chain.ParseSerial(s); ok {
			if n == 0 || n.String() != s {
				t.Fatalf("ParseSerial(%q) = %d", s, n)
			}
			if back, err := chain.SerialAt([]byte("x/" + n.Key())); err != nil || back != n {
				t.Fatalf("serial %d keyed as %s reads back as %d, %v", n, n.Key(), back, err)
			}
		}
	})
}
