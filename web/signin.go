package web

import (
	"runtime"
	"sync"
	"time"
)

// Sign-in attempts allowed per client address: a burst of LoginBurst, then
// LoginRate a second (five a minute). Each attempt takes one when it comes
// in, before the password is checked, so attempts sent at once are counted
// at once; one that succeeds gives it back, so an office behind one
// address signs in all its staff in the morning.
const (
	LoginRate  = 5.0 / 60
	LoginBurst = 5
)

// signInLimiter counts sign-in attempts per client address. The address is
// the connection's own: a client could write any X-Forwarded-For it liked.
type signInLimiter struct {
	mu      sync.Mutex
	clients map[string]*signInClient
	swept   time.Time
	// hashing admits as many password checks at once as there are cores:
	// each costs argon2id's 64 MiB, whatever the addresses they come from.
	hashing chan struct{}
}

// signInClient is the allowance of one address: tokens, refilled at
// LoginRate up to LoginBurst, as of last.
type signInClient struct {
	tokens float64
	last   time.Time
}

// signInForget is how long an address is remembered after its last
// attempt; by then its allowance is full again.
const signInForget = 3 * time.Minute

func newSignInLimiter() *signInLimiter {
	return &signInLimiter{clients: map[string]*signInClient{}, hashing: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// take takes one attempt from ip's allowance at now; false when none is
// left.
func (l *signInLimiter) take(ip string, now time.Time) bool {
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
		cl = &signInClient{tokens: LoginBurst, last: now}
		l.clients[ip] = cl
	}
	cl.tokens = min(LoginBurst, cl.tokens+now.Sub(cl.last).Seconds()*LoginRate)
	cl.last = now
	if cl.tokens < 1 {
		return false
	}
	cl.tokens--
	return true
}

// giveBack returns the attempt of a sign-in that succeeded.
func (l *signInLimiter) giveBack(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cl, ok := l.clients[ip]; ok {
		cl.tokens = min(LoginBurst, cl.tokens+1)
	}
}
