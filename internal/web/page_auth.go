package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
)

// requirePage lets through signed-in accounts with one of the roles (admins
// pass wherever the secretariat does). Visitors go to the sign-in page and
// come back; other accounts get a "not found" page, which reveals nothing.
func (s *Server) requirePage(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := actorOf(c)
		if a.Anonymous() {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if !a.Is(roles...) {
			s.pageError(c, language(c), apperr.New(apperr.Forbidden, apperr.M("err.not_for_role")))
			c.Abort()
			return
		}
		c.Next()
	}
}

// redirectBack sends the browser back to a page after a form, with a
// one-time message.
func (s *Server) redirectBack(c *gin.Context, to, flash string) {
	if flash != "" {
		s.sessions.Put(c.Request.Context(), "flash", flash)
	}
	c.Redirect(http.StatusSeeOther, to)
}
