package finance

import (
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Amount is money in integer minor units of a currency: fen for CNY, cents
// for USD, yen for JPY, fils for KWD.
type Amount int64

// MaxAmount bounds every amount: 10^15 minor units (ten trillion yuan) is far
// above any one receivable and far below int64's 9.2 × 10^18, so no sum of the
// at most MaxPieces pieces of a split can overflow, and a face amount "near
// MaxInt64" is refused as the overflow attempt it is.
const MaxAmount Amount = 1_000_000_000_000_000

func (a Amount) String() string { return strconv.FormatInt(int64(a), 10) }

// SumAmounts adds amounts that must each be positive, refusing any partial sum
// above MaxAmount before it is formed, so nothing can wrap around.
func SumAmounts(amounts []Amount) (Amount, error) {
	var sum Amount
	for i, a := range amounts {
		if err := checkAmount("amounts["+strconv.Itoa(i)+"]", a); err != nil {
			return 0, err
		}
		if a > MaxAmount-sum {
			return 0, ErrOverflow.Withf("amounts sum to more than %d", MaxAmount)
		}
		sum += a
	}
	return sum, nil
}

// Currency is an ISO 4217 alphabetic code of an active currency.
type Currency string

// currencies maps the active ISO 4217 codes (list one, 2025, without the
// units that have no minor unit such as XAU or XDR) to their minor-unit
// exponents. The list is part of the state machine: adding a code changes
// which transactions are valid, so it changes only with a chain upgrade.
var currencies = func() map[Currency]int {
	m := map[Currency]int{}
	add := func(exp int, codes string) {
		for _, c := range strings.Fields(codes) {
			m[Currency(c)] = exp
		}
	}
	add(0, "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF")
	add(2, `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL
		BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP
		DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR
		ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD
		MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN
		PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
		STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES
		WST XCD XCG YER ZAR ZMW ZWG`)
	add(3, "BHD IQD JOD KWD LYD OMR TND")
	add(4, "CLF UYW")
	return m
}()

// Exponent returns the number of minor-unit digits of c, and false for a
// code that is not an active currency.
func (c Currency) Exponent() (int, bool) {
	e, ok := currencies[c]
	return e, ok
}

// Currencies returns the active codes, sorted.
func Currencies() []Currency {
	out := make([]Currency, 0, len(currencies))
	for c := range currencies {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// FormatAmount writes a in major units with the currency's decimals:
// FormatAmount(10000000, "CNY") is "100000.00".
func FormatAmount(a Amount, c Currency) string {
	e, _ := c.Exponent()
	digits := strconv.FormatUint(absAmount(a), 10)
	if e > 0 {
		if len(digits) <= e {
			digits = strings.Repeat("0", e-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-e] + "." + digits[len(digits)-e:]
	}
	if a < 0 {
		return "-" + digits
	}
	return digits
}

func absAmount(a Amount) uint64 {
	if a < 0 {
		return uint64(-(a + 1)) + 1 // -MinInt64 does not fit an int64
	}
	return uint64(a)
}

// ParseAmount reads an amount in major units, "40000.00" or "40000", with at
// most the currency's decimals, and no sign, grouping or exponent.
func ParseAmount(s string, c Currency) (Amount, error) {
	e, ok := c.Exponent()
	if !ok {
		return 0, ErrUnknownCurrency.Withf("unknown currency %q", c)
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || dot && (frac == "" || len(frac) > e || !allDigits(frac)) {
		return 0, ErrInvalidAmount.Withf("amount %q must be digits with at most %d decimals for %s", s, e, c)
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", e-len(frac)), 10, 64)
	if err != nil || Amount(n) > MaxAmount {
		return 0, ErrOverflow.Withf("amount %q is more than %s %s", s, FormatAmount(MaxAmount, c), c)
	}
	return Amount(n), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Date is a calendar day (UTC), counted in days from 1970-01-01 and written
// as YYYY-MM-DD.
type Date int32

const dateLayout = "2006-01-02"

// NewDate returns the date of year, month and day, normalised like time.Date.
func NewDate(year int, month time.Month, day int) Date {
	return Date(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DateOf returns the UTC calendar day of t: of a block time, the block date.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return NewDate(y, m, d)
}

// ParseDate reads a date in the form YYYY-MM-DD, from 1970-01-01 on.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s || t.Year() < 1970 {
		return 0, ErrInvalid.Withf("date must be YYYY-MM-DD from 1970 on, got %q", s)
	}
	return DateOf(t), nil
}

// Time is the date's first instant, UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d Date) String() string { return d.Time().Format(dateLayout) }

// AddDays returns the date n days after d.
func (d Date) AddDays(n int) Date { return d + Date(n) }

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Financing terms.
const (
	// DayCountBasis is the year of ACT/360: actual days over a 360-day year.
	DayCountBasis = 360
	// BasisPoints is one in basis points: a rate of 365 bps is 3.65 %.
	BasisPoints = 10_000
	// MaxRateBps bounds a discount rate at 100 % a year.
	MaxRateBps = 10_000
)

// Quote is what a bank pays for a piece: the face amount less the discount
// for the days until the due date.
type Quote struct {
	Days     int    `json:"days"`
	Discount Amount `json:"discount"`
	Payout   Amount `json:"payout"`
}

// QuoteFinancing prices financing face at rateBps a year on the date on for
// a piece due on due. It is refused when the piece is overdue on that date or
// the discount would leave nothing to pay out.
func QuoteFinancing(face Amount, rateBps uint32, on, due Date) (Quote, error) {
	if on > due {
		return Quote{}, ErrOverdue.Withf("the piece fell due on %s, before %s", due, on)
	}
	days := int(due - on)
	discount, err := Discount(face, rateBps, days)
	if err != nil {
		return Quote{}, err
	}
	if discount >= face {
		return Quote{}, ErrInvalidRate.Withf("at %d bps over %d days the discount %d is not less than the face amount %d", rateBps, days, discount, face)
	}
	return Quote{Days: days, Discount: discount, Payout: face - discount}, nil
}

// Discount is face × rateBps × days / (BasisPoints × DayCountBasis), computed
// exactly and rounded half up to the minor unit.
func Discount(face Amount, rateBps uint32, days int) (Amount, error) {
	if face < 0 || days < 0 || rateBps > MaxRateBps {
		return 0, ErrInvalidRate.Withf("discount of %d at %d bps over %d days is undefined", face, rateBps, days)
	}
	num := big.NewInt(int64(face))
	num.Mul(num, big.NewInt(int64(rateBps)))
	num.Mul(num, big.NewInt(int64(days)))
	den := big.NewInt(BasisPoints * DayCountBasis)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 { // a remainder of half a minor unit or more
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, ErrOverflow.Withf("discount of %d at %d bps over %d days overflows", face, rateBps, days)
	}
	return Amount(q.Int64()), nil
}
