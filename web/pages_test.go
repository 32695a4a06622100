package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
)

func TestLogin(t *testing.T) {
	cases := []struct {
		name, username, password, next string
		status                         int
		location                       string
	}{
		{"ok", "clerk", password("clerk"), "", http.StatusSeeOther, "/"},
		{"ok with next", "clerk", password("clerk"), "/blocks?before=3", http.StatusSeeOther, "/blocks?before=3"},
		{"next off site", "clerk", password("clerk"), "//evil.example/x", http.StatusSeeOther, "/"},
		{"next with scheme", "clerk", password("clerk"), "https://evil.example/", http.StatusSeeOther, "/"},
		{"wrong password", "clerk", "not-the-password", "", http.StatusUnauthorized, ""},
		{"unknown user", "nobody", "whatever-password", "", http.StatusUnauthorized, ""},
		{"bad username", "<b>", "whatever-password", "", http.StatusUnauthorized, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := newEnv(t).client()
			form := url.Values{"username": {tc.username}, "password": {tc.password}}
			if tc.next != "" {
				form.Set("next", tc.next)
			}
			rec := cl.post("/login", form)
			wantStatus(t, rec, tc.status)
			_, hasSession := cl.cookies[web.SessionCookie]
			if tc.status == http.StatusSeeOther {
				wantRedirect(t, rec, tc.location)
				if !hasSession {
					t.Fatal("no session cookie after sign-in")
				}
				return
			}
			// Every failure reads the same, naming neither field.
			wantBody(t, rec, "invalid username or password", "<form")
			if hasSession {
				t.Fatal("session cookie after a failed sign-in")
			}
		})
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	wrong := url.Values{"username": {"clerk"}, "password": {"guess-guess"}}
	for i := range web.LoginBurst {
		if rec := cl.post("/login", wrong); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, rec.Code)
		}
	}
	// The next attempt is refused before the password is checked, even the
	// right one: as a page for a browser, as the error body for a script.
	rec := cl.post("/login", url.Values{"username": {"clerk"}, "password": {password("clerk")}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantBody(t, rec, "http.rate_limited", `<nav aria-label="Main">`)
	rec = cl.do(http.MethodPost, "/login", url.Values{"_csrf": {cl.csrf()}}, "Accept", "application/json")
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantErrorCode(t, rec, "http.rate_limited")

	// Another address still may try: the limit is per client.
	other := e.client()
	other.addr = "198.51.100.7:5555"
	other.login("clerk")
	// A forged X-Forwarded-For does not buy new attempts.
	rec = cl.do(http.MethodPost, "/login", url.Values{"_csrf": {cl.csrf()}}, "X-Forwarded-For", "203.0.113.9")
	wantStatus(t, rec, http.StatusTooManyRequests)
}

func TestSessionCookie(t *testing.T) {
	for _, https := range []bool{false, true} {
		cl := newEnv(t).client()
		cl.https = https
		cl.login("clerk")
		ck := cl.cookies[web.SessionCookie]
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != https {
			t.Errorf("https=%v: session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, Secure only over TLS", https, ck)
		}
		if len(ck.Value) != 43 { // 32 random bytes, base64url
			t.Errorf("session id %q: want 43 characters", ck.Value)
		}
		csrf := cl.cookies[web.CSRFCookie]
		if !csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Secure != https {
			t.Errorf("https=%v: CSRF cookie %+v", https, csrf)
		}
	}
}

func TestLogout(t *testing.T) {
	cl := newEnv(t).client()
	cl.login("clerk")
	wantStatus(t, cl.get("/account"), http.StatusOK)
	sid := cl.cookies[web.SessionCookie].Value

	rec := cl.post("/logout", nil)
	wantRedirect(t, rec, "/login?signed_out=1")
	if _, ok := cl.cookies[web.SessionCookie]; ok {
		t.Fatal("session cookie kept after sign-out")
	}
	wantBody(t, cl.get("/login?signed_out=1"), "You have signed out.")
	wantRedirect(t, cl.get("/account"), "/login?next=%2Faccount")

	// The old session id is worth nothing: the server forgot it.
	cl.cookies[web.SessionCookie] = &http.Cookie{Name: web.SessionCookie, Value: sid}
	wantRedirect(t, cl.get("/account"), "/login?next=%2Faccount")
}

func TestRequireLogin(t *testing.T) {
	cl := newEnv(t).client()
	for _, path := range []string{"/account", "/account/tokens", "/account/tokens?x=1"} {
		wantRedirect(t, cl.get(path), "/login?next="+url.QueryEscape(path))
	}
	// A form posted without a session goes to sign in, not back to a POST.
	wantRedirect(t, cl.post("/members/orgs/court/accounts", url.Values{"name": {"x"}}), "/login")
	// The sign-in page keeps where to go back to.
	wantBody(t, cl.get("/login?next=%2Faccount%2Ftokens"), `name="next" value="/account/tokens"`)
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.login("clerk")
	token := cl.csrf()
	apiToken, _, err := e.kr.CreateToken("clerk", clerkKey.Priv, "script")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		path   string
		form   url.Values
		header []string
		status int
	}{
		{"form without token", "/members/orgs/court/accounts", url.Values{"name": {"x"}}, nil, http.StatusForbidden},
		{"form with wrong token", "/members/orgs/court/accounts", url.Values{"_csrf": {"forged"}}, nil, http.StatusForbidden},
		{"logout without token", "/logout", url.Values{}, nil, http.StatusForbidden},
		{"login without token", "/login", url.Values{"username": {"clerk"}}, nil, http.StatusForbidden},
		{"cross-site with token", "/logout", url.Values{"_csrf": {token}}, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-origin without token", "/logout", url.Values{}, []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
		{"token in header", "/logout", url.Values{}, []string{web.CSRFHeader, token}, http.StatusSeeOther},
		// The API: a session cookie needs the header, a Bearer token nothing.
		{"api session without header", "/api/v1/members/accounts", nil, []string{"Content-Type", "application/json"}, http.StatusForbidden},
		{"api session with header", "/api/v1/members/accounts", nil, []string{"Content-Type", "application/json", web.CSRFHeader, token}, http.StatusBadRequest},
		{"api bearer", "/api/v1/members/accounts", nil, []string{"Content-Type", "application/json", "Authorization", "Bearer " + apiToken}, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.chain.blocks)
			rec := cl.do(http.MethodPost, tc.path, tc.form, tc.header...)
			wantStatus(t, rec, tc.status)
			if tc.status == http.StatusForbidden {
				if strings.HasPrefix(tc.path, "/api/") {
					wantErrorCode(t, rec, "http.csrf")
				} else {
					wantBody(t, rec, "<code>http.csrf</code>", "403")
				}
				if len(e.chain.blocks) != before {
					t.Fatal("a refused request made a block")
				}
			}
			if rec.Code == http.StatusSeeOther { // signed out: sign in again
				cl.login("clerk")
				token = cl.csrf()
			}
		})
	}
}

func TestSessionAPI(t *testing.T) {
	cl := newEnv(t).client()
	cl.login("judge")
	rec := cl.do(http.MethodGet, "/api/v1/me", nil)
	wantStatus(t, rec, http.StatusOK)
	var me web.MeView
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || me.Username != "judge" || me.Org != "court" {
		t.Fatalf("me = %+v, %v", me, err)
	}
}

func TestEscapesNames(t *testing.T) {
	cl := newEnv(t).client()
	for _, path := range []string{"/members", "/members/orgs/evil"} {
		rec := cl.get(path)
		wantStatus(t, rec, http.StatusOK)
		wantBody(t, rec, `&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Ltd`)
		wantNoBody(t, rec, "<script")
	}
}

func TestTokenPages(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	cl.login("clerk")
	wantBody(t, cl.get("/account/tokens"), "You have no API tokens.")

	rec := cl.post("/account/tokens", url.Values{"name": {"nightly <export>"}})
	wantStatus(t, rec, http.StatusOK)
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("token page Cache-Control %q, want no-store", cc)
	}
	secret := regexp.MustCompile(`chy_[A-Za-z0-9_-]+`).FindString(rec.Body.String())
	if secret == "" {
		t.Fatalf("no token secret on the result page:\n%s", rec.Body)
	}
	wantBody(t, rec, "nightly &lt;export&gt;", "shown only this once")

	// The token works on the API as the user, and the list never shows it.
	api := func() int {
		return cl.do(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+secret).Code
	}
	if got := api(); got != http.StatusOK {
		t.Fatalf("GET /api/v1/me with the new token: %d", got)
	}
	toks, err := e.kr.ListTokens("clerk")
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens %v, %v", toks, err)
	}
	list := cl.get("/account/tokens")
	wantBody(t, list, toks[0].ID, "nightly &lt;export&gt;", "/account/tokens/"+toks[0].ID+"/revoke")
	wantNoBody(t, list, secret)

	wantRedirect(t, cl.post("/account/tokens/"+toks[0].ID+"/revoke", nil), "/account/tokens")
	list = cl.get("/account/tokens")
	wantBody(t, list, "Token "+toks[0].ID+" revoked.", `<span class="badge revoked">revoked</span>`)
	wantNoBody(t, list, "/account/tokens/"+toks[0].ID+"/revoke")

	// A revoked token opens nothing.
	rec = cl.do(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+secret, "Accept", "application/json")
	wantStatus(t, rec, http.StatusUnauthorized)
	wantErrorCode(t, rec, "keyring.bad_token")

	// Bad input comes back as a flash; another user's token is not found.
	wantRedirect(t, cl.post("/account/tokens", url.Values{"name": {"  "}}), "/account/tokens")
	wantBody(t, cl.get("/account/tokens"), "token name must be 1 to 64 characters")
	other := e.client()
	other.login("judge")
	wantRedirect(t, other.post("/account/tokens/"+toks[0].ID+"/revoke", nil), "/account/tokens")
	wantBody(t, other.get("/account/tokens"), "no such API token")
}

func TestAccountPage(t *testing.T) {
	cases := []struct {
		user string
		want []string
	}{
		{"clerk", []string{"clerk", "court", clerkKey.Address().String(), `<span class="tag">org.admin</span>`, `badge active`}},
		{"judge", []string{`<span class="tag">evidence.verifier</span>`}},
		{"ghost", []string{"no account", ghostKey.Address().String()}},
	}
	for _, tc := range cases {
		t.Run(tc.user, func(t *testing.T) {
			cl := newEnv(t).client()
			cl.login(tc.user)
			rec := cl.get("/account")
			wantStatus(t, rec, http.StatusOK)
			wantBody(t, rec, tc.want...)
		})
	}
}

func TestAdminForms(t *testing.T) {
	e := newEnv(t)
	newKey := strings.Repeat("5a", 32)
	t.Run("committed", func(t *testing.T) {
		cl := e.client()
		cl.login("clerk")
		rec := cl.post("/members/orgs/court/accounts", url.Values{
			"name": {"Bailiff"}, "pubkey": {newKey}, "roles": {"audit.reader"},
		})
		wantRedirect(t, rec, "/members/orgs/court")
		height := len(e.chain.blocks)
		page := cl.get("/members/orgs/court")
		wantBody(t, page, `class="flash success"`, "committed at height "+strconv.Itoa(height), "Bailiff")
		// The flash shows once.
		wantNoBody(t, cl.get("/members/orgs/court"), "committed at height")
	})
	t.Run("pending", func(t *testing.T) {
		e.chain.hold = true
		defer func() { e.chain.hold = false }()
		cl := e.client()
		cl.login("clerk")
		wantRedirect(t, cl.post("/members/orgs/court/revoke", url.Values{
			"account": {judgeKey.Address().String()}, "reason": {"retired"},
		}), "/members/orgs/court")
		page := cl.get("/members/orgs/court")
		wantBody(t, page, `class="flash info"`, "pending: tx ")
		hash := regexp.MustCompile(`pending: tx ([0-9a-f]{64})`).FindStringSubmatch(page.Body.String())[1]
		h, _ := chain.ParseHash(hash)
		wantBody(t, cl.get("/txs/"+h.String()), `<span class="badge pending">pending</span>`)
	})
	t.Run("missing role", func(t *testing.T) {
		cl := e.client()
		cl.login("judge")
		// The judge is no admin: the page offers no forms ...
		wantNoBody(t, cl.get("/members/orgs/court"), "Add an account")
		// ... and the chain refuses a forged post, shown as a flash.
		before := len(e.chain.blocks)
		wantRedirect(t, cl.post("/members/orgs/court/accounts", url.Values{
			"name": {"Accomplice"}, "pubkey": {strings.Repeat("6b", 32)},
		}), "/members/orgs/court")
		page := cl.get("/members/orgs/court")
		wantBody(t, page, `class="flash error"`, "lacks the role org.admin")
		wantNoBody(t, page, "Accomplice")
		if len(e.chain.blocks) != before {
			t.Fatal("a refused transaction made a block")
		}
	})
	t.Run("another organisation", func(t *testing.T) {
		cl := e.client()
		cl.login("admin")
		before := len(e.chain.blocks)
		wantRedirect(t, cl.post("/members/orgs/court/accounts", url.Values{
			"name": {"Mole"}, "pubkey": {strings.Repeat("8d", 32)},
		}), "/members/orgs/court")
		wantBody(t, cl.get("/members/orgs/court"), `class="flash error"`, `not of &#34;court&#34;`)
		if len(e.chain.blocks) != before {
			t.Fatal("a form for another organisation made a block")
		}
	})
	t.Run("bad input", func(t *testing.T) {
		cl := e.client()
		cl.login("clerk")
		wantRedirect(t, cl.post("/members/orgs/court/roles", url.Values{"account": {"nope"}}), "/members/orgs/court")
		wantBody(t, cl.get("/members/orgs/court"), "account: address must be 40 hex characters")
		wantRedirect(t, cl.post("/members/orgs/court/accounts", url.Values{"name": {"X"}, "pubkey": {"zz"}}), "/members/orgs/court")
		wantBody(t, cl.get("/members/orgs/court"), "pubkey: public key must be 64 hex characters")
	})
	t.Run("consortium admin adds an organisation", func(t *testing.T) {
		cl := e.client()
		cl.login("admin")
		wantBody(t, cl.get("/members"), "Add an organisation")
		rec := cl.post("/members/orgs", url.Values{
			"id": {"notary"}, "name": {"City Notary"}, "roles": {"evidence.depositor"},
			"admin_name": {"Notary"}, "admin_pubkey": {strings.Repeat("7c", 32)},
		})
		wantRedirect(t, rec, "/members")
		wantBody(t, cl.get("/members"), "committed at height", `href="/members/orgs/notary"`, "City Notary")
		wantBody(t, cl.get("/members/orgs/notary"), `<span class="tag">evidence.depositor</span>`)
		// An org admin elsewhere sees no such form.
		clerk := e.client()
		clerk.login("clerk")
		wantNoBody(t, clerk.get("/members"), "Add an organisation")
	})
}

func TestExplorerPages(t *testing.T) {
	e := newEnv(t)
	for range 25 {
		e.chain.block()
	}
	cl := e.client()
	cases := []struct {
		path   string
		status int
		want   []string
	}{
		{"/blocks", 200, []string{`href="/blocks/29"`, `href="/blocks/10"`, `href="/blocks?before=10"`}},
		{"/blocks?before=10", 200, []string{`href="/blocks/9"`, `href="/blocks/1"`, "← Newest"}},
		{"/blocks?before=x", 400, []string{"http.bad_height"}},
		{"/blocks?before=-1", 400, []string{"http.bad_height"}},
		{"/blocks?q=nonsense", 400, []string{"http.bad_request", "search for a block height"}},
		{"/blocks/3", 200, []string{"Block 3", "rejected", "committed", "← Block 2", "Block 4 →"}},
		{"/blocks/0", 400, []string{"http.bad_height"}},
		{"/blocks/99", 404, []string{"chain.block_not_found"}},
		{"/txs/" + chain.SumHash(e.addJudge).String(), 200, []string{"Judge Dredd", "members.account_added", "/api/v1/txs/"}},
		{"/txs/" + chain.SumHash(e.judgeTries).String(), 200, []string{"rejected", "members.missing_role", "lacks the role org.admin"}},
		{"/txs/" + strings.Repeat("0", 64), 404, []string{"chain.tx_not_found"}},
		{"/txs/xyz", 400, []string{"http.bad_hash"}},
		{"/evidence", 200, []string{"coming soon"}},
		{"/no/such/page", 404, []string{"http.not_found", `<nav aria-label="Main">`}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			rec := cl.get(tc.path)
			wantStatus(t, rec, tc.status)
			wantBody(t, rec, tc.want...)
		})
	}
}

func TestExplorerSearch(t *testing.T) {
	e := newEnv(t)
	cl := e.client()
	hash := chain.SumHash(e.addJudge).String()
	for q, want := range map[string]string{
		"3":                   "/blocks/3",
		" 3 ":                 "/blocks/3",
		hash:                  "/txs/" + hash,
		strings.ToUpper(hash): "/txs/" + hash,
	} {
		wantRedirect(t, cl.get("/blocks?q="+url.QueryEscape(q)), want)
	}
}

func TestStatic(t *testing.T) {
	cl := newEnv(t).client()
	page := cl.get("/")
	css := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page.Body.String())
	if css == nil {
		t.Fatalf("no stylesheet link:\n%s", page.Body)
	}
	rec := cl.get(css[1])
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control %q", cc)
	}
	if len(rec.Result().Cookies()) > 0 {
		t.Errorf("static asset sets cookies: %v", rec.Result().Cookies())
	}
	etag := rec.Header().Get("ETag")
	wantStatus(t, cl.do(http.MethodGet, "/static/app.css", nil, "If-None-Match", etag), http.StatusNotModified)
	wantStatus(t, cl.get("/static/nope.css"), http.StatusNotFound)
	wantStatus(t, cl.get("/static/../server.go"), http.StatusNotFound)
}

func wantErrorCode(t *testing.T, rec *httptest.ResponseRecorder, code string) {
	t.Helper()
	var body web.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != code {
		t.Fatalf("error body %s (%v), want code %s", rec.Body, err, code)
	}
}
