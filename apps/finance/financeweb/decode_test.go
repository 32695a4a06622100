package financeweb_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/shared/errs"
)

func TestDecodeAmount(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		cur  finance.Currency
		want finance.Amount
		err  error
	}{
		{`"100000.00"`, "CNY", 10_000_000, nil},
		{`"100000"`, "CNY", 10_000_000, nil},
		{`"0.01"`, "CNY", 1, nil},
		{` "1.5" `, "CNY", 150, nil},
		{`"\u0031.00"`, "CNY", 100, nil}, // a JSON escape is the same string
		{`"1000"`, "JPY", 1000, nil},
		{`"1.234"`, "KWD", 1234, nil},
		{`"10000000000000.00"`, "CNY", finance.MaxAmount, nil},
		{`"10000000000000.01"`, "CNY", 0, finance.ErrOverflow},
		{`"9223372036854775807"`, "JPY", 0, finance.ErrOverflow},
		{`"99999999999999999999999"`, "CNY", 0, finance.ErrOverflow},
		{`"0"`, "CNY", 0, nil}, // zero reads; the message's check refuses it
		{`"-1.00"`, "CNY", 0, finance.ErrInvalidAmount},
		{`"+1.00"`, "CNY", 0, finance.ErrInvalidAmount},
		{`"1,000.00"`, "CNY", 0, finance.ErrInvalidAmount},
		{`"1.000"`, "CNY", 0, finance.ErrInvalidAmount},
		{`"1."`, "CNY", 0, finance.ErrInvalidAmount},
		{`".5"`, "CNY", 0, finance.ErrInvalidAmount},
		{`"1e3"`, "CNY", 0, finance.ErrInvalidAmount},
		{`""`, "CNY", 0, finance.ErrInvalidAmount},
		{`"１"`, "CNY", 0, finance.ErrInvalidAmount}, // a fullwidth digit
		{`1000`, "CNY", 0, finance.ErrInvalidAmount},
		{`1000.5`, "CNY", 0, finance.ErrInvalidAmount},
		{`null`, "CNY", 0, finance.ErrInvalidAmount},
		{``, "CNY", 0, finance.ErrInvalidAmount},
		{`"1.00`, "CNY", 0, finance.ErrInvalidAmount},
		{`"1.00"`, "XXX", 0, finance.ErrUnknownCurrency},
	} {
		got, err := financeweb.DecodeAmount("amount", json.RawMessage(tc.raw), tc.cur)
		if tc.err == nil && (err != nil || got != tc.want) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("DecodeAmount(%s, %s) = %d, %v; want %d, %v", tc.raw, tc.cur, got, err, tc.want, tc.err)
		}
	}
}

func TestParseFormAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want finance.Amount // 0: refused
	}{
		{"100,000.00", 10_000_000},
		{" 100000.00 ", 10_000_000},
		{"1,000", 100_000},
		{"10,000,000,000,000.00", finance.MaxAmount},
		{"999.99", 99_999},
		{"100,50", 0}, // a decimal comma: refused, not read as 10050
		{"1,00,000.00", 0},
		{",100.00", 0},
		{"1,000,", 0},
		{"1,000.00,", 0},
		{"", 0},
		{"1 000.00", 0},
		{"0,500", 0}, // a decimal comma too: 0.5 meant, not 500
		{"0,500.00", 0},
		{"00,250", 0},
		{"000,000", 0},
	} {
		got, err := financeweb.ParseFormAmount("amount", tc.in, "CNY")
		if tc.want == 0 && err == nil || tc.want != 0 && (err != nil || got != tc.want) {
			t.Errorf("ParseFormAmount(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestDecodeAmounts(t *testing.T) {
	raw := func(ss ...string) []json.RawMessage {
		var out []json.RawMessage
		for _, s := range ss {
			out = append(out, json.RawMessage(s))
		}
		return out
	}
	if got, err := financeweb.DecodeAmounts(raw(`"60000.00"`, `"40000.00"`), "CNY"); err != nil || len(got) != 2 || got[0] != 6_000_000 {
		t.Errorf("two pieces: %v, %v", got, err)
	}
	for _, tc := range []struct {
		in  []json.RawMessage
		err error
	}{
		{raw(`"1.00"`), finance.ErrInvalidSplit},
		{nil, finance.ErrInvalidSplit},
		{make([]json.RawMessage, finance.MaxPieces+1), finance.ErrInvalidSplit},
		{raw(`"1.00"`, `"0"`), finance.ErrInvalidAmount},
		{raw(`"1.00"`, `"-1.00"`), finance.ErrInvalidAmount},
		{raw(`"10000000000000.00"`, `"0.01"`), finance.ErrOverflow},
		{raw(`"1.00"`, `1`), finance.ErrInvalidAmount},
	} {
		if _, err := financeweb.DecodeAmounts(tc.in, "CNY"); !errors.Is(err, tc.err) {
			t.Errorf("DecodeAmounts(%d pieces) = %v, want %v", len(tc.in), err, tc.err)
		}
	}
}

func TestParseQueries(t *testing.T) {
	today := date("2026-04-01")
	q, err := financeweb.ParseQuoteQuery(url.Values{"rate_bps": {"365"}}, today)
	if err != nil || q.RateBps != 365 || q.On != today {
		t.Errorf("quote query = %+v, %v", q, err)
	}
	q, err = financeweb.ParseQuoteQuery(url.Values{"rate_bps": {"0"}, "date": {"2026-05-01"}}, today)
	if err != nil || q.RateBps != 0 || q.On != date("2026-05-01") {
		t.Errorf("quote query with a date = %+v, %v", q, err)
	}
	for _, bad := range []url.Values{{}, {"rate_bps": {""}}, {"rate_bps": {"x"}}, {"rate_bps": {"10001"}}, {"rate_bps": {"-5"}},
		{"rate_bps": {"4294967296"}}, {"rate_bps": {"365"}, "date": {"2026-4-1"}}, {"rate_bps": {"365"}, "date": {"1969-12-31"}}} {
		if _, err := financeweb.ParseQuoteQuery(bad, today); errs.As(err) == nil || errs.As(err).Kind != errs.KindInvalid {
			t.Errorf("ParseQuoteQuery(%v) = %v, want a 400", bad, err)
		}
	}

	lq, err := financeweb.ParseListQuery(url.Values{"limit": {"10"}, "state": {"financed"}, "days": {"0"}, "after": {"2026-06-30/00000000000000000003"}})
	if err != nil || lq.Limit != 10 || lq.State != finance.StateFinanced || lq.Days != 0 || lq.After == "" {
		t.Errorf("list query = %+v, %v", lq, err)
	}
	if lq, err := financeweb.ParseListQuery(nil); err != nil || lq.Days != financeweb.DefaultDueDays || lq.Limit != 0 {
		t.Errorf("empty list query = %+v, %v", lq, err)
	}
	for _, bad := range []url.Values{{"limit": {"0"}}, {"limit": {"201"}}, {"limit": {"1.5"}}, {"state": {"paid"}}, {"days": {"-1"}},
		{"days": {"3661"}}, {"after": {strings.Repeat("1", 65)}}} {
		if _, err := financeweb.ParseListQuery(bad); errs.As(err) == nil || errs.As(err).Kind != errs.KindInvalid {
			t.Errorf("ParseListQuery(%v) = %v, want a 400", bad, err)
		}
	}
}

func TestGrouped(t *testing.T) {
	for _, tc := range []struct {
		a    finance.Amount
		c    finance.Currency
		want string
	}{
		{10_000_000, "CNY", "100,000.00"},
		{4_000_000, "CNY", "40,000.00"},
		{99_999, "CNY", "999.99"},
		{1, "CNY", "0.01"},
		{0, "CNY", "0.00"},
		{1_000_000, "JPY", "1,000,000"},
		{1234567, "KWD", "1,234.567"},
		{finance.MaxAmount, "CNY", "10,000,000,000,000.00"},
		{-123456, "CNY", "-1,234.56"},
	} {
		if got := financeweb.Grouped(tc.a, tc.c); got != tc.want {
			t.Errorf("Grouped(%d, %s) = %q, want %q", tc.a, tc.c, got, tc.want)
		}
	}
	if got := financeweb.Money(4_000_000, "CNY"); got != "40,000.00 CNY" {
		t.Errorf("Money = %q", got)
	}
}

// FuzzDecodeAmount: whatever a client sends as an amount, the decoder
// answers a positive amount within bounds or a coded 400, never a panic; and
// an amount it accepts, written back in major units, reads back the same.
func FuzzDecodeAmount(f *testing.F) {
	for _, s := range []string{`"100000.00"`, `"0.01"`, `"1e5"`, `100`, `"-1"`, `"99999999999999999999"`, `"1,000.00"`, `null`, `"\u0031"`, `"1.`} {
		f.Add(s, "CNY")
	}
	f.Add(`"1.234"`, "KWD")
	f.Add(`"1"`, "JPY")
	f.Add(`"1"`, "xx")
	f.Fuzz(func(t *testing.T, raw, cur string) {
		c := finance.Currency(cur)
		a, err := financeweb.DecodeAmount("amount", json.RawMessage(raw), c)
		if err != nil {
			if e := errs.As(err); e.Kind != errs.KindInvalid || !strings.HasPrefix(e.Code, "finance.") {
				t.Fatalf("DecodeAmount(%q, %q): %v is not a coded 400", raw, cur, err)
			}
			return
		}
		if a < 0 || a > finance.MaxAmount {
			t.Fatalf("DecodeAmount(%q, %q) = %d, out of bounds", raw, cur, a)
		}
		back, err := financeweb.DecodeAmount("amount", json.RawMessage(`"`+finance.FormatAmount(a, c)+`"`), c)
		if err != nil || back != a {
			t.Fatalf("%d written as %s reads back as %d, %v", a, finance.FormatAmount(a, c), back, err)
		}
		// The form's reader agrees, with and without thousands separators.
		if got, err := financeweb.ParseFormAmount("amount", financeweb.Grouped(a, c), c); err != nil || got != a {
			t.Fatalf("%s reads back as %d, %v", financeweb.Grouped(a, c), got, err)
		}
	})
}

// FuzzParseFormAmount: a typed amount reads as one whose grouped form
// reads the same, or as a coded 400.
func FuzzParseFormAmount(f *testing.F) {
	for _, s := range []string{"100,000.00", "100,50", "1,00,000", " 7 ", "1.2.3", ",", "1,000,000,000,000,000,000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := financeweb.ParseFormAmount("amount", s, "CNY")
		if err != nil {
			if e := errs.As(err); e.Kind != errs.KindInvalid {
				t.Fatalf("ParseFormAmount(%q): %v is not a 400", s, err)
			}
			return
		}
		if a < 0 || a > finance.MaxAmount {
			t.Fatalf("ParseFormAmount(%q) = %d", s, a)
		}
		if back, err := financeweb.ParseFormAmount("amount", financeweb.Grouped(a, "CNY"), "CNY"); err != nil || back != a {
			t.Fatalf("%q = %d, grouped %q reads %d, %v", s, a, financeweb.Grouped(a, "CNY"), back, err)
		}
	})
}

// FuzzQueries: query strings of listings and quotes decode or fail with a
// coded 400, never a panic, and what decodes is within bounds.
func FuzzQueries(f *testing.F) {
	for _, s := range []string{"limit=10&state=financed", "days=0", "rate_bps=365&date=2026-04-01", "rate_bps=99999999999", "after=%00", "limit=-1", "date=2026-02-30&rate_bps=1"} {
		f.Add(s)
	}
	today := date("2026-04-01")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if lq, err := financeweb.ParseListQuery(q); err != nil {
			if errs.As(err).Kind != errs.KindInvalid {
				t.Fatalf("ParseListQuery(%q): %v", raw, err)
			}
		} else if lq.Limit < 0 || lq.Limit > finance.MaxPage || lq.Days < 0 || lq.Days > finance.MaxTermDays || len(lq.After) > 64 {
			t.Fatalf("ParseListQuery(%q) = %+v", raw, lq)
		}
		if qq, err := financeweb.ParseQuoteQuery(q, today); err != nil {
			if errs.As(err).Kind != errs.KindInvalid {
				t.Fatalf("ParseQuoteQuery(%q): %v", raw, err)
			}
		} else if qq.RateBps > finance.MaxRateBps || qq.On < 0 {
			t.Fatalf("ParseQuoteQuery(%q) = %+v", raw, qq)
		}
	})
}
