package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chancery/chancery/apps/members"
	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/web"
	"github.com/chancery/chancery/web/webtest"
)

func TestLogin(t *testing.T) {
	cases := []struct {
		name, username, password, next string
		status                         int
		location                       string
	}{
		{"ok", "clerk", webtest.Password("clerk"), "", http.StatusSeeOther, "/"},
		{"ok with next", "clerk", webtest.Password("clerk"), "/blocks?before=3", http.StatusSeeOther, "/blocks?before=3"},
		{"next off site", "clerk", webtest.Password("clerk"), "//evil.example/x", http.StatusSeeOther, "/"},
		{"next with scheme", "clerk", webtest.Password("clerk"), "https://evil.example/", http.StatusSeeOther, "/"},
		{"wrong password", "clerk", "not-the-password", "", http.StatusUnauthorized, ""},
		{"unknown user", "nobody", "whatever-password", "", http.StatusUnauthorized, ""},
		{"bad username", "<b>", "whatever-password", "", http.StatusUnauthorized, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := newEnv(t).Client()
			form := url.Values{"username": {tc.username}, "password": {tc.password}}
			if tc.next != "" {
				form.Set("next", tc.next)
			}
			rec := cl.Post("/login", form)
			webtest.WantStatus(t, rec, tc.status)
			_, hasSession := cl.Cookies[web.SessionCookie]
			if tc.status == http.StatusSeeOther {
				webtest.WantRedirect(t, rec, tc.location)
				if !hasSession {
					t.Fatal("no session cookie after sign-in")
				}
				return
			}
			// Every failure reads the same, naming neither field.
			webtest.WantBody(t, rec, "invalid username or password", "<form")
			if hasSession {
				t.Fatal("session cookie after a failed sign-in")
			}
		})
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	cl := e.Client()
	// Sign-ins that succeed cost nothing: an office behind one address
	// signs in all its staff.
	for range 2 * web.LoginBurst {
		staff := e.Client()
		staff.Addr = cl.Addr
		staff.Login("clerk")
	}
	wrong := url.Values{"username": {"clerk"}, "password": {"guess-guess"}}
	for i := range web.LoginBurst {
		if rec := cl.Post("/login", wrong); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, rec.Code)
		}
	}
	// The next attempt is refused before the password is checked, even the
	// right one: as a page for a browser, as the error body for a script.
	rec := cl.Post("/login", url.Values{"username": {"clerk"}, "password": {webtest.Password("clerk")}})
	webtest.WantStatus(t, rec, http.StatusTooManyRequests)
	webtest.WantBody(t, rec, "http.rate_limited", `<nav aria-label="Main">`)
	rec = cl.Do(http.MethodPost, "/login", url.Values{"_csrf": {cl.CSRF()}}, "Accept", "application/json")
	webtest.WantStatus(t, rec, http.StatusTooManyRequests)
	wantErrorCode(t, rec, "http.rate_limited")

	// Another address still may try: the limit is per client.
	other := e.Client()
	other.Addr = "198.51.100.7:5555"
	other.Login("clerk")
	// A forged X-Forwarded-For does not buy new attempts.
	rec = cl.Do(http.MethodPost, "/login", url.Values{"_csrf": {cl.CSRF()}}, "X-Forwarded-For", "203.0.113.9")
	webtest.WantStatus(t, rec, http.StatusTooManyRequests)
}

// Attempts sent at once are counted at once: no more than the burst reach
// the password check, however many come together.
func TestLoginRateLimitedConcurrently(t *testing.T) {
	e := newEnv(t)
	const n = 40
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"username": {"clerk"}, "password": {"guess-guess"}}
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.RemoteAddr = "198.51.100.9:4444"
			rec := httptest.NewRecorder()
			e.Server.Handler().ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusUnauthorized] > web.LoginBurst || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != n {
		t.Errorf("%d concurrent wrong sign-ins: %v; at most %d may reach the password check", n, count, web.LoginBurst)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, https := range []bool{false, true} {
		cl := newEnv(t).Client()
		cl.HTTPS = https
		cl.Login("clerk")
		ck := cl.Cookies[web.SessionCookie]
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != https {
			t.Errorf("https=%v: session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, Secure only over TLS", https, ck)
		}
		if len(ck.Value) != 43 { // 32 random bytes, base64url
			t.Errorf("session id %q: want 43 characters", ck.Value)
		}
		csrf := cl.Cookies[web.CSRFCookie]
		if !csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Secure != https {
			t.Errorf("https=%v: CSRF cookie %+v", https, csrf)
		}
	}
}

func TestLogout(t *testing.T) {
	cl := newEnv(t).Client()
	cl.Login("clerk")
	webtest.WantStatus(t, cl.Get("/account"), http.StatusOK)
	sid := cl.Cookies[web.SessionCookie].Value

	rec := cl.Post("/logout", nil)
	webtest.WantRedirect(t, rec, "/login?signed_out=1")
	if _, ok := cl.Cookies[web.SessionCookie]; ok {
		t.Fatal("session cookie kept after sign-out")
	}
	webtest.WantBody(t, cl.Get("/login?signed_out=1"), "You have signed out.")
	webtest.WantRedirect(t, cl.Get("/account"), "/login?next=%2Faccount")

	// The old session id is worth nothing: the server forgot it.
	cl.Cookies[web.SessionCookie] = &http.Cookie{Name: web.SessionCookie, Value: sid}
	webtest.WantRedirect(t, cl.Get("/account"), "/login?next=%2Faccount")
}

func TestRequireLogin(t *testing.T) {
	cl := newEnv(t).Client()
	for _, path := range []string{"/account", "/account/tokens", "/account/tokens?x=1"} {
		webtest.WantRedirect(t, cl.Get(path), "/login?next="+url.QueryEscape(path))
	}
	// A form posted without a session goes to sign in, not back to a POST.
	webtest.WantRedirect(t, cl.Post("/members/orgs/court/accounts", url.Values{"name": {"x"}}), "/login")
	// The sign-in page keeps where to go back to.
	webtest.WantBody(t, cl.Get("/login?next=%2Faccount%2Ftokens"), `name="next" value="/account/tokens"`)
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	cl := e.Client()
	cl.Login("clerk")
	token := cl.CSRF()
	apiToken, _, err := e.Keyring.CreateToken("clerk", clerkKey.Priv, "script")
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
			before := e.Chain.Height()
			// A sign-in makes a new token: send the browser's current one.
			header := slices.Clone(tc.header)
			for i, v := range header {
				if v == token {
					header[i] = cl.CSRF()
				}
			}
			if tc.form.Get("_csrf") == token {
				tc.form.Set("_csrf", cl.CSRF())
			}
			rec := cl.Do(http.MethodPost, tc.path, tc.form, header...)
			webtest.WantStatus(t, rec, tc.status)
			if tc.status == http.StatusForbidden {
				if strings.HasPrefix(tc.path, "/api/") {
					wantErrorCode(t, rec, "http.csrf")
				} else {
					webtest.WantBody(t, rec, "<code>http.csrf</code>", "403")
				}
				if e.Chain.Height() != before {
					t.Fatal("a refused request made a block")
				}
			}
			if rec.Code == http.StatusSeeOther { // signed out: sign in again
				cl.Login("clerk")
			}
		})
	}
}

// Signing in makes a new CSRF token: one planted in the browser before
// (by a sibling site, say) is worth nothing after.
func TestCSRFTokenNewAtSignIn(t *testing.T) {
	cl := newEnv(t).Client()
	planted := cl.CSRF()
	cl.Login("clerk")
	if now := cl.CSRF(); now == planted || now == "" {
		t.Fatalf("CSRF token %q before and %q after sign-in", planted, now)
	}
	rec := cl.Do(http.MethodPost, "/logout", url.Values{"_csrf": {planted}})
	webtest.WantStatus(t, rec, http.StatusForbidden)
}

func TestSessionAPI(t *testing.T) {
	cl := newEnv(t).Client()
	cl.Login("judge")
	rec := cl.Do(http.MethodGet, "/api/v1/me", nil)
	webtest.WantStatus(t, rec, http.StatusOK)
	var me web.MeView
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || me.Username != "judge" || me.Org != "court" {
		t.Fatalf("me = %+v, %v", me, err)
	}
	// The roles are the chain's, not the keyring's copy from sign-up.
	if !slices.Equal(me.Roles, []string{members.RoleEvidenceVerifier}) {
		t.Errorf("me.Roles = %v, want the judge's role on chain", me.Roles)
	}
}

func TestEscapesNames(t *testing.T) {
	cl := newEnv(t).Client()
	for _, path := range []string{"/members", "/members/orgs/evil"} {
		rec := cl.Get(path)
		webtest.WantStatus(t, rec, http.StatusOK)
		webtest.WantBody(t, rec, `&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Ltd`)
		webtest.WantNoBody(t, rec, "<script")
	}
}

func TestTokenPages(t *testing.T) {
	e := newEnv(t)
	cl := e.Client()
	cl.Login("clerk")
	webtest.WantBody(t, cl.Get("/account/tokens"), "You have no API tokens.")

	rec := cl.Post("/account/tokens", url.Values{"name": {"nightly <export>"}})
	webtest.WantStatus(t, rec, http.StatusOK)
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("token page Cache-Control %q, want no-store", cc)
	}
	secret := regexp.MustCompile(`chy_[A-Za-z0-9_-]+`).FindString(rec.Body.String())
	if secret == "" {
		t.Fatalf("no token secret on the result page:\n%s", rec.Body)
	}
	webtest.WantBody(t, rec, "nightly &lt;export&gt;", "shown only this once")

	// The token works on the API as the user, and the list never shows it.
	api := func() int {
		return cl.Do(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+secret).Code
	}
	if got := api(); got != http.StatusOK {
		t.Fatalf("GET /api/v1/me with the new token: %d", got)
	}
	toks, err := e.Keyring.ListTokens("clerk")
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens %v, %v", toks, err)
	}
	list := cl.Get("/account/tokens")
	webtest.WantBody(t, list, toks[0].ID, "nightly &lt;export&gt;", "/account/tokens/"+toks[0].ID+"/revoke")
	webtest.WantNoBody(t, list, secret)

	webtest.WantRedirect(t, cl.Post("/account/tokens/"+toks[0].ID+"/revoke", nil), "/account/tokens")
	list = cl.Get("/account/tokens")
	webtest.WantBody(t, list, "Token "+toks[0].ID+" revoked.", `<span class="badge revoked">revoked</span>`)
	webtest.WantNoBody(t, list, "/account/tokens/"+toks[0].ID+"/revoke")

	// A revoked token opens nothing.
	rec = cl.Do(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer "+secret, "Accept", "application/json")
	webtest.WantStatus(t, rec, http.StatusUnauthorized)
	wantErrorCode(t, rec, "keyring.bad_token")

	// Bad input comes back as a flash; another user's token is not found.
	webtest.WantRedirect(t, cl.Post("/account/tokens", url.Values{"name": {"  "}}), "/account/tokens")
	webtest.WantBody(t, cl.Get("/account/tokens"), "token name must be 1 to 64 characters")
	other := e.Client()
	other.Login("judge")
	webtest.WantRedirect(t, other.Post("/account/tokens/"+toks[0].ID+"/revoke", nil), "/account/tokens")
	webtest.WantBody(t, other.Get("/account/tokens"), "no such API token")
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
			cl := newEnv(t).Client()
			cl.Login(tc.user)
			rec := cl.Get("/account")
			webtest.WantStatus(t, rec, http.StatusOK)
			webtest.WantBody(t, rec, tc.want...)
		})
	}
}

func TestAdminForms(t *testing.T) {
	e := newEnv(t)
	newKey := strings.Repeat("5a", 32)
	t.Run("committed", func(t *testing.T) {
		cl := e.Client()
		cl.Login("clerk")
		rec := cl.Post("/members/orgs/court/accounts", url.Values{
			"name": {"Bailiff"}, "pubkey": {newKey}, "roles": {"audit.reader"},
		})
		webtest.WantRedirect(t, rec, "/members/orgs/court")
		height := e.Chain.Height()
		page := cl.Get("/members/orgs/court")
		webtest.WantBody(t, page, `class="flash success"`, "committed at height "+strconv.FormatInt(height, 10), "Bailiff")
		// The flash shows once.
		webtest.WantNoBody(t, cl.Get("/members/orgs/court"), "committed at height")
	})
	t.Run("pending", func(t *testing.T) {
		e.Chain.Hold(true)
		defer e.Chain.Hold(false)
		cl := e.Client()
		cl.Login("clerk")
		webtest.WantRedirect(t, cl.Post("/members/orgs/court/revoke", url.Values{
			"account": {judgeKey.Address().String()}, "reason": {"retired"},
		}), "/members/orgs/court")
		page := cl.Get("/members/orgs/court")
		webtest.WantBody(t, page, `class="flash info"`, "pending: tx ")
		hash := regexp.MustCompile(`pending: tx ([0-9a-f]{64})`).FindStringSubmatch(page.Body.String())[1]
		h, _ := chain.ParseHash(hash)
		webtest.WantBody(t, cl.Get("/txs/"+h.String()), `<span class="badge pending">pending</span>`)
	})
	t.Run("missing role", func(t *testing.T) {
		cl := e.Client()
		cl.Login("judge")
		// The judge is no admin: the page offers no forms ...
		webtest.WantNoBody(t, cl.Get("/members/orgs/court"), "Add an account")
		// ... and the chain refuses a forged post, shown as a flash.
		before := e.Chain.Height()
		webtest.WantRedirect(t, cl.Post("/members/orgs/court/accounts", url.Values{
			"name": {"Accomplice"}, "pubkey": {strings.Repeat("6b", 32)},
		}), "/members/orgs/court")
		page := cl.Get("/members/orgs/court")
		webtest.WantBody(t, page, `class="flash error"`, "lacks the role org.admin")
		webtest.WantNoBody(t, page, "Accomplice")
		if e.Chain.Height() != before {
			t.Fatal("a refused transaction made a block")
		}
	})
	t.Run("another organisation", func(t *testing.T) {
		cl := e.Client()
		cl.Login("admin")
		before := e.Chain.Height()
		webtest.WantRedirect(t, cl.Post("/members/orgs/court/accounts", url.Values{
			"name": {"Mole"}, "pubkey": {strings.Repeat("8d", 32)},
		}), "/members/orgs/court")
		webtest.WantBody(t, cl.Get("/members/orgs/court"), `class="flash error"`, `not of &#34;court&#34;`)
		if e.Chain.Height() != before {
			t.Fatal("a form for another organisation made a block")
		}
	})
	t.Run("bad input", func(t *testing.T) {
		cl := e.Client()
		cl.Login("clerk")
		webtest.WantRedirect(t, cl.Post("/members/orgs/court/roles", url.Values{"account": {"nope"}}), "/members/orgs/court")
		webtest.WantBody(t, cl.Get("/members/orgs/court"), "account: address must be 40 hex characters")
		webtest.WantRedirect(t, cl.Post("/members/orgs/court/accounts", url.Values{"name": {"X"}, "pubkey": {"zz"}}), "/members/orgs/court")
		webtest.WantBody(t, cl.Get("/members/orgs/court"), "pubkey: public key must be 64 hex characters")
	})
	t.Run("consortium admin adds an organisation", func(t *testing.T) {
		cl := e.Client()
		cl.Login("admin")
		webtest.WantBody(t, cl.Get("/members"), "Add an organisation")
		rec := cl.Post("/members/orgs", url.Values{
			"id": {"notary"}, "name": {"City Notary"}, "roles": {"evidence.depositor"},
			"admin_name": {"Notary"}, "admin_pubkey": {strings.Repeat("7c", 32)},
		})
		webtest.WantRedirect(t, rec, "/members")
		webtest.WantBody(t, cl.Get("/members"), "committed at height", `href="/members/orgs/notary"`, "City Notary")
		webtest.WantBody(t, cl.Get("/members/orgs/notary"), `<span class="tag">evidence.depositor</span>`)
		// An org admin elsewhere sees no such form.
		clerk := e.Client()
		clerk.Login("clerk")
		webtest.WantNoBody(t, clerk.Get("/members"), "Add an organisation")
	})
}

func TestExplorerPages(t *testing.T) {
	e := newEnv(t)
	for range 25 {
		e.Chain.Commit()
	}
	cl := e.Client()
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
			rec := cl.Get(tc.path)
			webtest.WantStatus(t, rec, tc.status)
			webtest.WantBody(t, rec, tc.want...)
		})
	}
}

func TestExplorerSearch(t *testing.T) {
	e := newEnv(t)
	cl := e.Client()
	hash := chain.SumHash(e.addJudge).String()
	for q, want := range map[string]string{
		"3":                   "/blocks/3",
		" 3 ":                 "/blocks/3",
		hash:                  "/txs/" + hash,
		strings.ToUpper(hash): "/txs/" + hash,
	} {
		webtest.WantRedirect(t, cl.Get("/blocks?q="+url.QueryEscape(q)), want)
	}
}

func TestStatic(t *testing.T) {
	cl := newEnv(t).Client()
	page := cl.Get("/")
	css := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page.Body.String())
	if css == nil {
		t.Fatalf("no stylesheet link:\n%s", page.Body)
	}
	rec := cl.Get(css[1])
	webtest.WantStatus(t, rec, http.StatusOK)
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
	webtest.WantStatus(t, cl.Do(http.MethodGet, "/static/app.css", nil, "If-None-Match", etag), http.StatusNotModified)
	webtest.WantStatus(t, cl.Get("/static/nope.css"), http.StatusNotFound)
	webtest.WantStatus(t, cl.Get("/static/../server.go"), http.StatusNotFound)
}

func wantErrorCode(t *testing.T, rec *httptest.ResponseRecorder, code string) {
	t.Helper()
	var body web.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != code {
		t.Fatalf("error body %s (%v), want code %s", rec.Body, err, code)
	}
}

// A PUT of roles replaces the whole list, so the list must be there: a body
// that forgets it, or sends null, is refused before anything is signed.
func TestRolesRequired(t *testing.T) {
	e := newEnv(t)
	tok, _, err := e.Keyring.CreateToken("admin", adminKey.Priv, "script")
	if err != nil {
		t.Fatal(err)
	}
	e.Tokens["admin"] = tok
	clerk := clerkKey.Address().String()
	height := e.Chain.Height()
	for _, path := range []string{"/api/v1/members/orgs/court/roles", "/api/v1/members/accounts/" + clerk + "/roles"} {
		for _, body := range []string{`{}`, `{"roles":null}`} {
			if code, raw := e.API("admin", "PUT", path, body); code != http.StatusBadRequest || !strings.Contains(raw, `"code":"http.bad_request"`) || !strings.Contains(raw, "roles is required") {
				t.Errorf("PUT %s %s: %d %s", path, body, code, raw)
			}
		}
	}
	if e.Chain.Height() != height {
		t.Errorf("a refused PUT reached the chain: height %d → %d", height, e.Chain.Height())
	}
	// An empty list is a choice, and is signed: the admin is of another
	// organisation, so the chain refuses it.
	if code, raw := e.API("admin", "PUT", "/api/v1/members/accounts/"+clerk+"/roles", `{"roles":[]}`); code != http.StatusForbidden || !strings.Contains(raw, "members.other_org") {
		t.Errorf("PUT [] : %d %s", code, raw)
	}
}

// countingReader is n bytes of 'x' that counts what was read of them.
type countingReader struct{ left, read int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > r.left {
		n = r.left
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.left -= n
	r.read += n
	return int(n), nil
}

// Before its CSRF token is checked, a page request's body is read only as
// far as a form may go: a stranger's multipart body is refused unread, a
// form over the body limit gets 413, and a chunked one stops at the limit.
func TestPageBodyBounds(t *testing.T) {
	e := newEnv(t)
	limit := web.DefaultConfig().BodyLimit
	for _, tc := range []struct {
		name, path, contentType string
		size                    int64
		chunked                 bool
		code                    int
		maxRead                 int64
	}{
		{"stranger's upload", "/no-such-page", "multipart/form-data; boundary=b", 200 << 20, false, http.StatusUnauthorized, 0},
		{"stranger's chunked upload", "/login", "multipart/form-data; boundary=b", 200 << 20, true, http.StatusUnauthorized, 0},
		{"form over the limit", "/login", "application/x-www-form-urlencoded", limit + 1, false, http.StatusRequestEntityTooLarge, 0},
		{"chunked form over the limit", "/login", "application/x-www-form-urlencoded", 200 << 20, true, http.StatusRequestEntityTooLarge, limit + 64<<10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingReader{left: tc.size}
			var prefix string
			if strings.HasPrefix(tc.contentType, "multipart/") {
				prefix = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
			}
			req := httptest.NewRequest(http.MethodPost, tc.path, io.MultiReader(strings.NewReader(prefix), body))
			req.Header.Set("Content-Type", tc.contentType)
			req.ContentLength = tc.size
			if tc.chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			e.Server.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.code || body.read > tc.maxRead {
				t.Errorf("%d after reading %d bytes, want %d after at most %d: %s", rec.Code, body.read, tc.code, tc.maxRead, rec.Body)
			}
		})
	}
}

// HEAD works where a monitor or a link checker would use it, and nowhere
// it could sign; a wrong method is 405; API answers are not for caches.
func TestMethodsAndCaching(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(e.Server.Handler())
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodHead, "/healthz", http.StatusOK},
		{http.MethodHead, "/", http.StatusOK},
		{http.MethodHead, "/blocks", http.StatusOK},
		{http.MethodHead, "/static/app.css", http.StatusOK},
		{http.MethodHead, "/account", http.StatusSeeOther},
		{http.MethodHead, "/no-such-page", http.StatusNotFound},
		// The API routes HEAD nowhere (echo's groups answer 404 for what
		// they do not route): a GET there may sign.
		{http.MethodHead, "/api/v1/status", http.StatusNotFound},
		{http.MethodPut, "/healthz", http.StatusMethodNotAllowed},
	} {
		req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.code || (tc.method == http.MethodHead && len(body) != 0) {
			t.Errorf("%s %s: %d with %d bytes, want %d", tc.method, tc.path, res.StatusCode, len(body), tc.code)
		}
	}
	res, err := http.Get(srv.URL + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /api/v1/status: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}
