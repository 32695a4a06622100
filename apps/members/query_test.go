package members

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
)

func TestListOrgs(t *testing.T) {
	h := newHarness(t)
	for i := range 4 {
		h.mustDeliver(addr("root"), TypeAddOrg, AddOrg{ID: fmt.Sprintf("org-%d", i), Name: "Org", AdminName: "Admin", AdminPubKey: key(fmt.Sprintf("admin%d", i))})
	}
	want := []string{"bank", "consortium", "court", "org-0", "org-1", "org-2", "org-3"}

	for _, limit := range []int{1, 2, 3, 6, 7, 8, 0, -1} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			var got []string
			after, pages := "", 0
			for {
				page, err := ListOrgs(h.kv, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if limit > 0 && len(page.Orgs) > limit {
					t.Fatalf("page of %d, limit %d", len(page.Orgs), limit)
				}
				for _, o := range page.Orgs {
					got = append(got, o.ID)
				}
				if page.Next == "" {
					break
				}
				if page.Next != page.Orgs[len(page.Orgs)-1].ID {
					t.Fatalf("next %q is not the page's last id", page.Next)
				}
				after = page.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("listed %v, want %v", got, want)
			}
			// No empty page at the end: the last page is the one without Next.
			if limit > 0 && pages != (len(want)+limit-1)/limit {
				t.Errorf("%d pages of %d for %d orgs", pages, limit, len(want))
			}
		})
	}

	// A cursor need not be an existing id.
	page, err := ListOrgs(h.kv, "cz", 2)
	if err != nil || len(page.Orgs) != 2 || page.Orgs[0].ID != "org-0" || page.Next != "org-1" {
		t.Errorf("ListOrgs after cz = %+v, %v", page, err)
	}
	page, err = ListOrgs(h.kv, "zz", 0)
	if err != nil || page.Orgs == nil || len(page.Orgs) != 0 || page.Next != "" {
		t.Errorf("ListOrgs past the end = %#v, %v", page, err)
	}
	_, err = ListOrgs(h.kv, "Bad/Cursor", 0)
	wantErr(t, err, ErrInvalidCursor)
}

func TestListAccounts(t *testing.T) {
	h := newHarness(t)
	var want []string
	for i := range 9 {
		name := fmt.Sprintf("person%d", i)
		h.mustDeliver(addr("teller"), TypeAddAccount, AddAccount{Name: name, PubKey: key(name)})
		want = append(want, addr(name).String())
	}
	h.mustDeliver(addr("teller"), TypeRevokeAccount, RevokeAccount{Account: addr("person3"), Reason: "left"})
	want = append(want, addr("teller").String())
	slices.Sort(want) // listings are in address order

	var got []string
	after := ""
	for {
		page, err := ListAccounts(h.kv, "bank", after, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			if a.Org != "bank" {
				t.Errorf("account %s of %s listed under bank", a.Address, a.Org)
			}
			got = append(got, a.Address.String())
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed\n%v\nwant\n%v", got, want)
	}

	// Other organisations' accounts stay apart.
	page, err := ListAccounts(h.kv, "court", "", 0)
	if err != nil || len(page.Accounts) != 3 || page.Next != "" {
		t.Errorf("court: %d accounts, next %q, %v", len(page.Accounts), page.Next, err)
	}
	// An organisation whose id prefixes another's lists only its own.
	h.mustDeliver(addr("root"), TypeAddOrg, AddOrg{ID: "bank-2", Name: "Second bank", AdminName: "A", AdminPubKey: key("bank2")})
	page, err = ListAccounts(h.kv, "bank", "", MaxPageSize+1)
	if err != nil || len(page.Accounts) != 10 {
		t.Errorf("bank after bank-2 was added: %d accounts, %v", len(page.Accounts), err)
	}

	_, err = ListAccounts(h.kv, "nowhere", "", 0)
	wantErr(t, err, ErrUnknownOrg)
	_, err = ListAccounts(h.kv, "bank", "not-an-address", 0)
	wantErr(t, err, ErrInvalidCursor)
	_, err = ListAccounts(h.kv, "bank", strings.ToUpper(addr("teller").String()), 0)
	wantErr(t, err, ErrInvalidCursor)
}

func TestPageSizeBounds(t *testing.T) {
	h := newHarness(t)
	for i := range MaxPageSize + 1 {
		name := fmt.Sprint("p", i)
		acc := newAccount(chain.NewContext("t", 1, genesisTime, chain.Hash{}, chain.Address{}, h.kv), "bank", name, key(name), nil)
		createAccount(h.kv, acc)
	}
	for _, tt := range []struct{ limit, want int }{{0, DefaultPageSize}, {-5, DefaultPageSize}, {7, 7}, {MaxPageSize * 2, MaxPageSize}} {
		page, err := ListAccounts(h.kv, "bank", "", tt.limit)
		if err != nil || len(page.Accounts) != tt.want || page.Next == "" {
			t.Errorf("limit %d: %d accounts, next %q, %v; want %d and a next page", tt.limit, len(page.Accounts), page.Next, err, tt.want)
		}
	}
}
