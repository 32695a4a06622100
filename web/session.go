package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/chancery/chancery/web/keyring"
)

// Sessions of signed-in page users. A session lives only in this process's
// memory, together with the user's unwrapped account key, so that pages can
// sign for the user without the key ever touching the disk; a restart signs
// everyone out.
const (
	SessionCookie = "chancery_session"
	// SessionIdle ends a session nobody has used for this long.
	SessionIdle = 30 * time.Minute
	// SessionMax ends a session this long after sign-in, however busy.
	SessionMax = 12 * time.Hour
)

const sessionIDKey = "chancery.session"

// sessionSweep is how often the server drops expired sessions.
const sessionSweep = time.Minute

// FlashKind is how a flash message is shown.
type FlashKind string

const (
	FlashSuccess FlashKind = "success"
	FlashError   FlashKind = "error"
	FlashInfo    FlashKind = "info"
)

// Flash is a one-time message shown on the next page the user sees, such as
// the outcome of a form. Href, when set, links to more detail.
type Flash struct {
	Kind FlashKind
	Text string
	Href string
}

type session struct {
	id      *Identity
	created time.Time
	seen    time.Time
	flashes []Flash
}

// sessionStore holds the sessions, keyed by their random id. Expired
// sessions are dropped when next looked up, and swept on each sign-in and
// by the server every minute (sweepUntil): a key must not outlive its
// session in memory on a quiet node.
type sessionStore struct {
	mu   sync.Mutex
	m    map[string]*session
	idle time.Duration
	max  time.Duration
	now  func() time.Time
}

func newSessionStore() *sessionStore {
	return &sessionStore{m: map[string]*session{}, idle: SessionIdle, max: SessionMax, now: time.Now}
}

// create starts a session for id and returns its id: 32 random bytes,
// base64url.
func (st *sessionStore) create(id *Identity) string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics if it cannot)
	sid := base64.RawURLEncoding.EncodeToString(b[:])
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	st.sweepLocked(now)
	st.m[sid] = &session{id: id, created: now, seen: now}
	return sid
}

// sweepUntil drops expired sessions every interval until ctx is done.
func (st *sessionStore) sweepUntil(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st.mu.Lock()
			st.sweepLocked(st.now())
			st.mu.Unlock()
		}
	}
}

// sweepLocked drops every session expired at now; st.mu is held.
func (st *sessionStore) sweepLocked(now time.Time) {
	for k, s := range st.m {
		if st.expired(s, now) {
			st.drop(k, s)
		}
	}
}

// get returns the identity of a live session and marks it used.
func (st *sessionStore) get(sid string) (*Identity, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.m[sid]
	if !ok {
		return nil, false
	}
	now := st.now()
	if st.expired(s, now) {
		st.drop(sid, s)
		return nil, false
	}
	s.seen = now
	return s.id, true
}

func (st *sessionStore) delete(sid string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.m[sid]; ok {
		st.drop(sid, s)
	}
}

func (st *sessionStore) addFlash(sid string, f Flash) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.m[sid]; ok {
		s.flashes = append(s.flashes, f)
	}
}

func (st *sessionStore) takeFlashes(sid string) []Flash {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.m[sid]
	if !ok {
		return nil
	}
	f := s.flashes
	s.flashes = nil
	return f
}

func (st *sessionStore) expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) > st.idle || now.Sub(s.created) > st.max
}

// drop forgets a session and wipes its key. A request still signing with the
// key at that moment fails rather than signs.
func (st *sessionStore) drop(sid string, s *session) {
	delete(st.m, sid)
	clear(s.id.key)
}

// loadSession finds the page request's session, if any, and makes its user
// the request's caller. A cookie naming no live session is deleted.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isPage(c.Request().URL.Path) {
			return next(c)
		}
		if ck, err := c.Cookie(SessionCookie); err == nil {
			if id, ok := s.sessions.get(ck.Value); ok {
				c.Set(identityKey, id)
				c.Set(sessionIDKey, ck.Value)
			} else {
				s.setSessionCookie(c, "", -1)
			}
		}
		return next(c)
	}
}

// sessionIdentity is the caller of an API request made with a session
// cookie, for RequireAuth.
func (s *Server) sessionIdentity(c echo.Context) (*Identity, bool) {
	ck, err := c.Cookie(SessionCookie)
	if err != nil {
		return nil, false
	}
	return s.sessions.get(ck.Value)
}

// startSession signs the user in: any session the browser had is ended
// first, so a session id planted before sign-in is worth nothing after.
func (s *Server) startSession(c echo.Context, user keyring.User, key ed25519.PrivateKey) {
	s.endSession(c)
	id := &Identity{User: user, key: key}
	sid := s.sessions.create(id)
	s.setSessionCookie(c, sid, 0)
	c.Set(identityKey, id)
	c.Set(sessionIDKey, sid)
	// A CSRF token planted before sign-in (a sibling site can set the
	// cookie) is worth nothing after it. A sibling site could plant
	// another; the token only backs up SameSite=Lax and Sec-Fetch-Site.
	setCSRFToken(c, rand.Text(), isHTTPS(c))
}

// endSession signs the browser out.
func (s *Server) endSession(c echo.Context) {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		s.sessions.delete(ck.Value)
		s.setSessionCookie(c, "", -1)
	}
	c.Set(identityKey, nil)
	c.Set(sessionIDKey, "")
}

// setSessionCookie sets the session cookie; maxAge -1 deletes it, 0 makes it
// last until the browser closes (the server ends it earlier).
func (s *Server) setSessionCookie(c echo.Context, value string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name:     SessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   isHTTPS(c),
		SameSite: http.SameSiteLaxMode,
	})
}

// Flash queues a message for the next page the signed-in user sees. Without a
// session it is dropped: every form that flashes requires sign-in.
func (s *Server) Flash(c echo.Context, kind FlashKind, text, href string) {
	if sid, _ := c.Get(sessionIDKey).(string); sid != "" {
		s.sessions.addFlash(sid, Flash{Kind: kind, Text: text, Href: href})
	}
}

func (s *Server) takeFlashes(c echo.Context) []Flash {
	if sid, _ := c.Get(sessionIDKey).(string); sid != "" {
		return s.sessions.takeFlashes(sid)
	}
	return nil
}

// RequireLogin lets a page request through only for a signed-in user; others
// are sent to the sign-in page, which brings them back here afterwards.
func (s *Server) RequireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if Caller(c) != nil {
			return next(c)
		}
		target := "/login"
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
			target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// isHTTPS reports whether the browser reached us over TLS, directly or
// through a proxy that says so; cookies are then marked Secure.
func isHTTPS(c echo.Context) bool { return c.Scheme() == "https" }
