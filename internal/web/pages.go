package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/justinas/nosurf"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/templates"
)

// Every file of templates/pages other than layout.html and partials.html
// is a page, parsed with the layout (and every partials*.html) when the
// server is built, so a broken page stops the start; render refuses a name
// that has no page.

func pageFuncs(cat *i18n.Catalog) template.FuncMap {
	return template.FuncMap{
		// t translates: {{t .Lang "meeting.when"}} or with data pairs
		// {{t .Lang "meeting.times_note" "Zone" .Zone}}.
		"t": func(lang, id string, pairs ...any) string {
			data := map[string]any{}
			for i := 0; i+1 < len(pairs); i += 2 {
				data[fmt.Sprint(pairs[i])] = pairs[i+1]
			}
			return cat.T(lang, id, data)
		},
		"date":     func(t time.Time, lang string) string { return i18n.Date(t, lang) },
		"datetime": func(t time.Time, lang string) string { return i18n.DateTime(t, lang) },
		"clock":    i18n.Clock,
		"number":   i18n.Number,
		"in":       func(t time.Time, loc *time.Location) time.Time { return t.In(loc) },
		"sameDay": func(a, b time.Time) bool {
			return a.Year() == b.Year() && a.YearDay() == b.YearDay()
		},
		"lines": func(s string) []string { return strings.Split(s, "\n") },
		"deref": func(t *time.Time) time.Time { return *t },
		"dict": func(pairs ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(pairs); i += 2 {
				m[fmt.Sprint(pairs[i])] = pairs[i+1]
			}
			return m
		},
		// derefID reads an optional id (check it is set first).
		"derefID": func(id *int64) int64 { return *id },
	}
}

// pageSet is the site's templates: the layout, the partials and every
// page's content, parsed once into one set. A page's "content" is kept
// there as "content:" and the page's name; renderPage executes it, then
// the layout around it. (A copy of the layout and partials for each page,
// as html/template's Clone makes them, kept as many copies of their parse
// trees as there are pages: 13.5 MB that every garbage collection walked.)
type pageSet struct {
	set   *template.Template
	pages map[string]bool
}

func contentOf(page string) string { return "content:" + page }

func parsePages(cat *i18n.Catalog) (*pageSet, error) {
	funcs := pageFuncs(cat)
	set, err := template.New("layout").Funcs(funcs).ParseFS(templates.FS, "pages/layout.html", "pages/partials*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{set: set, pages: map[string]bool{}}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || strings.HasPrefix(name, "partials") {
			continue
		}
		if err := ps.add(name, file, funcs); err != nil {
			return nil, fmt.Errorf("web: page %q: %w", name, err)
		}
	}
	return ps, nil
}

// add parses the page file on its own and adds what it defines to the
// set: its "content" under the page's name, any other template under its
// own, which no other file may define.
func (ps *pageSet) add(name, file string, funcs template.FuncMap) error {
	p, err := template.New(name).Funcs(funcs).ParseFS(templates.FS, file)
	if err != nil {
		return err
	}
	for _, t := range p.Templates() {
		def := t.Name()
		switch {
		case def == name || def == path.Base(file):
			continue // the file itself, outside its definitions
		case def == "content":
			def = contentOf(name)
		case ps.set.Lookup(def) != nil:
			return fmt.Errorf("template %q is defined twice", def)
		}
		if _, err := ps.set.AddParseTree(def, t.Tree); err != nil {
			return err
		}
	}
	if ps.set.Lookup(contentOf(name)) == nil {
		return errors.New(`no "content" defined`)
	}
	ps.pages[name] = true
	return nil
}

// page is the data every page gets.
type page struct {
	Lang  string
	Title string
	Data  any
	// User is the signed-in account (nil for visitors); CSRF the token
	// every form must carry.
	User *auth.User
	CSRF string
	// Flash is a one-time message (already translated) shown at the top.
	Flash string
	// SwitchEN and SwitchFR are this page in the other language, with
	// its other query parameters (filters) kept.
	SwitchEN, SwitchFR string
	// Content is the page's own part, rendered first, which the layout
	// puts in its main element.
	Content template.HTML
}

// render executes the layout with the named page's content.
func (s *Server) render(c *gin.Context, status int, name string, p page) {
	b, err := s.renderPage(c, name, p)
	if err != nil {
		s.writeError(c, err)
		return
	}
	for _, h := range b.header {
		c.Header(h[0], h[1])
	}
	c.Data(status, b.contentType, b.body)
}

// renderPage executes the layout with the named page's content for the
// caller: their account, CSRF token and one-time message.
func (s *Server) renderPage(c *gin.Context, name string, p page) (built, error) {
	if !s.pages.pages[name] {
		return built{}, fmt.Errorf("web: page %q is not declared", name)
	}
	p.User = actorOf(c).User
	p.SwitchEN, p.SwitchFR = withLang(c, "en"), withLang(c, "fr")
	p.CSRF = nosurf.Token(c.Request)
	if s.sessions != nil && p.Flash == "" {
		p.Flash = s.sessions.PopString(c.Request.Context(), "flash")
	}
	var b bytes.Buffer
	if err := s.pages.set.ExecuteTemplate(&b, contentOf(name), p); err != nil {
		return built{}, fmt.Errorf("web: render %s: %w", name, err)
	}
	// Escaped by html/template as the layout's main element would have
	// escaped it: the content starts and ends in HTML text.
	p.Content = template.HTML(b.String()) //nolint:gosec // html/template's own output
	b.Reset()
	if err := s.pages.set.ExecuteTemplate(&b, "layout", p); err != nil {
		return built{}, fmt.Errorf("web: render %s: %w", name, err)
	}
	return built{contentType: "text/html; charset=utf-8", body: b.Bytes(),
		header: [][2]string{{"Content-Language", p.Lang}, {"Vary", "Accept-Language, Cookie"}}}, nil
}

// pageError answers a page request that failed: a translated page for
// "not found", the JSON-free generic error otherwise.
func (s *Server) pageError(c *gin.Context, lang string, err error) {
	e := classify(err)
	status := statusOf(e.Code)
	switch {
	case status == http.StatusNotFound || status == http.StatusForbidden:
		s.render(c, http.StatusNotFound, "error", page{Lang: lang, Title: s.cat.T(lang, "error.title", nil), Data: "error.not_found"})
	case e.Code == apperr.Unavailable:
		s.logFailure(c, err)
		c.Header("Retry-After", retryAfter)
		s.render(c, status, "error", page{Lang: lang, Title: s.cat.T(lang, "error.unavailable_title", nil), Data: "error.unavailable"})
	case status >= 500:
		s.logFailure(c, err)
		s.render(c, status, "error", page{Lang: lang, Title: s.cat.T(lang, "error.internal_title", nil), Data: "error.internal"})
	default:
		s.writeError(c, err)
	}
}

const langCookie = "agora_lang"

// langCookies are the Set-Cookie values that keep a language chosen with
// ?lang=, built once: every visit to a public page with ?lang= sends one.
var langCookies = map[string]string{"en": langCookieFor("en"), "fr": langCookieFor("fr")}

func langCookieFor(lang string) string {
	return (&http.Cookie{Name: langCookie, Value: lang, MaxAge: 365 * 24 * 3600, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode}).String()
}

// language picks the page language: ?lang=, then the cookie, then
// Accept-Language, then English. A choice made with ?lang= sticks.
func language(c *gin.Context) string {
	if l := c.Query("lang"); l == "en" || l == "fr" {
		c.Writer.Header().Add("Set-Cookie", langCookies[l])
		return l
	}
	if l, err := c.Cookie(langCookie); err == nil && (l == "en" || l == "fr") {
		return l
	}
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "fr"):
			return "fr"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "en"
}

func (s *Server) privacyPage(c *gin.Context) {
	lang := language(c)
	s.render(c, http.StatusOK, "privacy", page{Lang: lang, Title: s.cat.T(lang, "privacy.title", nil)})
}

// withLang is the current URL (path and query) with lang set.
func withLang(c *gin.Context, lang string) string {
	q := c.Request.URL.Query()
	q.Set("lang", lang)
	return c.Request.URL.Path + "?" + q.Encode()
}
