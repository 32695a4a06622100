package chain_test

import (
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
)

func TestSerial(t *testing.T) {
	for _, s := range []string{"", "0", "-1", "01", "+1", "1.0", "x", "18446744073709551616"} {
		if _, ok := chain.ParseSerial(s); ok {
			t.Errorf("ParseSerial(%q) accepted", s)
		}
	}
	n, ok := chain.ParseSerial("42")
	if !ok || n != 42 || n.String() != "42" || n.Key() != "00000000000000000042" {
		t.Fatalf("42: %d %v %s %s", n, ok, n, n.Key())
	}
	if got, err := chain.SerialAt([]byte("app/x/" + n.Key())); err != nil || got != 42 {
		t.Fatalf("SerialAt = %d, %v", got, err)
	}
	if _, err := chain.SerialAt([]byte("short")); err == nil {
		t.Fatal("SerialAt accepted a short key")
	}
	for _, tc := range []struct {
		serial chain.Serial
		key    string
	}{
		{1, "00000000000000000001"},
		{1234567890, "00000000001234567890"},
		{^chain.Serial(0), "18446744073709551615"},
	} {
		if got := tc.serial.Key(); got != tc.key {
			t.Errorf("Serial(%d).Key() = %s, want %s", tc.serial, got, tc.key)
		}
	}
	kv := chaintest.NewMemKV()
	for want := chain.Serial(1); want <= 3; want++ {
		if got := chain.NextSerial(kv, []byte("seq")); got != want {
			t.Fatalf("NextSerial = %d, want %d", got, want)
		}
	}
}
