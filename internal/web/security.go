package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/coe-agora/agora/internal/apperr"
)

// securityHeaders sets the headers every response carries: no inline or
// third-party script can run, the pages cannot be framed, browsers do not
// guess content types, and links do not leak paths (which carry secrets)
// to other sites.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	for k, v := range s.security {
		h[k] = v
	}
	c.Next()
}

// securityHeaderValues builds the security headers once. The value slices
// are shared by every response: none is changed in place (an Add appends
// to a slice at full capacity, which copies it).
func securityHeaderValues(baseURL string) http.Header {
	h := http.Header{}
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if strings.HasPrefix(baseURL, "https://") {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	return h
}

// limiter keeps one token bucket per key (an address, a token). Buckets
// idle for a while are dropped so the map stays small. Limits are per
// process: with N processes behind a balancer the effective limit is N
// times higher, which still stops brute force and floods.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perMinute float64, burst int) *limiter {
	if perMinute <= 0 {
		return nil // no limit
	}
	return &limiter{every: rate.Limit(perMinute / 60), burst: burst, buckets: map[string]*bucket{}, swept: time.Now()}
}

// allow takes one token for key, or says how long to wait.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.swept) > 5*time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// limits are the abuse limits of one server.
type limits struct {
	login    *limiter // sign-in and password reset, per address
	register *limiter // public registration, per address
	link     *limiter // token-bearing URLs, per token and per address
}

func newLimits(c Limits) limits {
	return limits{
		login:    newLimiter(c.LoginPerMinute, max(1, int(c.LoginPerMinute))),
		register: newLimiter(c.RegistrationPerMinute, max(1, int(c.RegistrationPerMinute/2))),
		link:     newLimiter(c.LinkPerMinute, max(1, int(c.LinkPerMinute/2))),
	}
}

// Limits configures the abuse limits (requests per minute; 0: off).
type Limits struct {
	LoginPerMinute, RegistrationPerMinute, LinkPerMinute float64
}

// rateLimit answers 429 with Retry-After once key exhausts l.
func (s *Server) rateLimit(l *limiter, keys func(c *gin.Context) []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if l == nil {
			c.Next()
			return
		}
		for _, key := range keys(c) {
			if ok, wait := l.allow(key); !ok {
				c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
				s.writeError(c, apperr.New(apperr.RateLimited, apperr.M("err.too_many_requests")))
				return
			}
		}
		c.Next()
	}
}

func byAddress(c *gin.Context) []string { return []string{"ip:" + c.ClientIP()} }

// byTokenAndAddress limits a secret link both per link and per address.
func byTokenAndAddress(c *gin.Context) []string {
	keys := []string{"ip:" + c.ClientIP()}
	if t := c.Param("token"); t != "" {
		keys = append(keys, "tok:"+t)
	}
	return keys
}

// anonymousOnly applies a limit to callers without an account (the public
// registration path); signed-in staff are not throttled there.
func (s *Server) anonymousOnly(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if actorOf(c).Anonymous() {
			h(c)
			return
		}
		c.Next()
	}
}
