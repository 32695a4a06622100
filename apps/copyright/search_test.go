package copyright_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chancery/chancery/apps/copyright"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/chain/chaintest"
	"github.com/chancery/chancery/shared/errs"
)

func search(t *testing.T, c *chaintest.Chain, q, after string, limit int) copyright.Page {
	t.Helper()
	return view(t, c, func(r chain.Reader) (copyright.Page, error) { return copyright.Search(r, q, after, limit) })
}

func workIDs(ws []copyright.Work) []copyright.ID {
	out := []copyright.ID{}
	for _, w := range ws {
		out = append(out, w.ID)
	}
	return out
}

// searchAll follows Next to the end.
func searchAll(t *testing.T, c *chaintest.Chain, q string, limit int) (ids []copyright.ID, pages int) {
	t.Helper()
	after := ""
	for {
		page := search(t, c, q, after, limit)
		pages++
		if len(page.Items) > limit {
			t.Fatalf("page of %d for limit %d", len(page.Items), limit)
		}
		ids = append(ids, workIDs(page.Items)...)
		if page.Next == "" {
			return ids, pages
		}
		after = page.Next
	}
}

func TestSearch(t *testing.T) {
	c := newChain(t)
	reg := func(content, title, author string, holders ...copyright.Holder) {
		m := work(content, title, holders...)
		m.Authors = []copyright.Author{{Name: author}}
		register(t, c, alice, m)
	}
	reg("1", "Moonlight Sonata", "Ludwig van Beethoven")
	reg("2", "Moon River", "Henry Mancini", holder(carol, 10000))
	reg("3", "The Moon and the Moonlight", "Ada Lovelace")
	reg("4", "Sonata in C", "Clara Schumann", holder(bob, 10000))
	reg("5", "Café Müller", "Pina Bausch")
	for i := range 7 {
		reg(fmt.Sprint("h", i), fmt.Sprint("Harbour Song ", i), "Anonymous")
	}

	cases := []struct {
		q    string
		want []copyright.ID
	}{
		// By token, then oldest first; work 3 comes once, under "moon".
		{"moon", []copyright.ID{2, 3, 1}},
		{"MOONLIGHT sonata", []copyright.ID{1}},
		{"moon sonat", []copyright.ID{1}},
		{"sonata", []copyright.ID{1, 4}},
		{"beethoven", []copyright.ID{1}},
		{"ludw van", []copyright.ID{1}},
		{"carol", []copyright.ID{2}},
		{bob.Address().String()[:10], []copyright.ID{4}},
		{"café", []copyright.ID{5}},
		{"CAFÉ, müll!", []copyright.ID{5}},
		{"cafe", []copyright.ID{}},
		{"moon harbour", []copyright.ID{}},
		{"nothing", []copyright.ID{}},
		{hashOf("4").String(), []copyright.ID{4}},
		{"  " + hashOf("4").String() + " ", []copyright.ID{4}},
		{hashOf("unregistered").String(), []copyright.ID{}},
	}
	for _, tc := range cases {
		page := search(t, c, tc.q, "", 50)
		if got := workIDs(page.Items); !slices.Equal(got, tc.want) || page.Next != "" {
			t.Errorf("Search(%q) = %v next %q, want %v", tc.q, got, page.Next, tc.want)
		}
	}

	// Pages put together give the single page, each work once.
	for _, q := range []string{"harbour", "moon", "harb song", "ada"} {
		all := workIDs(search(t, c, q, "", 50).Items)
		for _, limit := range []int{1, 2, 3} {
			got, pages := searchAll(t, c, q, limit)
			if !slices.Equal(got, all) {
				t.Errorf("Search(%q) by %d = %v, want %v", q, limit, got, all)
			}
			// No page comes back empty with a cursor: the last one full
			// has no Next when nothing follows.
			if want := max(1, (len(all)+limit-1)/limit); pages != want {
				t.Errorf("Search(%q) by %d took %d pages, want %d", q, limit, pages, want)
			}
		}
	}
	if got, _ := searchAll(t, c, "harbour", 3); len(got) != 7 {
		t.Errorf("harbour: %v", got)
	}

	page := search(t, c, "harbour", "", 3)
	for _, tc := range []struct{ q, after string }{
		{"", ""},
		{"!!! ...", ""},
		{strings.Repeat("a", copyright.MaxQuery+1), ""},
		{"a b c d e f", ""},
		{"\xff", ""},
		{"moon", page.Next},                   // another search's cursor
		{"harbour", "harbour"},                // not a cursor
		{"harbour", "harbour moonlight/0001"}, // a key outside the word
	} {
		err := c.View(func(r chain.Reader) error { _, err := copyright.Search(r, tc.q, tc.after, 10); return err })
		wantCode(t, err, "copyright.bad_query")
	}
}

func TestListByHolder(t *testing.T) {
	c := newChain(t)
	for i := range 5 {
		register(t, c, alice, work(fmt.Sprint(i), fmt.Sprint("Work ", i)))
	}
	register(t, c, bob, work("b", "Bob's"))
	var got []copyright.ID
	after := ""
	for {
		page := view(t, c, func(r chain.Reader) (copyright.Page, error) {
			return copyright.ListByHolder(r, alice.Address(), after, 2)
		})
		got = append(got, workIDs(page.Items)...)
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(got, []copyright.ID{5, 4, 3, 2, 1}) {
		t.Fatalf("alice's works, newest first: %v", got)
	}
	err := c.View(func(r chain.Reader) error { _, err := copyright.ListByHolder(r, alice.Address(), "x", 2); return err })
	wantCode(t, err, "copyright.bad_query")
}

// FuzzSearch feeds search strings and cursors, as they come from a URL, to
// Search: it must answer with results or copyright.bad_query, never panic,
// and never list a work twice.
func FuzzSearch(f *testing.F) {
	h := newHarness(f, chaintest.NewMemKV())
	for i, title := range []string{"Moonlight Sonata", "Moon River", "The Moon and the Moonlight", "Café Müller", "日本の歌"} {
		if _, err := h.run(alice, copyright.TypeRegister, work(fmt.Sprint(i), title)); err != nil {
			f.Fatal(err)
		}
	}
	for _, seed := range [][2]string{
		{"moon", ""}, {"moon", "moon moonlight/00000000000000000001"}, {"MOON sonata", ""}, {"日本", ""},
		{hashOf("1").String(), ""}, {"", ""}, {"a b c d e f", ""}, {"moon", "moon"}, {"\xff", "\x00"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, q, after string) {
		page, err := copyright.Search(h.kv, q, after, 2)
		if err != nil {
			if e := errs.As(err); e.Code != "copyright.bad_query" {
				t.Fatalf("Search(%q, %q): %v", q, after, err)
			}
			return
		}
		ids := workIDs(page.Items)
		slices.Sort(ids)
		if len(ids) > 2 || len(slices.Compact(ids)) != len(page.Items) {
			t.Fatalf("Search(%q, %q) = %v", q, after, workIDs(page.Items))
		}
	})
}
