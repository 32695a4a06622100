package web

import (
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// Failed sign-ins allowed per client address: a burst of LoginBurst, then
// LoginRate a second (five a minute). Sign-ins that succeed cost nothing,
// so an office behind one address signs in all its staff in the morning.
const (
	LoginRate  = 5.0 / 60
	LoginBurst = 5
)

// signInLimiter counts failed sign-ins per client address. The address is
// the connection's own: a client could write any X-Forwarded-For it liked.
type signInLimiter struct {
	mu      sync.Mutex
	clients map[string]*signInClient
	swept   time.Time
}

type signInClient struct {
	failures *rate.Limiter
	last     time.Time
}

// signInForget is how long an address is remembered after its last
// failure; by then its limiter is full again.
const signInForget = 3 * time.Minute

func newSignInLimiter() *signInLimiter {
	return &signInLimiter{clients: map[string]*signInClient{}}
}

// middleware refuses a sign-in from an address that has used up its
// failures, before the password is checked.
func (l *signInLimiter) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if l.blocked(echo.ExtractIPDirect()(c.Request()), time.Now()) {
			c.Response().Header().Set("Retry-After", "60")
			return ErrRateLimited
		}
		return next(c)
	}
}

func (l *signInLimiter) blocked(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cl, ok := l.clients[ip]
	return ok && cl.failures.TokensAt(now) < 1
}

// failed counts a failed sign-in from ip.
func (l *signInLimiter) failed(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > signInForget {
		for k, cl := range l.clients {
			if now.Sub(cl.last) > signInForget {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	cl, ok := l.clients[ip]
	if !ok {
		cl = &signInClient{failures: rate.NewLimiter(rate.Limit(LoginRate), LoginBurst)}
		l.clients[ip] = cl
	}
	cl.failures.AllowN(now, 1)
	cl.last = now
}
