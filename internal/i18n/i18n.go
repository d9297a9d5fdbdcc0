// Package i18n translates Agora's pages and formats dates the way English
// and French readers expect ("Tuesday 9 March 2027, 09:30" and
// "mardi 9 mars 2027, 09:30"). Messages live in templates/i18n/{en,fr}.json.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the languages Agora speaks, the first being the default.
var Languages = []string{"en", "fr"}

// Catalog holds the messages of every language.
type Catalog struct {
	localizers map[string]*goi18n.Localizer
	ids        map[string][]string
}

// Load reads the catalogs from fsys — dir/en.json and dir/fr.json, plus any
// dir/<area>.en.json and dir/<area>.fr.json — and checks that both
// languages define the same messages.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	bundle := goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{localizers: map[string]*goi18n.Localizer{}, ids: map[string][]string{}}
	for _, lang := range Languages {
		files, _ := fs.Glob(fsys, path.Join(dir, "*."+lang+".json"))
		files = append([]string{path.Join(dir, lang+".json")}, files...)
		for _, name := range files {
			// go-i18n takes the language from the file name's last part
			// before .json, so "secretariat.fr.json" is French.
			file, err := bundle.LoadMessageFileFS(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for _, m := range file.Messages {
				c.ids[lang] = append(c.ids[lang], m.ID)
			}
		}
		sort.Strings(c.ids[lang])
		c.localizers[lang] = goi18n.NewLocalizer(bundle, lang)
	}
	if a, b := c.ids["en"], c.ids["fr"]; fmt.Sprint(a) != fmt.Sprint(b) {
		return nil, fmt.Errorf("i18n: en.json and fr.json do not define the same messages (%s)", firstDifference(a, b))
	}
	return c, nil
}

func firstDifference(a, b []string) string {
	seen := map[string]int{}
	for _, id := range a {
		seen[id]++
	}
	for _, id := range b {
		seen[id]--
	}
	for id, n := range seen {
		if n != 0 {
			return id
		}
	}
	return "?"
}

// T translates a message; data fills its {{.Placeholders}}. A missing
// message shows its id, which a test catches.
func (c *Catalog) T(lang, id string, data any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers["en"]
	}
	s, err := l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Lang returns lang if Agora speaks it, else English.
func Lang(lang string) string {
	if lang == "fr" {
		return "fr"
	}
	return "en"
}

var (
	daysFR   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
)

// Date formats a day: "Tuesday 9 March 2027" or "mardi 9 mars 2027"
// ("1er" for the first of the month in French).
func Date(t time.Time, lang string) string {
	if lang == "fr" {
		day := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %s %d", daysFR[t.Weekday()], day, monthsFR[t.Month()-1], t.Year())
	}
	return t.Format("Monday 2 January 2006")
}

// DateTime formats a moment: "Tuesday 9 March 2027, 09:30" or
// "mardi 9 mars 2027, 09:30" (24-hour clock in both languages).
func DateTime(t time.Time, lang string) string {
	return Date(t, lang) + ", " + t.Format("15:04")
}

// Clock formats a time of day: "09:30".
func Clock(t time.Time) string { return t.Format("15:04") }

// Number formats a count with its thousands grouped: "5,000" in English,
// "5 000" in French (a narrow no-break space, which a line never breaks).
func Number(n int, lang string) string {
	sep := ","
	if lang == "fr" {
		sep = "\u202f"
	}
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return sign + s
}
