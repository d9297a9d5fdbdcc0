package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/meeting"
)

// The public meeting reads — the meeting page, its printable agenda, its
// calendar file and the agenda in the API — are what a rush on a published
// agenda hits. For anonymous callers their response depends only on the
// meeting, the route and the language, so it is built once and served from
// the ResponseCache until the meeting changes, with an ETag.

// built is a response ready to send, and the meeting it shows (whose
// dates say when it goes stale by the clock).
type built struct {
	contentType string
	body        []byte
	header      [][2]string
	meeting     meeting.Meeting
}

// Route names in cache keys.
const (
	readPage     = "page"
	readPrint    = "print"
	readCalendar = "ics"
	readAgenda   = "agenda"
)

// anonymousPublicRead reports whether r is a GET of one of the public
// meeting reads without credentials (no Authorization header, no session
// cookie). Such a request has no session to load and no form to protect.
func anonymousPublicRead(r *http.Request) bool {
	return r.Method == http.MethodGet && publicReadPath(r.URL.Path) && anonymous(r)
}

// anonymous reports whether r carries no credentials. The CSRF and
// language cookies are not credentials: the language is part of the key,
// and pages show the CSRF token only to signed-in users (the sign-out form).
func anonymous(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	_, err := r.Cookie(sessionCookie)
	return err != nil
}

// publicReadPath matches /meetings/{id}, /meetings/{id}/agenda/print,
// /meetings/{id}/calendar.ics and /api/v1/meetings/{id}/agenda.
func publicReadPath(p string) bool {
	if rest, ok := strings.CutPrefix(p, "/api/v1/meetings/"); ok {
		return afterID(rest) == "/agenda"
	}
	if rest, ok := strings.CutPrefix(p, "/meetings/"); ok {
		switch afterID(rest) {
		case "", "/agenda/print", "/calendar.ics":
			return true
		}
	}
	return false
}

// afterID returns what follows the leading digits of s ("-" when there are
// none, which matches no route).
func afterID(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return "-"
	}
	return s[i:]
}

// publicRead answers a public meeting read: for an anonymous caller from
// the cache when it holds a fresh copy, else with build, whose response is
// then kept; for anyone else with build alone, as before the cache. An
// error (not found…) is returned for the caller's own error page.
func (s *Server) publicRead(c *gin.Context, route, lang string, build func(id int64) (built, error)) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if !s.cache.enabled() || !anonymous(c.Request) || !actorOf(c).Anonymous() || !canonicalURL(c, id, route) {
		b, err := build(id)
		if err != nil {
			return err
		}
		for _, h := range b.header {
			c.Header(h[0], h[1])
		}
		c.Data(http.StatusOK, b.contentType, b.body)
		return nil
	}
	key := cacheKey{route: route, id: id, lang: lang}
	r, epoch, ok := s.cache.get(key)
	if !ok {
		// The build may serve others waiting for the same response: this
		// caller going away must not cancel it.
		c.Request = c.Request.WithContext(context.WithoutCancel(c.Request.Context()))
		if r, err = s.cache.fill(key, epoch, func() (built, error) { return build(id) }); err != nil {
			return err
		}
	}
	h := c.Writer.Header()
	for k, v := range r.header {
		h[k] = v
	}
	if etagMatches(c.GetHeader("If-None-Match"), r.etag) {
		delete(h, "Content-Type")
		c.Status(http.StatusNotModified)
		return nil
	}
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(r.body)
	return nil
}

// canonicalURL reports whether the response cannot depend on the URL
// beyond the meeting and the language: the pages link to themselves in the
// other language with the path as written ("/meetings/007") and every other
// query parameter kept, so only the plain id and ?lang= (or nothing) are
// cached.
func canonicalURL(c *gin.Context, id int64, route string) bool {
	if c.Param("id") != strconv.FormatInt(id, 10) {
		return false
	}
	if route != readPage && route != readPrint {
		return true
	}
	switch c.Request.URL.RawQuery {
	case "", "lang=en", "lang=fr":
		return true
	}
	return false
}

// etagMatches applies If-None-Match (a list of tags, or *; weak
// comparison, as RFC 9110 asks for GET).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
