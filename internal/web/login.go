package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

type loginView struct {
	Form *form
	Next string
}

// safeNext keeps a redirect target inside Agora: a local path, or nothing.
// Browsers drop tabs and newlines from a Location and read a backslash as
// "/", so "/\t/evil.example" or "/\\evil.example" would leave the site: the
// target must start with a single "/" and, however often it is decoded,
// hold no "//", no backslash and no control character.
func safeNext(next string) string {
	d := next
	for i := 0; ; i++ {
		if !strings.HasPrefix(d, "/") || strings.Contains(d, "//") || strings.ContainsRune(d, '\\') ||
			strings.IndexFunc(d, unicode.IsControl) >= 0 || !utf8.ValidString(d) {
			return ""
		}
		u, err := url.PathUnescape(d)
		if err != nil || (i == 3 && u != d) { // undecodable, or encoded over and over
			return ""
		}
		if u == d {
			return next
		}
		d = u
	}
}

// homeOf is where an account lands after signing in.
func homeOf(u auth.User) string {
	if u.Role == auth.RoleFocalPoint {
		return "/delegation"
	}
	return "/secretariat"
}

func (s *Server) loginPage(c *gin.Context) {
	lang := language(c)
	s.render(c, http.StatusOK, "login", page{Lang: lang, Title: s.cat.T(lang, "login.title", nil),
		Data: loginView{Form: newForm(nil), Next: safeNext(c.Query("next"))}})
}

func (s *Server) login(c *gin.Context) {
	lang := language(c)
	f := newForm(formValues(c.PostForm, "email"))
	next := safeNext(c.PostForm("next"))
	u, err := s.deps.Auth.Login(c.Request.Context(), c.PostForm("email"), c.PostForm("password"), c.ClientIP())
	if err != nil {
		if !f.fail(s.cat, err, lang) {
			s.pageError(c, lang, err)
			return
		}
		status := http.StatusUnauthorized
		if apperr.Is(err, apperr.RateLimited) {
			status = http.StatusTooManyRequests
			wait, ok := auth.RetryAfter(err)
			if !ok {
				wait = auth.FailureWindow
			}
			c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		}
		s.render(c, status, "login", page{Lang: lang, Title: s.cat.T(lang, "login.title", nil), Data: loginView{Form: f, Next: next}})
		return
	}
	if err := s.signIn(c, u); err != nil {
		s.pageError(c, lang, err)
		return
	}
	if next == "" {
		next = homeOf(u)
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *gin.Context) {
	_ = s.sessions.Destroy(c.Request.Context())
	c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) forgotPage(c *gin.Context) {
	lang := language(c)
	s.render(c, http.StatusOK, "forgot", page{Lang: lang, Title: s.cat.T(lang, "forgot.title", nil), Data: loginView{Form: newForm(nil)}})
}

// forgot sends a reset link; the answer is the same whether the account
// exists or not.
func (s *Server) forgot(c *gin.Context) {
	lang := language(c)
	if err := s.deps.Accounts.RequestReset(c.Request.Context(), c.PostForm("email")); err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "forgot.sent", nil))
	c.Redirect(http.StatusSeeOther, "/login")
}

func (s *Server) resetPage(c *gin.Context) {
	lang := language(c)
	s.render(c, http.StatusOK, "reset", page{Lang: lang, Title: s.cat.T(lang, "reset.title", nil), Data: loginView{Form: newForm(nil)}})
}

func (s *Server) reset(c *gin.Context) {
	lang := language(c)
	f := newForm(nil)
	if c.PostForm("password") != c.PostForm("confirm") {
		f.Errors["confirm"] = s.cat.T(lang, "reset.mismatch", nil)
		s.render(c, http.StatusUnprocessableEntity, "reset", page{Lang: lang, Title: s.cat.T(lang, "reset.title", nil), Data: loginView{Form: f}})
		return
	}
	u, err := s.deps.Accounts.Reset(c.Request.Context(), c.Param("token"), c.PostForm("password"))
	if err != nil {
		if !f.fail(s.cat, err, lang) {
			s.pageError(c, lang, err)
			return
		}
		s.render(c, http.StatusUnprocessableEntity, "reset", page{Lang: lang, Title: s.cat.T(lang, "reset.title", nil), Data: loginView{Form: f}})
		return
	}
	if err := s.signIn(c, u); err != nil {
		s.pageError(c, lang, err)
		return
	}
	c.Redirect(http.StatusSeeOther, homeOf(u))
}
