package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/chancery/chancery/chain"
	"github.com/chancery/chancery/shared/errs"
	"github.com/chancery/chancery/storage"
	"github.com/chancery/chancery/web/keyring"
)

// Config configures the HTTP server.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string `toml:"addr"`
	// BodyLimit caps request bodies other than file uploads, in bytes:
	// JSON, and the text lists of batch anchoring (100,000 hashes are 6.5
	// MB).
	BodyLimit int64 `toml:"body_limit"`
	// SubmitWait is how long a write waits for its block before answering
	// 202 with the transaction hash and "pending".
	SubmitWait time.Duration `toml:"submit_wait"`
}

// Defaults.
const (
	DefaultAddr       = "127.0.0.1:8080"
	DefaultBodyLimit  = 8 << 20
	DefaultSubmitWait = 10 * time.Second
)

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Addr: DefaultAddr, BodyLimit: DefaultBodyLimit, SubmitWait: DefaultSubmitWait}
}

// Validate checks the configuration, naming the first bad field.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("http.addr %q: want host:port", c.Addr)
	}
	if c.BodyLimit < 64<<10 {
		return fmt.Errorf("http.body_limit %d: must be at least 65536 bytes", c.BodyLimit)
	}
	if c.SubmitWait < 0 || c.SubmitWait > time.Minute {
		return fmt.Errorf("http.submit_wait %s: must be between 0 and 1m", c.SubmitWait)
	}
	return nil
}

// ReadyCheck reports whether a dependency can serve requests; /readyz fails
// while any check does.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps are what the server is built on.
type Deps struct {
	Chain   Chain
	Keyring *keyring.Keyring
	Blobs   storage.BlobStore
	Stats   func() ChainStats // for /metrics
	Logger  *slog.Logger
	Ready   []ReadyCheck // checked by /readyz beside the chain
	State   chain.Viewer // committed state, for the account page
	Roles   AccountRoles // members' keeper, for the account page
	Version string       // the software's, for /api/v1/status and the pages; "dev" if empty
}

// Server is the HTTP server.
type Server struct {
	cfg     Config
	echo    *echo.Echo
	chain   Chain
	keyring *keyring.Keyring
	blobs   storage.BlobStore
	ready   []ReadyCheck
	logger  *slog.Logger
	api     *echo.Group
	uploads *echo.Group
	version string

	state    chain.Viewer
	roles    AccountRoles
	sessions *sessionStore
	signIns  *signInLimiter
}

// New builds the server with the chain API and health endpoints; apps add
// their routes to API().
func New(cfg Config, d Deps) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{cfg: cfg, echo: e, chain: d.Chain, keyring: d.Keyring, blobs: d.Blobs, ready: d.Ready, logger: d.Logger, version: cmp.Or(d.Version, "dev")}
	if d.Blobs != nil {
		s.ready = append(s.ready, ReadyCheck{Name: "blob store", Check: d.Blobs.Ready})
	}
	m := newMetrics(d.Stats)
	e.HTTPErrorHandler = s.handleError
	e.Pre(apiNoStore)
	e.Use(
		m.middleware,
		middleware.RequestID(),
		s.accessLog(),
		middleware.Recover(),
		middleware.SecureWithConfig(middleware.SecureConfig{
			XSSProtection:         "0",
			ContentTypeNosniff:    "nosniff",
			XFrameOptions:         "DENY",
			ReferrerPolicy:        "same-origin",
			ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
		}),
	)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", m.handler())
	// Uploads stream into the blob store under its own size limit, so
	// multipart bodies bypass the API's body limit; any other body these
	// routes take (the JSON of a hash-only request, a batch's list) keeps it.
	s.uploads = e.Group("/api/v1", middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   fmt.Sprint(cfg.BodyLimit),
		Skipper: IsMultipart,
	}))
	if d.Blobs != nil {
		s.uploads.POST("/blobs", s.uploadBlob, s.RequireAuth)
	}
	s.api = e.Group("/api/v1", middleware.BodyLimit(fmt.Sprint(cfg.BodyLimit)))
	s.chainRoutes(s.api)
	s.api.GET("/me", s.me, s.RequireAuth)
	s.usePages(d)
	return s
}

// headAsGet serves a HEAD request of a page, a static file or a health check
// as its GET, whose body net/http then drops, since its own request still
// says HEAD: echo routes HEAD nowhere, and monitors and link checkers use
// it. The API is left alone (echo's groups answer 404 to what they do not
// route): a GET there may sign, as a download records its access, which a
// HEAD must not.
func headAsGet(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && !strings.HasPrefix(r.URL.Path, "/api/") {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		h.ServeHTTP(w, r)
	})
}

// apiNoStore marks API answers no-store: they follow the chain's latest
// state or the caller's rights, and none is for a cache to keep.
func apiNoStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}

// API is the /api/v1 group, for apps to add their routes to.
func (s *Server) API() *echo.Group { return s.api }

// Uploads is the /api/v1 group without the body limit, for routes that take
// files (see ReceiveFile).
func (s *Server) Uploads() *echo.Group { return s.uploads }

// Blobs is the blob store files are uploaded to.
func (s *Server) Blobs() storage.BlobStore { return s.blobs }

// Handler is the server as an http.Handler, for tests.
func (s *Server) Handler() http.Handler { return headAsGet(s.echo) }

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully, letting requests in flight finish for up to 10 seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if s.sessions != nil {
		go s.sessions.sweepUntil(ctx, sessionSweep)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogRemoteIP: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.logger.LogAttrs(c.Request().Context(), slog.LevelDebug, "http request",
				slog.String("request_id", v.RequestID), slog.String("method", v.Method),
				slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("remote", v.RemoteIP))
			return nil
		},
	})
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz succeeds when the node has caught up with the chain and every
// dependency answers.
func (s *Server) readyz(c echo.Context) error {
	type check struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error,omitempty"`
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := append([]ReadyCheck{{Name: "chain", Check: s.chainReady}}, s.ready...)
	out := make([]check, 0, len(checks))
	status := http.StatusOK
	for _, rc := range checks {
		res := check{Name: rc.Name, OK: true}
		if err := rc.Check(ctx); err != nil {
			res.OK, res.Error = false, err.Error()
			status = http.StatusServiceUnavailable
		}
		out = append(out, res)
	}
	return c.JSON(status, map[string]any{"ready": status == http.StatusOK, "checks": out})
}

func (s *Server) chainReady(context.Context) error {
	st, err := s.chain.Status()
	if err != nil {
		return err
	}
	if st.CatchingUp {
		return errors.New("catching up with the chain")
	}
	if st.Height == 0 {
		return errors.New("no block committed yet")
	}
	return nil
}

// MeView is GET /api/v1/me: who the token belongs to.
type MeView struct {
	Username string   `json:"username"`
	Org      string   `json:"org"`
	Address  string   `json:"address"`
	PubKey   string   `json:"pubkey"`
	Roles    []string `json:"roles"`
}

// me answers who the caller is, with the roles the chain lets its account
// act with now: the keyring's copy, written when the user was made, lags
// behind every change of roles.
func (s *Server) me(c echo.Context) error {
	u := Caller(c).User
	v := MeView{Username: u.Username, Org: u.Org, Address: u.Address.String(), PubKey: u.PubKey.String(), Roles: u.Roles}
	if s.state != nil && s.roles != nil {
		err := s.state.View(func(r chain.Reader) (err error) {
			v.Roles, err = s.roles.EffectiveRoles(r, u.Address)
			return err
		})
		if err != nil && errs.As(err).Kind != errs.KindNotFound {
			return err
		}
		if err != nil {
			v.Roles = []string{} // no account on chain: no role
		}
	}
	return JSON(c, v)
}
