package chain_test

import (
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
