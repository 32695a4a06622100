package financeweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/chancery/chancery/apps/finance"
)

// The decoders of what clients send: amounts in JSON and in forms, and the
// query parameters of listings and quotes. They are pure functions of their
// input, so the fuzz targets beside them reach every branch.

// DecodeAmount reads an amount of currency c from a JSON value: a string of
// major units, "100000.00" or "100000", read exactly by finance.ParseAmount
// (at most the currency's decimals; no sign, grouping or exponent). A JSON
// number is refused: clients that build one often pass it through a float,
// which cannot hold every amount, and a number of minor units would read the
// same as one of major units. Errors name field.
func DecodeAmount(field string, raw json.RawMessage, c finance.Currency) (finance.Amount, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, finance.ErrInvalidAmount.Withf("%s is missing: send a string of major units, like \"100000.00\"", field)
	}
	if raw[0] != '"' {
		return 0, finance.ErrInvalidAmount.Withf("%s must be a JSON string of major units, like \"100000.00\", not %s", field, clip(string(raw)))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, finance.ErrInvalidAmount.Withf("%s is not a valid JSON string", field)
	}
	return ParseAmount(field, s, c)
}

// ParseAmount is finance.ParseAmount with errors that name field.
func ParseAmount(field, s string, c finance.Currency) (finance.Amount, error) {
	a, err := finance.ParseAmount(s, c)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	return a, nil
}

// DecodeAmounts reads the amounts of a split, refusing more than
// finance.MaxPieces before reading any.
func DecodeAmounts(raws []json.RawMessage, c finance.Currency) ([]finance.Amount, error) {
	if len(raws) < 2 || len(raws) > finance.MaxPieces {
		return nil, finance.ErrInvalidSplit.Withf("a split makes 2 to %d pieces, got %d", finance.MaxPieces, len(raws))
	}
	out := make([]finance.Amount, len(raws))
	for i, raw := range raws {
		a, err := DecodeAmount("amounts["+strconv.Itoa(i)+"]", raw, c)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	if _, err := finance.SumAmounts(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseFormAmount reads an amount typed into a page's form. People write
// thousands separators, so "100,000.00" is read as 100000.00 — but only
// when the commas group the whole part in threes after a first group that
// does not start with 0: "100,50" and "0,500" (decimal commas elsewhere) are
// refused rather than read as 10050 and 500.
func ParseFormAmount(field, s string, c finance.Currency) (finance.Amount, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ",") {
		whole, frac, dot := strings.Cut(s, ".")
		groups := strings.Split(whole, ",")
		ok := len(groups[0]) >= 1 && len(groups[0]) <= 3 && groups[0][0] != '0'
		for _, g := range groups[1:] {
			ok = ok && len(g) == 3
		}
		if !ok {
			return 0, finance.ErrInvalidAmount.Withf("%s %q: write the amount like 100000.00 or 100,000.00", field, clip(s))
		}
		s = strings.Join(groups, "")
		if dot {
			s += "." + frac
		}
	}
	if s == "" {
		return 0, finance.ErrInvalidAmount.Withf("%s is missing", field)
	}
	return ParseAmount(field, s, c)
}

// ParseCurrency reads an ISO 4217 code, case-insensitively.
func ParseCurrency(s string) (finance.Currency, error) {
	c := finance.Currency(strings.ToUpper(strings.TrimSpace(s)))
	if _, ok := c.Exponent(); !ok {
		return "", finance.ErrUnknownCurrency.Withf("currency %q is not an active ISO 4217 code", clip(s))
	}
	return c, nil
}

// ListQuery is what a listing takes from its query string.
type ListQuery struct {
	After string
	Limit int           // 0: the default page size
	State finance.State // "" for every state; held pieces only
	Days  int           // due soon only: the window in days, today included
	Owed  bool          // overdue only: pieces the organisation owes, not holds
}

// DefaultDueDays is the window of the due-soon listing when ?days= is absent.
const DefaultDueDays = 30

// stateNames lists the states for errors: "issued, accepted, …".
var stateNames = func() string {
	var names []string
	for _, s := range finance.States() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}()

// ParseListQuery reads ?after=, ?limit=, ?state= and ?days=. Cursors are
// checked by the queries themselves, which know their form.
func ParseListQuery(q url.Values) (ListQuery, error) {
	lq := ListQuery{After: q.Get("after"), Days: DefaultDueDays}
	if len(lq.After) > 64 {
		return lq, finance.ErrInvalidCursor.Withf("after is too long")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > finance.MaxPage {
			return lq, finance.ErrInvalid.Withf("limit must be a whole number from 1 to %d, got %q", finance.MaxPage, clip(s))
		}
		lq.Limit = n
	}
	if s := q.Get("state"); s != "" {
		st, err := finance.ParseState(s)
		if err != nil {
			return lq, finance.ErrInvalid.Withf("state %q is not one of %s", clip(s), stateNames)
		}
		lq.State = st
	}
	if s := q.Get("owed"); s != "" {
		owed, err := strconv.ParseBool(s)
		if err != nil {
			return lq, finance.ErrInvalid.Withf("owed must be true or false, got %q", clip(s))
		}
		lq.Owed = owed
	}
	if s := q.Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > finance.MaxTermDays {
			return lq, finance.ErrInvalid.Withf("days must be a whole number from 0 to %d, got %q", finance.MaxTermDays, clip(s))
		}
		lq.Days = n
	}
	return lq, nil
}

// QuoteQuery is what a financing quote takes from its query string.
type QuoteQuery struct {
	RateBps uint32
	On      finance.Date // the day the bank would approve
}

// ParseQuoteQuery reads ?rate_bps= (required, 0 to finance.MaxRateBps) and
// ?date= (YYYY-MM-DD, default today: the date of the last block).
func ParseQuoteQuery(q url.Values, today finance.Date) (QuoteQuery, error) {
	qq := QuoteQuery{On: today}
	s := q.Get("rate_bps")
	if s == "" {
		return qq, finance.ErrInvalidRate.Withf("rate_bps is missing: the discount rate in basis points a year, like 365 for 3.65 %%")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > finance.MaxRateBps {
		return qq, finance.ErrInvalidRate.Withf("rate_bps must be a whole number from 0 to %d, got %q", finance.MaxRateBps, clip(s))
	}
	qq.RateBps = uint32(n)
	if s := q.Get("date"); s != "" {
		d, err := finance.ParseDate(s)
		if err != nil {
			return qq, finance.ErrInvalid.Withf("date must be YYYY-MM-DD, got %q", clip(s))
		}
		qq.On = d
	}
	return qq, nil
}

// clip shortens what a client sent for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
