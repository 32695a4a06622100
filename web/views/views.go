// Package views holds the pages of the console as templ components. Each
// page takes one view struct that its handler fills; components only format
// and never fetch, so a page renders the same for the same view. The layout
// around them (navigation, signed-in user, flash messages) is web's.
package views

import (
	"fmt"
	"strconv"
	"time"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/web/keyring"
)

// DashboardView is the chain at a glance.
type DashboardView struct {
	Status node.Status
	Blocks []node.BlockInfo // the most recent, newest first
	// TxRate is transactions a second over RateWindow before the newest
	// block (less when the chain is younger).
	TxRate     float64
	RateWindow time.Duration
}

// BlocksView is a page of blocks, newest first.
type BlocksView struct {
	Blocks []node.BlockInfo
	// Older is the ?before= cursor of the next page, 0 on the last.
	Older int64
	// Paged is true past the first page.
	Paged bool
}

// BlockView is one block with its transactions.
type BlockView struct {
	Block  node.BlockInfo
	Txs    []TxRow
	Latest int64 // the chain's height, to know whether a next block exists
}

// TxRow is a transaction as a block lists it.
type TxRow struct {
	Hash   chain.Hash
	Module string
	Type   string
	Signer string
	Status string
	Code   uint32
}

// TxView is one transaction.
type TxView struct {
	Hash   chain.Hash
	Status string // committed, rejected or pending
	Height int64  // 0 while pending
	Index  uint32
	Module string
	Type   string
	Signer string
	// The body as signed, when the block still has the transaction.
	ChainID    string
	Nonce      uint64
	ValidUntil int64
	Message    string // the message, pretty-printed JSON
	Code       uint32
	Codespace  string
	Log        string
	Events     []chain.Event
	Data       string // pretty JSON when the data is JSON, else base64
	ReceiptURL string // set once the transaction is in a block
}

// LoginView is the sign-in form.
type LoginView struct {
	CSRF      string
	Username  string
	Next      string
	Error     string
	SignedOut bool
}

// AccountView is the signed-in user and its account on chain.
type AccountView struct {
	Username string
	Org      string
	Address  string
	PubKey   string
	// OnChain is false when the chain has no account for the key.
	OnChain bool
	Revoked bool
	// Roles are the roles the account may act with now, as the chain says.
	Roles []string
}

// TokensView lists the user's API tokens.
type TokensView struct {
	CSRF   string
	Tokens []keyring.Token
}

// TokenCreatedView shows a new token's secret, the only time it is shown.
type TokenCreatedView struct {
	Token  keyring.Token
	Secret string
}

// ComingSoonApp is an app whose console is not built yet.
type ComingSoonApp struct {
	Path  string
	Name  string
	Blurb string
}

// ComingSoonApps are the apps the navigation links to before they have pages.
var ComingSoonApps = []ComingSoonApp{
	{"/evidence", "Evidence", "Deposit, hold and verify judicial evidence, with receipts any court can check offline."},
	{"/copyright", "Copyright", "Register works, transfer them and settle disputes over them."},
	{"/finance", "Finance", "Supply-chain finance: receivables from the core enterprise, split down the chain and financed by banks."},
}

// ErrorView is a failed request.
type ErrorView struct {
	Status     int
	StatusText string
	Code       string
	Message    string
}

// Title is the page title of the error.
func (v ErrorView) Title() string { return strconv.Itoa(v.Status) + " " + v.StatusText }

// Time formats a time for tables: UTC, to the second.
func Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// Short abbreviates a long hex string to its first and last characters; the
// full value goes in a title attribute beside it.
func Short(s string) string {
	if len(s) <= 16 {
		return s
	}
	return s[:10] + "…" + s[len(s)-6:]
}

func blockURL(h int64) string      { return "/blocks/" + strconv.FormatInt(h, 10) }
func olderURL(before int64) string { return "/blocks?before=" + itoa(before) }
func itoa(n int64) string          { return strconv.FormatInt(n, 10) }
func count(n int) string           { return strconv.Itoa(n) }
func u32(n uint32) string          { return strconv.FormatUint(uint64(n), 10) }
func u64(n uint64) string          { return strconv.FormatUint(n, 10) }
func rate(r float64) string        { return fmt.Sprintf("%.1f", r) }

// windowText names a measuring window: "last minute", "last 5 minutes".
func windowText(d time.Duration) string {
	switch {
	case d == time.Minute:
		return "last minute"
	case d > time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("last %d minutes", d/time.Minute)
	}
	return "last " + d.String()
}
