package i18n_test

import (
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/templates"
)

func TestDates(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		t    time.Time
		lang string
		want string
	}{
		{time.Date(2027, 3, 9, 9, 30, 0, 0, paris), "fr", "mardi 9 mars 2027, 09:30"},
		{time.Date(2027, 3, 9, 9, 30, 0, 0, paris), "en", "Tuesday 9 March 2027, 09:30"},
		{time.Date(2027, 8, 1, 14, 5, 0, 0, paris), "fr", "dimanche 1er août 2027, 14:05"},
		{time.Date(2027, 12, 25, 18, 0, 0, 0, paris), "fr", "samedi 25 décembre 2027, 18:00"},
		{time.Date(2027, 2, 1, 8, 0, 0, 0, paris), "en", "Monday 1 February 2027, 08:00"},
	}
	for _, tt := range tests {
		if got := i18n.DateTime(tt.t, tt.lang); got != tt.want {
			t.Errorf("DateTime(%v, %s) = %q, want %q", tt.t, tt.lang, got, tt.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		n      int
		en, fr string
	}{
		{0, "0", "0"},
		{100, "100", "100"},
		{1000, "1,000", "1\u202f000"},
		{5000, "5,000", "5\u202f000"},
		{225000, "225,000", "225\u202f000"},
		{1234567, "1,234,567", "1\u202f234\u202f567"},
		{-1500, "-1,500", "-1\u202f500"},
	}
	for _, tt := range tests {
		if got := i18n.Number(tt.n, "en"); got != tt.en {
			t.Errorf("Number(%d, en) = %q, want %q", tt.n, got, tt.en)
		}
		if got := i18n.Number(tt.n, "fr"); got != tt.fr {
			t.Errorf("Number(%d, fr) = %q, want %q", tt.n, got, tt.fr)
		}
	}
}

func TestCatalog(t *testing.T) {
	c, err := i18n.Load(templates.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("fr", "meeting.times_note", map[string]any{"Zone": "Europe/Paris"}); got != "Les heures sont données dans le fuseau horaire de la réunion (Europe/Paris)." {
		t.Errorf("French message: %q", got)
	}
	if got := c.T("en", "kind.plenary", nil); got != "Plenary of Permanent Correspondents" {
		t.Errorf("English message: %q", got)
	}
	if got := c.T("de", "kind.plenary", nil); got != "Plenary of Permanent Correspondents" {
		t.Errorf("unknown language should fall back to English: %q", got)
	}
}
