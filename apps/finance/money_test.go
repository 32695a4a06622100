package finance_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/shared/canon"
)

// TestDiscountWorkedExamples shows the arithmetic of the discount,
//
//	discount = face × rate_bps × days / (10,000 × 360), rounded half up,
//
// on amounts in minor units.
func TestDiscountWorkedExamples(t *testing.T) {
	cases := []struct {
		name     string
		face     string
		currency finance.Currency
		rateBps  uint32
		days     int
		discount string
		payout   string
	}{
		// 4,000,000 × 365 × 90 = 131,400,000,000; / 3,600,000 = 36,500 exactly.
		{"exact", "40000.00", "CNY", 365, 90, "365.00", "39635.00"},
		// 4,000,000 × 365 × 31 = 45,260,000,000; / 3,600,000 = 12,572.22… → 12,572.
		{"rounds down", "40000.00", "CNY", 365, 31, "125.72", "39874.28"},
		// 4,000,000 × 365 × 30 = 43,800,000,000; / 3,600,000 = 12,166.67 → 12,167.
		{"rounds up", "40000.00", "CNY", 365, 30, "121.67", "39878.33"},
		// 10,000 × 180 × 1 = 1,800,000; / 3,600,000 = 0.5 exactly → 1: half rounds up.
		{"half rounds up", "100.00", "USD", 180, 1, "0.01", "99.99"},
		// 9,999 × 180 × 1 = 1,799,820; / 3,600,000 = 0.49995 → 0.
		{"just under half", "99.99", "USD", 180, 1, "0.00", "99.99"},
		// Yen have no minor unit: 1,000,000 × 250 × 60 = 15,000,000,000;
		// / 3,600,000 = 4,166.67 → 4,167 yen.
		{"JPY", "1000000", "JPY", 250, 60, "4167", "995833"},
		// Fils are thousandths of a dinar: 12,345,678 × 475 × 45 =
		// 263,888,867,250; / 3,600,000 = 73,302.46 → 73,302 fils.
		{"KWD", "12345.678", "KWD", 475, 45, "73.302", "12272.376"},
		// 10^15 × 10,000 × 359 = 3.59 × 10^21, beyond int64's 9.2 × 10^18,
		// is exact in math/big: / 3,600,000 = 997,222,222,222,222.2 → …222.
		{"largest face, no overflow", "10000000000000.00", "CNY", finance.MaxRateBps, 359, "9972222222222.22", "27777777777.78"},
		{"no days", "40000.00", "CNY", 365, 0, "0.00", "40000.00"},
		{"no rate", "40000.00", "CNY", 0, 90, "0.00", "40000.00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			face := mustParse(t, tc.face, tc.currency)
			due := finance.NewDate(2026, 6, 30)
			q, err := finance.QuoteFinancing(face, tc.rateBps, due.AddDays(-tc.days), due)
			if err != nil {
				t.Fatal(err)
			}
			if got := finance.FormatAmount(q.Discount, tc.currency); got != tc.discount || q.Days != tc.days {
				t.Errorf("discount = %s over %d days, want %s", got, q.Days, tc.discount)
			}
			if got := finance.FormatAmount(q.Payout, tc.currency); got != tc.payout || q.Payout+q.Discount != face {
				t.Errorf("payout = %s, want %s", got, tc.payout)
			}
		})
	}
}

func TestQuoteRefused(t *testing.T) {
	due := finance.NewDate(2026, 6, 30)
	cases := []struct {
		name    string
		face    finance.Amount
		rateBps uint32
		on      finance.Date
		want    error
	}{
		{"overdue", 100, 100, due.AddDays(1), finance.ErrOverdue},
		// 100 × 10,000 × 360 / 3,600,000 = 100: nothing left to pay out.
		{"discount equals face", 100, 10_000, due.AddDays(-360), finance.ErrInvalidRate},
		// 100 × 10,000 × 359 / 3,600,000 = 99.72, rounded up to the face.
		{"rounded up to the face", 100, 10_000, due.AddDays(-359), finance.ErrInvalidRate},
		{"discount above face", 100, 10_000, due.AddDays(-3000), finance.ErrInvalidRate},
		{"rate above the bound", 100, finance.MaxRateBps + 1, due.AddDays(-10), finance.ErrInvalidRate},
	}
	for _, tc := range cases {
		if _, err := finance.QuoteFinancing(tc.face, tc.rateBps, tc.on, due); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if q, err := finance.QuoteFinancing(100, 10_000, due.AddDays(-358), due); err != nil || q.Payout != 1 {
		t.Errorf("358 days at 100 %%: %+v, %v", q, err)
	}
	if _, err := finance.Discount(100, 100, -1); !errors.Is(err, finance.ErrInvalidRate) {
		t.Errorf("negative days: %v", err)
	}
}

// TestDiscountRounding checks the rounding rule against its definition for
// random terms: the discount d is the one integer with
// |face × rate × days − d × 3,600,000| ≤ 1,800,000, ties going up.
func TestDiscountRounding(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		face := rapid.Int64Range(0, 1e12).Draw(t, "face") // small enough to check in int64
		rate := rapid.Uint32Range(0, finance.MaxRateBps).Draw(t, "rate")
		days := rapid.IntRange(0, 720).Draw(t, "days")
		d, err := finance.Discount(finance.Amount(face), rate, days)
		if err != nil {
			t.Fatal(err)
		}
		// face × rate ≤ 10^16 and × days ≤ 7.2 × 10^18 < MaxInt64.
		num := face * int64(rate) * int64(days)
		diff := num - int64(d)*3_600_000
		if diff < -1_800_000 || diff >= 1_800_000 {
			t.Fatalf("discount %d of %d: off by %d / 3,600,000", d, num, diff)
		}
	})
}

func mustParse(t *testing.T, s string, c finance.Currency) finance.Amount {
	t.Helper()
	a, err := finance.ParseAmount(s, c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAmounts(t *testing.T) {
	good := []struct {
		s    string
		c    finance.Currency
		want finance.Amount
	}{
		{"100000.00", "CNY", 10_000_000},
		{"100000", "CNY", 10_000_000},
		{"0.5", "CNY", 50},
		{"0.05", "EUR", 5},
		{"1000", "JPY", 1000},
		{"1.234", "KWD", 1234},
		{"1.2345", "CLF", 12345},
		{"10000000000000.00", "CNY", finance.MaxAmount},
	}
	for _, tc := range good {
		if got, err := finance.ParseAmount(tc.s, tc.c); err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v", tc.s, tc.c, got, err)
		}
	}
	bad := []struct {
		s    string
		c    finance.Currency
		want error
	}{
		{"1.234", "CNY", finance.ErrInvalidAmount},
		{"1.0", "JPY", finance.ErrInvalidAmount},
		{"1.", "CNY", finance.ErrInvalidAmount},
		{".5", "CNY", finance.ErrInvalidAmount},
		{"-1", "CNY", finance.ErrInvalidAmount},
		{"+1", "CNY", finance.ErrInvalidAmount},
		{"1e3", "CNY", finance.ErrInvalidAmount},
		{"1,000", "CNY", finance.ErrInvalidAmount},
		{" 1", "CNY", finance.ErrInvalidAmount},
		{"", "CNY", finance.ErrInvalidAmount},
		{"10000000000000.01", "CNY", finance.ErrOverflow},
		{"92233720368547758.08", "CNY", finance.ErrOverflow},
		{"99999999999999999999999", "JPY", finance.ErrOverflow},
		{"1", "XXX", finance.ErrUnknownCurrency},
	}
	for _, tc := range bad {
		if _, err := finance.ParseAmount(tc.s, tc.c); !errors.Is(err, tc.want) {
			t.Errorf("ParseAmount(%q, %s) = %v, want %v", tc.s, tc.c, err, tc.want)
		}
	}
	formats := []struct {
		a    finance.Amount
		c    finance.Currency
		want string
	}{
		{10_000_000, "CNY", "100000.00"}, {5, "CNY", "0.05"}, {0, "USD", "0.00"}, {-5, "CNY", "-0.05"},
		{4167, "JPY", "4167"}, {73302, "KWD", "73.302"}, {math.MinInt64, "JPY", "-9223372036854775808"},
	}
	for _, tc := range formats {
		if got := finance.FormatAmount(tc.a, tc.c); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %s, want %s", tc.a, tc.c, got, tc.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a := finance.Amount(rapid.Int64Range(0, int64(finance.MaxAmount)).Draw(t, "amount"))
		c := rapid.SampledFrom(finance.Currencies()).Draw(t, "currency")
		if got, err := finance.ParseAmount(finance.FormatAmount(a, c), c); err != nil || got != a {
			t.Fatalf("%d %s reads back as %d, %v", a, c, got, err)
		}
	})
}

func TestSumAmounts(t *testing.T) {
	const maxInt = finance.Amount(math.MaxInt64)
	cases := []struct {
		in   []finance.Amount
		sum  finance.Amount
		want error
	}{
		{[]finance.Amount{1, 2, 3}, 6, nil},
		{[]finance.Amount{finance.MaxAmount - 1, 1}, finance.MaxAmount, nil},
		{[]finance.Amount{finance.MaxAmount, 1}, 0, finance.ErrOverflow},
		{[]finance.Amount{maxInt, maxInt, 2}, 0, finance.ErrOverflow}, // wraps to 0 in int64
		{[]finance.Amount{1, maxInt}, 0, finance.ErrOverflow},
		{[]finance.Amount{0, 1}, 0, finance.ErrInvalidAmount},
		{[]finance.Amount{1, -1}, 0, finance.ErrInvalidAmount},
	}
	for _, tc := range cases {
		sum, err := finance.SumAmounts(tc.in)
		if sum != tc.sum || !errors.Is(err, tc.want) && (err != nil || tc.want != nil) {
			t.Errorf("SumAmounts(%v) = %d, %v; want %d, %v", tc.in, sum, err, tc.sum, tc.want)
		}
	}
}

func TestCurrencies(t *testing.T) {
	for c, want := range map[finance.Currency]int{"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "CLF": 4} {
		if e, ok := c.Exponent(); !ok || e != want {
			t.Errorf("%s: exponent %d, %v; want %d", c, e, ok, want)
		}
	}
	for _, c := range []finance.Currency{"", "cny", "XAU", "XDR", "XXX", "HRK", "CNYY"} {
		if _, ok := c.Exponent(); ok {
			t.Errorf("%q is a currency", c)
		}
	}
	all := finance.Currencies()
	if len(all) < 150 || !slices.IsSorted(all) || !slices.Contains(all, "CNY") {
		t.Errorf("Currencies() = %d codes", len(all))
	}
}

func TestDates(t *testing.T) {
	d, err := finance.ParseDate("2026-06-30")
	if err != nil || d.String() != "2026-06-30" || d != finance.NewDate(2026, time.June, 30) {
		t.Fatalf("ParseDate = %s, %v", d, err)
	}
	for _, s := range []string{"", "2026-6-30", "2026-02-30", "26-06-30", "2026-06-30T00:00:00Z", "1969-12-31", "2026/06/30"} {
		if _, err := finance.ParseDate(s); !errors.Is(err, finance.ErrInvalid) {
			t.Errorf("ParseDate(%q): %v", s, err)
		}
	}
	// A block date is the UTC day, whatever the zone of the time.
	east := time.FixedZone("UTC+8", 8*3600)
	if got := finance.DateOf(time.Date(2026, 7, 1, 7, 0, 0, 0, east)); got.String() != "2026-06-30" {
		t.Errorf("DateOf(07:00 +08:00 on 1 July) = %s", got)
	}
	if got := finance.DateOf(time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC)); got != d {
		t.Errorf("DateOf(23:59:59) = %s", got)
	}
	// Days between dates are calendar days: ACT.
	if n := date("2026-06-30") - date("2026-04-01"); n != 90 {
		t.Errorf("1 April to 30 June: %d days", n)
	}
	if n := date("2028-03-01") - date("2028-02-01"); n != 29 {
		t.Errorf("February 2028: %d days", n)
	}
	type holder struct {
		D finance.Date `json:"d"`
	}
	if b := canon.MustMarshal(holder{d}); string(b) != `{"d":"2026-06-30"}` {
		t.Errorf("encoded as %s", b)
	}
	var h holder
	if err := canon.Unmarshal([]byte(`{"d":"2026-6-30"}`), &h); err == nil {
		t.Error("a non-canonical date decoded")
	}
}

func TestParseID(t *testing.T) {
	for _, s := range []string{"", "0", "-1", "01", "1.0", "x", "18446744073709551616"} {
		if _, err := finance.ParseID(s); err == nil {
			t.Errorf("ParseID(%q) accepted", s)
		}
	}
	if id, err := finance.ParseID("42"); err != nil || id != 42 {
		t.Fatalf("ParseID(42) = %d, %v", id, err)
	}
}
