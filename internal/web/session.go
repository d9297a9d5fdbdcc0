package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/justinas/nosurf"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

const (
	sessionCookie      = "agora_session"
	sessionUser        = "user_id"
	sessionFingerprint = "pw"
)

// newSessions keeps web sessions in PostgreSQL, so that any process can
// serve any request.
func newSessions(s *Server) *scs.SessionManager {
	sm := scs.New()
	if s.deps.DB != nil {
		sm.Store = postgresstore.NewWithCleanupInterval(s.deps.DB.DB, 10*time.Minute)
	}
	sm.Lifetime = 12 * time.Hour
	sm.IdleTimeout = 2 * time.Hour
	sm.Cookie.Name = sessionCookie
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(s.cfg.BaseURL, "https://")
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.log.ErrorContext(r.Context(), "session", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
	return sm
}

// passwordFingerprint ties a session to the password it was opened with:
// changing the password signs every other session out.
func passwordFingerprint(u auth.User) string {
	sum := sha256.Sum256([]byte(u.PasswordHash))
	return hex.EncodeToString(sum[:8])
}

// withCSRF guards every form: an unsafe request without the token of the
// page it came from is refused. The JSON API has its own rule (bearer
// tokens, or a same-origin check for cookie sessions), so it is exempt.
func (s *Server) withCSRF(h http.Handler) http.Handler {
	csrf := nosurf.New(h)
	csrf.SetBaseCookie(http.Cookie{Name: "agora_csrf", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), MaxAge: 12 * 3600})
	csrf.ExemptFunc(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") || isDocumentForm(r) })
	// Behind a TLS-terminating proxy the request is plain HTTP but the
	// browser's Origin is the public https URL: judge by the base URL.
	base, _ := url.Parse(s.cfg.BaseURL)
	csrf.SetIsTLSFunc(func(*http.Request) bool { return base != nil && base.Scheme == "https" })
	csrf.SetIsAllowedOriginFunc(func(u *url.URL) bool {
		return base != nil && u.Scheme == base.Scheme && u.Host == base.Host
	})
	csrf.SetFailureHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.WarnContext(r.Context(), "csrf check failed", "reason", nosurf.Reason(r))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("This form has expired. Go back, reload the page and try again.\nCe formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.\n"))
	}))
	return csrf
}

// sessionActor resolves the signed-in account of a web session.
func (s *Server) sessionActor(c *gin.Context) (auth.Actor, bool) {
	ctx := c.Request.Context()
	id := s.sessions.GetInt64(ctx, sessionUser)
	if id == 0 {
		return auth.Actor{}, false
	}
	u, err := s.deps.Auth.UserByID(ctx, id)
	if err != nil || s.sessions.GetString(ctx, sessionFingerprint) != passwordFingerprint(u) {
		_ = s.sessions.Destroy(ctx)
		return auth.Actor{}, false
	}
	return auth.Actor{User: &u}, true
}

// sameOrigin reports whether a cookie-authenticated API request comes from
// Agora's own pages (Origin, else Referer, matching the public URL or the
// request's host). Bearer-token requests need no such check.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = r.Header.Get("Referer")
	}
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	base, _ := url.Parse(s.cfg.BaseURL)
	return (base != nil && u.Host == base.Host) || u.Host == r.Host
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// signIn starts a fresh session for the account (a new session id, so a
// planted one is worthless).
func (s *Server) signIn(c *gin.Context, u auth.User) error {
	ctx := c.Request.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUser, u.ID)
	s.sessions.Put(ctx, sessionFingerprint, passwordFingerprint(u))
	return nil
}

func cookieAPIForbidden() error {
	return apperr.New(apperr.Forbidden, apperr.M("err.cross_site"))
}
