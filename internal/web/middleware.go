package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

const (
	requestIDHeader = "X-Request-ID"
	requestIDKey    = "X-Request-Id" // its canonical form, as header maps hold it
	keyRequestID    = "agora.request_id"
	keyActor        = "agora.actor"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID keeps a sane incoming X-Request-ID or makes one, and returns it
// in the response so a user can quote it and an operator can find the line.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if id == "" || !requestIDRE.MatchString(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(keyRequestID, id)
	c.Writer.Header()[requestIDKey] = []string{id}
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(keyRequestID) }

func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// recovery turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(c.Request.Context(), "panic", slog.String("request_id", requestID(c)),
				slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			s.writeError(c, fmt.Errorf("panic: %v", p))
		}
	}()
	c.Next()
}

// logRequests writes one line per request and feeds the metrics. It logs the
// route pattern, never the raw path or query, which may carry secret tokens.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	elapsed := time.Since(start)
	route, status := routeOf(c), c.Writer.Status()
	s.metrics.observe(c.Request.Method, route, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("request_id", requestID(c)),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("latency", elapsed),
		slog.Int("bytes", c.Writer.Size()),
		slog.String("remote", c.ClientIP()),
		slog.Int64("user_id", actorOf(c).ID()),
	)
}

// authenticate resolves a bearer token to an account. A request without
// credentials goes on as anonymous; one with bad credentials stops here.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if h == "" {
		if a, ok := s.sessionActor(c); ok {
			if strings.HasPrefix(c.Request.URL.Path, "/api/") && !isSafeMethod(c.Request.Method) && !s.sameOrigin(c.Request) {
				s.writeError(c, cookieAPIForbidden())
				return
			}
			c.Set(keyActor, a)
		}
		c.Next()
		return
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		s.writeError(c, apperr.New(apperr.Unauthorized, apperr.M("err.bearer")))
		return
	}
	u, err := s.deps.Auth.Authenticate(c.Request.Context(), strings.TrimSpace(secret))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Set(keyActor, auth.Actor{User: &u})
	c.Next()
}

func actorOf(c *gin.Context) auth.Actor {
	if a, ok := c.Get(keyActor); ok {
		return a.(auth.Actor)
	}
	return auth.Actor{}
}

// require lets through only signed-in callers with one of the roles
// (admins pass wherever the secretariat does).
func (s *Server) require(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := actorOf(c)
		if a.Anonymous() {
			c.Header("WWW-Authenticate", `Bearer realm="agora"`)
			s.writeError(c, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_or_token")))
			return
		}
		if !a.Is(roles...) {
			s.writeError(c, apperr.New(apperr.Forbidden, apperr.M("err.role_forbids")))
			return
		}
		c.Next()
	}
}

func (s *Server) notFound(c *gin.Context) {
	s.writeError(c, apperr.New(apperr.NotFound, apperr.M("err.no_page")))
}

func (s *Server) methodNotAllowed(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: errorDetail{
		Code: "method_not_allowed", Message: apiText(s.cat, apperr.M("err.method_not_allowed"))}})
}
