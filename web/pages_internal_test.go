package web

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/chain/node"
	"github.com/chancery/chancery/web/keyring"
)

func TestSessionExpiry(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	st := newSessionStore()
	st.now = func() time.Time { return now }
	newID := func() (*Identity, string) {
		id := &Identity{User: keyring.User{Username: "clerk"}, key: []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")}
		return id, st.create(id)
	}

	id, sid := newID()
	if got, ok := st.get(sid); !ok || got != id {
		t.Fatal("a new session is not found")
	}
	// Used every 29 minutes, a session lives until its 12 hours are up.
	start, step := now, SessionIdle-time.Minute
	for now.Add(step).Sub(start) <= SessionMax {
		now = now.Add(step)
		if _, ok := st.get(sid); !ok {
			t.Fatalf("session ended after %s of use", now.Sub(start))
		}
	}
	now = now.Add(step)
	if _, ok := st.get(sid); ok {
		t.Fatalf("session outlived its absolute limit: %s", now.Sub(start))
	}
	if strings.Trim(string(id.key), "\x00") != "" {
		t.Fatal("an ended session's key was not wiped")
	}

	// Left alone for more than 30 minutes, a session ends.
	_, sid = newID()
	now = now.Add(SessionIdle + time.Second)
	if _, ok := st.get(sid); ok {
		t.Fatal("session outlived its idle limit")
	}

	// Expired sessions are swept when someone signs in, looked up or not.
	_, stale := newID()
	now = now.Add(SessionIdle + time.Second)
	newID()
	if _, ok := st.m[stale]; ok || len(st.m) != 1 {
		t.Fatalf("%d sessions kept after a sweep, want 1", len(st.m))
	}

	// On a quiet node nobody signs in or looks up: the server's sweeper
	// drops the session and wipes its key all the same.
	quiet, _ := newID()
	now = now.Add(SessionIdle + time.Second)
	st.mu.Lock()
	st.sweepLocked(st.now())
	left := len(st.m)
	st.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d sessions left by a sweep", left)
	}
	// The sweeper stops with the server.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { st.sweepUntil(ctx, time.Hour); close(done) }()
	cancel()
	<-done
	if strings.Trim(string(quiet.key), "\x00") != "" {
		t.Fatal("the swept session's key was not wiped")
	}
}

func TestTxRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// blocks lists blocks newest first, one every step, with txs each.
	blocks := func(step time.Duration, txs ...int) []node.BlockInfo {
		out := make([]node.BlockInfo, len(txs))
		for i, n := range txs {
			out[i] = node.BlockInfo{Height: int64(len(txs) - i), Time: t0.Add(-time.Duration(i) * step), NumTxs: n}
		}
		return out
	}
	many := make([]int, 200)
	for i := range many {
		many[i] = 3
	}
	cases := []struct {
		name   string
		blocks []node.BlockInfo
		want   float64
	}{
		{"no blocks", nil, 0},
		{"one block", blocks(time.Second, 50), 0},
		{"young chain", blocks(time.Second, 4, 2, 0, 100), 2},            // 6 txs over 3 s; the oldest block's precede the span
		{"a minute of blocks", blocks(500*time.Millisecond, many...), 6}, // 3 txs every half second
		{"idle chain", blocks(10*time.Minute, 0, 7), 0},                  // nothing within the last minute
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := txRate(tc.blocks, time.Minute); math.Abs(got-tc.want) > 1e-9 {
				t.Fatalf("txRate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseBefore(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true},
		{"1", 1, true},
		{"12345", 12345, true},
		{"0", 0, false},
		{"-5", 0, false},
		{"+5", 0, false},
		{" 5", 0, false},
		{"5x", 0, false},
		{"1e3", 0, false},
		{"9223372036854775808", 0, false},
		{"99999999999999999999999", 0, false},
	}
	for _, tc := range cases {
		got, err := parseBefore(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBefore(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseBefore(f *testing.F) {
	for _, s := range []string{"", "1", "20", "0", "-1", "+1", "007", "9223372036854775807", "1_000", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		h, err := parseBefore(q)
		if err != nil {
			if h != 0 {
				t.Fatalf("parseBefore(%q) = %d with error %v", q, h, err)
			}
			return
		}
		if q == "" {
			if h != 0 {
				t.Fatalf("parseBefore(\"\") = %d", h)
			}
			return
		}
		// A cursor is a positive height written in decimal digits.
		if h <= 0 || strings.TrimLeft(q, "0") != strconv.FormatInt(h, 10) {
			t.Fatalf("parseBefore(%q) = %d", q, h)
		}
	})
}

func TestSafeNext(t *testing.T) {
	cases := map[string]string{
		"":                                    "/",
		"/":                                   "/",
		"/account/tokens":                     "/account/tokens",
		"/blocks?before=10":                   "/blocks?before=10",
		"//evil.example":                      "/",
		"/\\evil.example":                     "/",
		"\\\\evil.example":                    "/",
		"https://evil.example/":               "/",
		"javascript:alert(1)":                 "/",
		"evil.example":                        "/",
		"/ok\r\nSet-Cookie: x=1":              "/",
		"/\t/evil.example/x":                  "/",                   // browsers drop the tab: //evil.example/x
		"/%2F%2Fevil.example":                 "/%2F%2Fevil.example", // a path, not a host
		"/" + strings.Repeat("a", maxNextLen): "/",
	}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//x", "/\\x", "http://x", "/%2f%2fx", "/\t/x", "mailto:a@b", "/@x", "/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", next, got)
		}
		// Whatever comes out stays on this site, as a browser would read it.
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n\t") {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
		base, _ := url.Parse("https://chancery.example/login")
		ref, err := url.Parse(got)
		if err != nil || base.ResolveReference(ref).Host != "chancery.example" {
			t.Fatalf("safeNext(%q) = %q resolves off the site (%v)", next, got, err)
		}
	})
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"12", " 7 ", "0", strings.Repeat("ab", 32), strings.Repeat("AB", 32), "zz", "", "/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		target, err := lookup(q)
		if err != nil {
			return
		}
		// A search leads only to a block or a transaction page.
		rest, isBlock := strings.CutPrefix(target, "/blocks/")
		if isBlock {
			if h, err := strconv.ParseInt(rest, 10, 64); err != nil || h <= 0 {
				t.Fatalf("lookup(%q) = %q", q, target)
			}
			return
		}
		rest, isTx := strings.CutPrefix(target, "/txs/")
		if _, err := hex.DecodeString(rest); !isTx || err != nil || len(rest) != 64 {
			t.Fatalf("lookup(%q) = %q", q, target)
		}
	})
}

// A key unwrapped by an API token lives for its request only.
func TestTokenKeyWipedAfterRequest(t *testing.T) {
	kr, err := keyring.Open("", keyring.Options{InMemory: true, KDF: keyring.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer kr.Close()
	_, priv, _ := ed25519.GenerateKey(nil)
	if _, err := kr.CreateUser(keyring.NewUser{Username: "clerk", Password: "password-c", Org: "court", Key: priv}); err != nil {
		t.Fatal(err)
	}
	token, _, err := kr.CreateToken("clerk", priv, "script")
	if err != nil {
		t.Fatal(err)
	}
	s := New(DefaultConfig(), Deps{Keyring: kr, Logger: slog.New(slog.DiscardHandler)})
	var seen *Identity
	s.API().GET("/probe", func(c echo.Context) error {
		seen = Caller(c)
		if len(seen.key) != ed25519.PrivateKeySize || strings.Trim(string(seen.key), "\x00") == "" {
			t.Error("no key during the request")
		}
		return c.NoContent(http.StatusNoContent)
	}, s.RequireAuth)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/probe", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || seen == nil {
		t.Fatalf("probe: %d %s", rec.Code, rec.Body)
	}
	if strings.Trim(string(seen.key), "\x00") != "" {
		t.Error("the token's key outlived its request")
	}
}
