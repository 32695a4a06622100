package main

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/web"
)

// TestAPIBatch submits signed transactions together: each gets the outcome
// it would get alone, in order, and a batch that is not one is refused with
// nothing written.
func TestAPIBatch(t *testing.T) {
	n := startInProcess(t)
	botKey, botPub := genKey(t)
	if code, body := n.do("POST", "/api/v1/members/accounts", n.admin,
		[]byte(fmt.Sprintf(`{"name":"bot","pubkey":"%s","roles":["org.admin"]}`, botPub))); code != http.StatusAccepted {
		t.Fatalf("add account: %d %s", code, body)
	}
	add := func(name string) (members.AddAccount, []byte) {
		_, pub := genKey(t)
		msg := members.AddAccount{Name: name, PubKey: pub, Roles: []string{}}
		return msg, n.sign(botKey, members.ModuleName, members.TypeAddAccount, msg, nil)
	}
	first, firstRaw := add("first")
	second, secondRaw := add("second")
	victim, victimRaw := add("victim")
	forged := bytes.Replace(victimRaw, []byte(`"victim"`), []byte(`"victin"`), 1)
	batch := func(raws ...[]byte) []byte { return append(append([]byte("["), bytes.Join(raws, []byte(","))...), ']') }

	type answer struct {
		txAnswer
		Txs []txAnswer `json:"txs"`
	}
	var ans answer
	code, body := n.do("POST", "/api/v1/txs/batch?wait=10s", "", batch(firstRaw, forged, secondRaw, []byte(`{"body":{}}`), firstRaw), &ans)
	if code != http.StatusAccepted || len(ans.Txs) != 5 {
		t.Fatalf("batch: %d %s", code, body)
	}
	want := []struct{ status, code string }{
		{"committed", ""}, {"rejected", "tx.bad_signature"}, {"committed", ""}, {"rejected", "tx.malformed"}, {"committed", ""},
	}
	for i, w := range want {
		if got := ans.Txs[i]; got.Status != w.status || got.Error.Code != w.code || w.code != "" && got.Error.Message == "" {
			t.Errorf("transaction %d: %+v, want %s %s", i, got, w.status, w.code)
		}
	}
	if ans.Txs[4].Hash != ans.Txs[0].Hash || ans.Txs[4].Height != ans.Txs[0].Height {
		t.Errorf("the same transaction twice: %+v and %+v", ans.Txs[0], ans.Txs[4])
	}
	for _, acc := range []members.AddAccount{first, second} {
		if code, _ := n.do("GET", "/api/v1/members/accounts/"+acc.PubKey.Address().String(), "", nil); code != http.StatusOK {
			t.Errorf("account %s not on chain: %d", acc.Name, code)
		}
	}

	// Not a batch, or nothing in it accepted: refused, nothing written.
	cases := []struct {
		name   string
		body   []byte
		path   string
		status int
		code   string
	}{
		{"not an array", firstRaw, "/api/v1/txs/batch", 400, "http.bad_batch"},
		{"empty", []byte(`[]`), "/api/v1/txs/batch", 400, "http.bad_batch"},
		{"trailing data", append(batch(victimRaw), '!'), "/api/v1/txs/batch", 400, "http.bad_batch"},
		{"too many", batch(bytes.Split(bytes.Repeat([]byte("{}|"), web.MaxBatch+1), []byte("|"))[:web.MaxBatch+1]...), "/api/v1/txs/batch", 400, "http.bad_batch"},
		{"bad wait", batch(victimRaw), "/api/v1/txs/batch?wait=forever", 400, "http.bad_wait"},
		{"every one refused", batch(forged, []byte(`{}`)), "/api/v1/txs/batch", 400, "tx.bad_signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ans answer
			code, body := n.do("POST", tc.path, "", tc.body, &ans)
			if code != tc.status || ans.Error.Code != tc.code || ans.Error.Message == "" {
				t.Fatalf("got %d %s, want %d %s", code, body, tc.status, tc.code)
			}
			if tc.code == "tx.bad_signature" && (len(ans.Txs) != 2 || ans.Txs[1].Error.Code != "tx.malformed") {
				t.Fatalf("every outcome should come with the refusal: %s", body)
			}
		})
	}
	if code, _ := n.do("GET", "/api/v1/members/accounts/"+victim.PubKey.Address().String(), "", nil); code != http.StatusNotFound {
		t.Fatalf("a refused batch wrote state: account lookup answered %d", code)
	}
}
