package evidence

import (
	"slices"
	"strings"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/check"
)

// ModuleName is the module of evidence messages in a transaction.
const ModuleName = "evidence"

// Message types.
const (
	TypeDeposit  = "deposit"
	TypeAttest   = "attest"
	TypeCustody  = "custody"
	TypeAccess   = "access"
	TypeWithdraw = "withdraw"
	TypeShare    = "share"
	TypeAnchor   = "anchor_batch"
)

// Limits of the free-text fields, in characters.
const (
	MaxTitle       = 200
	MaxDescription = 4000
	MaxFileName    = 255
	MaxMediaType   = 127
	MaxCaseRef     = 100
	MaxNote        = 1000
	MaxReason      = 500
	// MaxBatch is the most hashes one anchored batch may hold.
	MaxBatch = 100_000
)

// ID numbers evidence deposits (and, separately, batches) in the order the
// chain accepted them, from 1.
type ID = chain.Serial

// ParseID reads an id from its decimal form.
func ParseID(s string) (ID, error) {
	id, ok := chain.ParseSerial(s)
	if !ok {
		return 0, ErrInvalid.Withf("evidence id must be a positive whole number, got %q", s)
	}
	return id, nil
}

// Deposit records a file's or a hash's existence. Stored says whether the
// file itself is in the blob store (uploaded through the node, which stores
// the blob before it signs the deposit) or only its hash is known.
type Deposit struct {
	SHA256      chain.Hash `json:"sha256"`
	Size        int64      `json:"size"`
	MediaType   string     `json:"media_type"`
	FileName    string     `json:"file_name"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	CaseRef     string     `json:"case_ref"`
	Stored      bool       `json:"stored"`
}

func (m *Deposit) ValidateBasic() error {
	return check.First(
		checkHash("sha256", m.SHA256),
		checkNonNegative("size", m.Size),
		checkMediaType(m.MediaType),
		checkText("file_name", m.FileName, 0, MaxFileName, false),
		checkText("title", m.Title, 1, MaxTitle, false),
		checkText("description", m.Description, 0, MaxDescription, true),
		checkText("case_ref", m.CaseRef, 0, MaxCaseRef, false),
	)
}

// Attest co-signs a deposit on behalf of the signer's organisation, with a
// statement of what it attests ("received the original on …").
type Attest struct {
	ID        ID     `json:"id"`
	Statement string `json:"statement"`
}

func (m *Attest) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("statement", m.Statement, 1, MaxNote, true))
}

// Share opens a deposit's file to another organisation (a forensic lab
// that is to examine it, the other party's counsel), with an optional note
// of why. The depositing organisation decides; the custody log records it.
type Share struct {
	ID   ID     `json:"id"`
	Org  string `json:"org"`
	Note string `json:"note"`
}

func (m *Share) ValidateBasic() error {
	return check.First(checkID(m.ID), members.ValidOrgID(m.Org), checkText("note", m.Note, 0, MaxNote, true))
}

// Custody actions a custodian records.
var custodyActions = []string{"received", "transferred", "stored", "sealed", "unsealed", "examined", "returned", "note"}

// CustodyActions are the actions a custody entry may record, for forms.
func CustodyActions() []string { return slices.Clone(custodyActions) }

// Custody records a step in the chain of custody.
type Custody struct {
	ID     ID     `json:"id"`
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (m *Custody) ValidateBasic() error {
	if err := checkID(m.ID); err != nil {
		return err
	}
	found := false
	for _, a := range custodyActions {
		found = found || a == m.Action
	}
	if !found {
		return ErrInvalid.Withf("action must be one of %s, got %q", strings.Join(custodyActions, ", "), m.Action)
	}
	return checkText("note", m.Note, 0, MaxNote, true)
}

// Access records that the signer opened (downloaded) the evidence's file.
// The node signs it for the downloading user before it serves the file, so
// every download is in the custody log.
type Access struct {
	ID      ID     `json:"id"`
	Purpose string `json:"purpose"`
}

func (m *Access) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("purpose", m.Purpose, 0, MaxNote, false))
}

// Withdraw marks a deposit withdrawn. It stays visible, with the reason.
type Withdraw struct {
	ID     ID     `json:"id"`
	Reason string `json:"reason"`
}

func (m *Withdraw) ValidateBasic() error {
	return check.First(checkID(m.ID), checkText("reason", m.Reason, 1, MaxReason, false))
}

// AnchorBatch anchors many hashes at once: Root is the RFC 6962 Merkle root
// of the hashes in the order given (see Tree), LeavesSHA256 names the blob
// that lists them, from which each hash's proof is computed.
type AnchorBatch struct {
	Root         chain.Hash `json:"root"`
	Count        uint32     `json:"count"`
	LeavesSHA256 chain.Hash `json:"leaves_sha256"`
	Title        string     `json:"title"`
}

func (m *AnchorBatch) ValidateBasic() error {
	if m.Count == 0 || m.Count > MaxBatch {
		return ErrInvalid.Withf("count must be 1 to %d, got %d", MaxBatch, m.Count)
	}
	return check.First(
		checkHash("root", m.Root),
		checkHash("leaves_sha256", m.LeavesSHA256),
		checkText("title", m.Title, 0, MaxTitle, false),
	)
}

func checkHash(field string, h chain.Hash) error {
	if h.IsZero() {
		return ErrInvalidHash.Withf("%s is missing (all zero)", field)
	}
	return nil
}

func checkID(id ID) error {
	if id == 0 {
		return ErrInvalid.Withf("id is missing")
	}
	return nil
}

func checkNonNegative(field string, n int64) error {
	if n < 0 {
		return ErrInvalid.Withf("%s must not be negative, got %d", field, n)
	}
	return nil
}

func checkText(field, s string, min, max int, multiline bool) error {
	if p := check.Text(s, min, max, multiline); p != "" {
		return ErrInvalid.Withf("%s %s", field, p)
	}
	return nil
}

// checkMediaType accepts "" or a type/subtype of printable ASCII.
func checkMediaType(mt string) error {
	if mt == "" {
		return nil
	}
	typ, sub, ok := strings.Cut(mt, "/")
	if len(mt) > MaxMediaType || !ok || typ == "" || sub == "" {
		return ErrInvalid.Withf("media_type must be like \"application/pdf\", got %q", mt)
	}
	for i := 0; i < len(mt); i++ {
		if mt[i] <= ' ' || mt[i] > '~' {
			return ErrInvalid.Withf("media_type must be printable ASCII without spaces, got %q", mt)
		}
	}
	return nil
}
