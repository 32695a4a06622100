package copyright_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/copyright"
)

func TestParseID(t *testing.T) {
	for _, s := range []string{"", "0", "-1", "01", "1.0", "x", "18446744073709551616"} {
		if _, err := copyright.ParseID(s); err == nil {
			t.Errorf("ParseID(%q) accepted", s)
		}
	}
	if id, err := copyright.ParseID("42"); err != nil || id != 42 {
		t.Fatalf("ParseID(42) = %d, %v", id, err)
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-01-01", "2024-02-29", "0001-01-01", "9999-12-31"} {
		if d, err := copyright.ParseDate(s); err != nil || string(d) != s {
			t.Errorf("ParseDate(%q) = %q, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "2025-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026/01/01",
		"2026-01-01T00:00:00Z", " 2026-01-01", "0000-01-01", "+2026-01-01", "2026-01-32", "２０２６-01-01"} {
		if _, err := copyright.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	if d := copyright.DateOf(time.Date(2026, 3, 1, 23, 30, 0, 0, time.FixedZone("", -2*3600))); d != "2026-03-02" {
		t.Errorf("DateOf takes the UTC day: %s", d)
	}
}

// FuzzParseDate: an accepted date is its own canonical spelling, orders like
// the day it names, and is a day time agrees on.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-01-01", "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31", "2026-1-1", "", "x"} {
		f.Add(s, "2026-06-15")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		da, errA := copyright.ParseDate(a)
		db, errB := copyright.ParseDate(b)
		if errA != nil {
			if !strings.Contains(errA.Error(), "YYYY-MM-DD") {
				t.Fatalf("ParseDate(%q): %v", a, errA)
			}
			return
		}
		ta, err := time.Parse("2006-01-02", a)
		if err != nil || string(da) != a || copyright.DateOf(ta) != da {
			t.Fatalf("ParseDate(%q) = %q, time says %v %v", a, da, ta, err)
		}
		if errB == nil {
			tb, _ := time.Parse("2006-01-02", b)
			if (da < db) != ta.Before(tb) {
				t.Fatalf("%s < %s disagrees with time", da, db)
			}
		}
	})
}
