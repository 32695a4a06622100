package copyright

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/check"
)

// ModuleName is the module of copyright messages in a transaction.
const ModuleName = "copyright"

// Message types.
const (
	TypeRegister        = "register"
	TypeProposeTransfer = "propose_transfer"
	TypeApproveTransfer = "approve_transfer"
	TypeRejectTransfer  = "reject_transfer"
	TypeGrantLicense    = "grant_license"
	TypeRevokeLicense   = "revoke_license"
	TypeOpenDispute     = "open_dispute"
	TypeResolveDispute  = "resolve_dispute"
)

// Limits of messages. Text limits are in characters.
const (
	MaxTitle       = 200
	MaxDescription = 4000
	MaxName        = 100
	MaxScope       = 100
	MaxNote        = 1000
	MaxReasoning   = 4000
	// MaxAuthors and MaxHolders bound a work's lists, and with them the
	// index entries one registration writes.
	MaxAuthors = 20
	MaxHolders = 20
	// TotalShares is what the holders' shares, in basis points, sum to.
	TotalShares = 10_000
)

// Kinds of work.
const (
	KindText     = "text"
	KindImage    = "image"
	KindAudio    = "audio"
	KindVideo    = "video"
	KindSoftware = "software"
	KindOther    = "other"
)

var kinds = []string{KindText, KindImage, KindAudio, KindVideo, KindSoftware, KindOther}

// Outcomes of a dispute.
const (
	OutcomeUpheld    = "upheld"
	OutcomeDismissed = "dismissed"
)

// Worldwide is the territory of a license valid everywhere; other territories
// are ISO 3166-1 alpha-2 codes ("FR").
const Worldwide = "worldwide"

// ID numbers works, and separately licenses and disputes, in the order the
// chain accepted them, from 1.
type ID = chain.Serial

// ParseID reads an id from its decimal form.
func ParseID(s string) (ID, error) {
	id, ok := chain.ParseSerial(s)
	if !ok {
		return 0, ErrInvalid.Withf("id must be a positive whole number, got %q", s)
	}
	return id, nil
}

// Date is a calendar day written YYYY-MM-DD. Days are UTC days, compared
// with the UTC date of the block time. Valid dates order like their text.
type Date string

const dateLayout = "2006-01-02"

// ParseDate reads a date, accepting only its one spelling: a real day of the
// years 0001 to 9999, zero-padded.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || t.Format(dateLayout) != s || t.Year() < 1 {
		return "", ErrBadDates.Withf("date must be a real day written YYYY-MM-DD, got %q", s)
	}
	return Date(s), nil
}

// DateOf returns the UTC day of t, such as a block time.
func DateOf(t time.Time) Date { return Date(t.UTC().Format(dateLayout)) }

func (d Date) String() string { return string(d) }

// Author is an author of a work, by name and, if they have one, account.
type Author struct {
	Name    string        `json:"name"`
	Account chain.Address `json:"account,omitzero"`
}

// Holder is an account that holds rights in a work, with its royalty share
// in basis points (1/100 of a percent). Name is how the holder is shown and
// found, and may be empty.
type Holder struct {
	Account chain.Address `json:"account"`
	Name    string        `json:"name,omitempty"`
	Shares  int64         `json:"shares"`
}

// Register registers a work. Stored says whether the content itself is in
// the blob store (uploaded through the node, which stores the blob before it
// signs) or only its hash is known. Without holders the signer holds all
// 10,000 basis points. Created is the day the work was made, as claimed (a
// day begun somewhere on Earth at block time): the chain proves when a work
// was registered, not when it was created.
type Register struct {
	SHA256      chain.Hash `json:"sha256"`
	Stored      bool       `json:"stored"`
	Title       string     `json:"title"`
	Kind        string     `json:"kind"`
	Authors     []Author   `json:"authors"`
	Holders     []Holder   `json:"holders,omitempty"`
	Created     Date       `json:"created"`
	Description string     `json:"description"`
}

func (m *Register) ValidateBasic() error {
	var holders error
	if len(m.Holders) > 0 {
		holders = checkHolders(m.Holders)
	}
	return check.First(
		checkHash("sha256", m.SHA256),
		checkText("title", m.Title, 1, MaxTitle, false),
		checkKind(m.Kind),
		checkAuthors(m.Authors),
		holders,
		checkDate("created", m.Created),
		checkText("description", m.Description, 0, MaxDescription, true),
	)
}

// ProposeTransfer proposes to replace the holders of a work. The proposing
// holder's approval is implied; the transfer completes when every current
// holder has approved it.
type ProposeTransfer struct {
	Work    ID       `json:"work"`
	Holders []Holder `json:"holders"`
	Note    string   `json:"note"`
}

func (m *ProposeTransfer) ValidateBasic() error {
	return check.First(checkID("work", m.Work), checkHolders(m.Holders), checkText("note", m.Note, 0, MaxNote, true))
}

// ApproveTransfer is a current holder's approval of the pending transfer
// numbered Transfer. The number makes sure a holder approves the proposal
// they saw, not a later one.
type ApproveTransfer struct {
	Work     ID     `json:"work"`
	Transfer uint64 `json:"transfer"`
}

func (m *ApproveTransfer) ValidateBasic() error {
	return check.First(checkID("work", m.Work), checkID("transfer", ID(m.Transfer)))
}

// RejectTransfer is a current holder's refusal of the pending transfer,
// which cancels it.
type RejectTransfer struct {
	Work     ID     `json:"work"`
	Transfer uint64 `json:"transfer"`
	Reason   string `json:"reason"`
}

func (m *RejectTransfer) ValidateBasic() error {
	return check.First(checkID("work", m.Work), checkID("transfer", ID(m.Transfer)), checkText("reason", m.Reason, 0, MaxNote, true))
}

// Grant is what a license grants: to an account or to a whole
// organisation (exactly one of Licensee and LicenseeOrg), for a scope
// ("print", "streaming"), in a territory, for the days from Start up to, not
// including, End; exclusively or not; on the Terms agreed (free text).
type Grant struct {
	Licensee    chain.Address `json:"licensee,omitzero"`
	LicenseeOrg string        `json:"licensee_org,omitempty"`
	Scope       string        `json:"scope"`
	Territory   string        `json:"territory"`
	Start       Date          `json:"start"`
	End         Date          `json:"end"`
	Exclusive   bool          `json:"exclusive"`
	Terms       string        `json:"terms"`
}

// GrantLicense licenses a work.
type GrantLicense struct {
	Work ID `json:"work"`
	Grant
}

func (m *GrantLicense) ValidateBasic() error {
	return check.First(checkID("work", m.Work), m.Grant.validate())
}

func (g Grant) validate() error {
	switch {
	case g.Licensee.IsZero() == (g.LicenseeOrg == ""):
		return ErrInvalid.Withf("name exactly one of licensee (an account) and licensee_org")
	case g.LicenseeOrg != "":
		if err := members.ValidOrgID(g.LicenseeOrg); err != nil {
			return ErrInvalid.Withf("licensee_org: %v", err)
		}
	}
	if strings.TrimSpace(g.Scope) == "" {
		return ErrInvalid.Withf("scope is missing")
	}
	if !validTerritory(g.Territory) {
		return ErrInvalid.Withf("territory must be %q or an ISO 3166-1 alpha-2 country code in capitals (\"FR\", \"GB\"), got %q", Worldwide, g.Territory)
	}
	return check.First(
		checkText("scope", g.Scope, 1, MaxScope, false),
		checkPeriod(g.Start, g.End),
		checkText("terms", g.Terms, 0, MaxNote, true),
	)
}

// RevokeLicense revokes a license before it ends.
type RevokeLicense struct {
	License ID     `json:"license"`
	Reason  string `json:"reason"`
}

func (m *RevokeLicense) ValidateBasic() error {
	return check.First(checkID("license", m.License), checkText("reason", m.Reason, 1, MaxNote, true))
}

// OpenDispute contests a work's registration, citing an evidence deposit of
// the evidence app.
type OpenDispute struct {
	Work     ID     `json:"work"`
	Evidence uint64 `json:"evidence"`
	Claim    string `json:"claim"`
}

func (m *OpenDispute) ValidateBasic() error {
	if m.Evidence == 0 {
		return ErrUnknownEvidence.Withf("evidence is missing")
	}
	return check.First(checkID("work", m.Work), checkText("claim", m.Claim, 1, MaxReasoning, true))
}

// ResolveDispute decides an open dispute: upheld marks the registration
// disputed-upheld, dismissed leaves it as it was.
type ResolveDispute struct {
	Dispute   ID     `json:"dispute"`
	Outcome   string `json:"outcome"`
	Reasoning string `json:"reasoning"`
}

func (m *ResolveDispute) ValidateBasic() error {
	if m.Outcome != OutcomeUpheld && m.Outcome != OutcomeDismissed {
		return ErrInvalid.Withf("outcome must be %q or %q, got %q", OutcomeUpheld, OutcomeDismissed, m.Outcome)
	}
	return check.First(checkID("dispute", m.Dispute), checkText("reasoning", m.Reasoning, 1, MaxReasoning, true))
}

// checkHolders checks a list of holders: distinct accounts, each share
// positive, all summing to TotalShares.
func checkHolders(hs []Holder) error {
	if len(hs) == 0 || len(hs) > MaxHolders {
		return ErrInvalid.Withf("a work needs 1 to %d holders, got %d", MaxHolders, len(hs))
	}
	var sum int64
	for i, h := range hs {
		if h.Account.IsZero() {
			return ErrInvalid.Withf("holders[%d].account is missing (all zero)", i)
		}
		for _, other := range hs[:i] {
			if other.Account == h.Account {
				return ErrInvalid.Withf("holder %s is listed twice", h.Account)
			}
		}
		if err := checkText(fmt.Sprintf("holders[%d].name", i), h.Name, 0, MaxName, false); err != nil {
			return err
		}
		if h.Shares <= 0 || h.Shares > TotalShares {
			return ErrBadShares.Withf("holders[%d].shares must be 1 to %d basis points, got %d", i, TotalShares, h.Shares)
		}
		sum += h.Shares // at most MaxHolders × TotalShares: no overflow
	}
	if sum != TotalShares {
		return ErrBadShares.Withf("holder shares sum to %d basis points, not %d", sum, TotalShares)
	}
	return nil
}

// checkPeriod checks the days of a license: from start up to end, so end
// must come after start.
func checkPeriod(start, end Date) error {
	if err := check.First(checkDate("start", start), checkDate("end", end)); err != nil {
		return err
	}
	if end <= start {
		return ErrBadDates.Withf("end %s must come after start %s", end, start)
	}
	return nil
}

func checkDate(field string, d Date) error {
	if _, err := ParseDate(string(d)); err != nil {
		return ErrBadDates.Withf("%s: %v", field, err)
	}
	return nil
}

func checkHash(field string, h chain.Hash) error {
	if h.IsZero() {
		return ErrInvalidHash.Withf("%s is missing (all zero)", field)
	}
	return nil
}

func checkKind(kind string) error {
	if !slices.Contains(kinds, kind) {
		return ErrInvalid.Withf("kind must be one of %s, got %q", strings.Join(kinds, ", "), kind)
	}
	return nil
}

func checkAuthors(as []Author) error {
	if len(as) == 0 || len(as) > MaxAuthors {
		return ErrInvalid.Withf("a work needs 1 to %d authors, got %d", MaxAuthors, len(as))
	}
	for i, a := range as {
		if err := checkText(fmt.Sprintf("authors[%d].name", i), a.Name, 1, MaxName, false); err != nil {
			return err
		}
	}
	return nil
}

func validTerritory(t string) bool { return t == Worldwide || countries[t] }

// countries are the 249 officially assigned ISO 3166-1 alpha-2 codes (2025),
// without the reserved ones ("UK", "EU") and the user-assigned ones ("XK",
// used for Kosovo, which therefore has no code here). The list is part of the
// state machine: a code added changes which licenses are valid, so it
// changes only with a chain upgrade.
var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`
		AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM
		BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX
		CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG
		GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR
		IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV
		LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE
		NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
		RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
		TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF
		WS YE YT ZA ZM ZW`) {
		m[c] = true
	}
	return m
}()

func checkID(field string, id ID) error {
	if id == 0 {
		return ErrInvalid.Withf("%s is missing", field)
	}
	return nil
}

func checkText(field, s string, min, max int, multiline bool) error {
	if p := check.Text(s, min, max, multiline); p != "" {
		return ErrInvalid.Withf("%s %s", field, p)
	}
	return nil
}
