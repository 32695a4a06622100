package financeweb_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chancery/chancery/apps/finance"
	"github.com/chancery/chancery/apps/finance/financeweb"
	"github.com/chancery/chancery/web/webtest"
)

// TestGoldenPages renders the bank's page and a piece's page (with its
// lineage picture and the bank's financing preview; and as its holder, who
// may withdraw the request) over the fixed history
// and compares them with testdata/golden; run with -update to accept
// changes.
func TestGoldenPages(t *testing.T) {
	e := newEnv(t)
	e.history()
	bank, supplier, holder := e.Client().Login("bank"), e.Client().Login("supplier"), e.Client().Login("subsupplier")
	for _, cl := range []*webtest.Client{bank, supplier, holder} {
		cl.PinCSRF()
	}
	cases := []struct {
		name string
		cl   *webtest.Client
		path string
	}{
		{"bank.html", bank, "/finance/bank"},
		{"piece_bank.html", bank, "/finance/receivables/3?rate_bps=365"},
		{"piece_holder.html", holder, "/finance/receivables/3"},
		{"supplier.html", supplier, "/finance/supplier"},
		{"lineage.svg", bank, "/finance/receivables/3/lineage.svg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.cl.Get(tc.path)
			webtest.WantStatus(t, rec, http.StatusOK)
			got := rec.Body.String()
			if strings.HasSuffix(tc.name, ".html") {
				got = webtest.Readable(got)
			}
			webtest.Golden(t, tc.name, got)
		})
	}
}

// TestLineageSVG draws trees straight from pieces: the story's, and one of
// a hundred pieces three splits deep with every state and long names. The
// pictures are compared with testdata/golden, and must be the same on
// every run and well-formed.
func TestLineageSVG(t *testing.T) {
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	big := bigTree()
	if len(big) != 100 {
		t.Fatalf("big tree has %d pieces", len(big))
	}
	names := map[string]string{"supplier-1": "First-Tier Supplier Ltd.", "bank": "Example Commercial Bank",
		"long": "An Organisation Whose Name Is Far Too Long <&> To Fit", "supplier-2": "Second-Tier Parts Co."}
	svg := financeweb.LineageSVG(big, 7, names, now)
	if svg == "" || svg != financeweb.LineageSVG(big, 7, names, now) {
		t.Fatal("the picture is empty or differs between runs")
	}
	for _, want := range []string{`data-piece="100"`, "An Organisation Whose Nam…", "&lt;&amp;&gt;", "overdue", "financing requested", `stroke-width="3"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	wellFormed(t, svg)
	webtest.Golden(t, "lineage_big.svg", svg)

	// Bounds: one piece more, or one split deeper, and it is a table.
	more := append(bigTree(), finance.Receivable{ID: 101, Root: 1, Parent: 1, Depth: 1, State: finance.StateAccepted, Currency: "CNY"})
	more[0].Children = append(more[0].Children, 101)
	for len(more) <= financeweb.MaxDrawnPieces {
		n := finance.ID(len(more) + 1)
		more = append(more, finance.Receivable{ID: n, Root: 1, Parent: 1, Depth: 1, State: finance.StateAccepted, Currency: "CNY"})
		more[0].Children = append(more[0].Children, n)
	}
	if financeweb.Drawable(more) || financeweb.LineageSVG(more, 1, nil, now) != "" {
		t.Errorf("a tree of %d pieces is drawn", len(more))
	}
	deep := []finance.Receivable{{ID: 1, Root: 1, State: finance.StateSplit, Currency: "CNY"}}
	for d := 1; d <= financeweb.MaxDrawnDepth+1; d++ {
		deep[d-1].Children = []finance.ID{finance.ID(d + 1)}
		deep = append(deep, finance.Receivable{ID: finance.ID(d + 1), Root: 1, Parent: finance.ID(d), Depth: d, State: finance.StateSplit, Currency: "CNY"})
	}
	if financeweb.Drawable(deep) {
		t.Errorf("a tree %d deep is drawable", financeweb.MaxDrawnDepth+1)
	}
	if !financeweb.Drawable(deep[:financeweb.MaxDrawnDepth+1]) {
		t.Errorf("a tree %d deep is not drawable", financeweb.MaxDrawnDepth)
	}
}

// bigTree is a receivable of 100 pieces: the root split into 9, the first
// of those into 30, one of those into 40, and another into 20, every state
// represented, some pieces overdue.
func bigTree() []finance.Receivable {
	var ps []finance.Receivable
	add := func(parent finance.ID, depth int, amount finance.Amount, holder string, st finance.State, due string) finance.ID {
		id := finance.ID(len(ps) + 1)
		d, _ := finance.ParseDate(due)
		ps = append(ps, finance.Receivable{ID: id, Root: 1, Parent: parent, Depth: depth, Amount: amount, Currency: "CNY",
			DueDate: d, Holder: holder, State: st})
		if parent != 0 {
			ps[parent-1].Children = append(ps[parent-1].Children, id)
		}
		return id
	}
	states := []finance.State{finance.StateAccepted, finance.StateFinancingRequested, finance.StateFinanced, finance.StateSettled}
	holders := []string{"supplier-1", "supplier-2", "bank", "long"}
	root := add(0, 0, 1_000_000_000_000, "supplier-1", finance.StateSplit, "2026-06-30")
	first := add(root, 1, 100_000_000_000, "supplier-1", finance.StateSplit, "2026-06-30")
	for i := range 8 {
		due := "2026-06-30"
		if i%3 == 0 {
			due = "2026-03-31" // overdue on 2026-04-01 when unpaid
		}
		add(root, 1, 112_500_000_000, holders[i%4], states[i%4], due)
	}
	var third, fourth finance.ID
	for i := range 30 {
		id := add(first, 2, 3_333_333_333+finance.Amount(i), holders[(i+1)%4], states[i%4], "2026-06-30")
		switch i {
		case 3:
			third = id
			ps[id-1].State = finance.StateSplit
		case 17:
			fourth = id
			ps[id-1].State = finance.StateSplit
		}
	}
	for i := range 40 {
		add(third, 3, 83_333_333, holders[i%4], states[(i+2)%4], "2026-06-30")
	}
	for i := range 20 {
		st := finance.StateRejected
		if i < 10 {
			st = finance.StateIssued
		}
		add(fourth, 3, 166_666_666, holders[(i+3)%4], st, "2026-06-30")
	}
	return ps
}

// wellFormed checks the picture has balanced tags and escapes its text.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	tags := regexp.MustCompile(`<(/?)([a-z]+)[^>]*?(/?)>`).FindAllStringSubmatch(svg, -1)
	var stack []string
	for _, m := range tags {
		switch {
		case m[3] == "/":
		case m[1] == "":
			stack = append(stack, m[2])
		case len(stack) == 0 || stack[len(stack)-1] != m[2]:
			t.Fatalf("</%s> closes %v", m[2], stack)
		default:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed %v", stack)
	}
	if strings.Contains(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(svg, ""), "<") {
		t.Fatal("unescaped < in text")
	}
}
