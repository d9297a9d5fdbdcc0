// Package web is Agora's HTTP side: the gin router, middleware, the JSON
// API and the HTML pages. It is the only package that knows HTTP; it turns
// requests into calls on the domain services and their errors into statuses.
package web

import (
	"context"
	"github.com/alexedwards/scs/v2"
	"github.com/coe-agora/agora/internal/account"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/privacy"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/printout"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/internal/statistics"
	"github.com/coe-agora/agora/templates"
)

// Config is what the web layer needs to know from the configuration.
type Config struct {
	BaseURL      string
	MaxBodyBytes int64
	// SMTPConfigured is false when mail is withheld for want of a server.
	SMTPConfigured bool
	// Limits are the abuse limits.
	Limits Limits
	// TrustedProxies are the addresses (IPs, CIDR ranges) whose
	// forwarding headers give the client's address; none by default.
	TrustedProxies []string
	// PublicMetrics serves /metrics to anyone instead of admins only.
	PublicMetrics bool
	// Letterhead heads the letters and certificates.
	Letterhead printout.Letterhead
}

// Deps are the services the handlers call.
type Deps struct {
	DB            *sqlx.DB // readiness and the session store
	States        *state.Store
	Organisations *organisation.Store
	Auth          *auth.Store
	Meetings      *meeting.Service
	Documents     *document.Service
	FocalPoints   *invitation.FocalPoints
	Invitations   *invitation.Service
	Registrations *registration.Service
	Outbox        *mail.Outbox
	Accounts      *account.Service
	Audit         *audit.Trail
	Privacy       *privacy.Service
	// Renderer renders emails (previews show exactly what is sent).
	Renderer *mail.Renderer
	// MailCheck is the admin's mail check; nil: built from the outbox.
	MailCheck MailChecker
	// Cache keeps the public meeting reads for anonymous visitors; nil:
	// none (every read is built).
	Cache *ResponseCache
	// Statistics reads the participation statistics and finds people.
	Statistics *statistics.Service
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg      Config
	log      *slog.Logger
	deps     Deps
	metrics  *Metrics
	pages    *pageSet
	cat      *i18n.Catalog
	router   *gin.Engine
	sessions *scs.SessionManager
	handler  http.Handler
	limits   limits
	cache    *ResponseCache
	security http.Header
}

// New builds the server and its routes. Templates are parsed here, so a
// broken or missing page fails at start, not at the first request.
func New(cfg Config, log *slog.Logger, deps Deps, metrics *Metrics) (*Server, error) {
	cat, err := i18n.Load(templates.FS, "i18n")
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(cat)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, deps: deps, metrics: metrics, pages: pages, cat: cat, cache: deps.Cache}
	s.security = securityHeaderValues(cfg.BaseURL)
	s.sessions = newSessions(s)
	s.limits = newLimits(cfg.Limits)
	if s.router, err = s.routes(); err != nil {
		return nil, err
	}
	s.handler = s.sessions.LoadAndSave(s.withCSRF(s.router))
	return s, nil
}

// ServeHTTP makes the server an http.Handler: sessions, then CSRF, then
// routes. An anonymous read of a public meeting page has no session to
// load and no form to protect: it goes to the routes with an empty
// session, which is never saved (see publicRead).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := s.screen(w, r); err != nil {
		s.serveRefused(w, r, err)
		return
	}
	if anonymousPublicRead(r) {
		ctx, err := s.sessions.Load(r.Context(), "") // no token: no store access
		if err == nil {
			s.router.ServeHTTP(w, r.WithContext(ctx))
			return
		}
	}
	s.handler.ServeHTTP(w, r)
}

// Routes lists the method and path of every route, for the OpenAPI check.
func (s *Server) Routes() [][2]string {
	var out [][2]string
	for _, r := range s.router.Routes() {
		out = append(out, [2]string{r.Method, r.Path})
	}
	return out
}

func (s *Server) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2e9)
	defer cancel()
	return s.deps.DB.PingContext(ctx)
}
