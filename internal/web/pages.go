package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/templates"
)

// pageNames are the pages that must exist; each is parsed with the layout.
var pageNames = []string{"home"}

func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout").ParseFS(templates.FS, "pages/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.Must(layout.Clone()).ParseFS(templates.FS, "pages/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: page %q: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is the data every page gets.
type page struct {
	Lang  string
	Title string
	Data  any
}

// render executes the layout with the named page's content.
func (s *Server) render(c *gin.Context, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		s.writeError(c, fmt.Errorf("web: page %q is not declared", name))
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.writeError(c, fmt.Errorf("web: render %s: %w", name, err))
		return
	}
	c.Header("Content-Language", p.Lang)
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

const langCookie = "agora_lang"

// language picks the page language: ?lang=, then the cookie, then
// Accept-Language, then English. A choice made with ?lang= sticks.
func language(c *gin.Context) string {
	if l := c.Query("lang"); l == "en" || l == "fr" {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie(langCookie, l, 365*24*3600, "/", "", false, true)
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

func (s *Server) homePage(c *gin.Context) {
	lang := language(c)
	s.render(c, http.StatusOK, "home", page{Lang: lang, Title: map[string]string{"en": "Home", "fr": "Accueil"}[lang]})
}
