package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
)

// Paths that led nowhere before: a visitor goes from the home page to a
// meeting and to the past meetings; the secretariat reaches the form that
// registers someone for a state from a meeting's registrations page, by
// the state's row, and the person it registers there is in the database,
// for that state.
func TestNewPathsInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	m, _ := delegationMeeting(t, e, "Expert group on prevention", false)
	public := publishedMeeting(t, e, true)
	held := pastMeeting(t, e, "Held bureau", true, 2)
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}

	p.open("/?lang=en")
	p.submit(fmt.Sprintf("#upcoming a[href='/meetings/%d']", public.ID))
	p.mustSee("h1", "Plenary of Permanent Correspondents")
	p.mustSee("#agenda", "Agenda")
	p.open("/?lang=en")
	p.submit("#upcoming a[href='/meetings/past']")
	p.submit(fmt.Sprintf("#past-meetings a[href='/meetings/%d']", held.ID))
	p.mustSee("h1", "Held bureau")
	p.mustSee("main", "Agenda of Held bureau")

	p.open("/login?lang=fr")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "secretariat@example.org"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	p.submit("form[action='/login'] button[type=submit]")

	p.open(fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID))
	if got := p.text("#register-someone"); got != "Inscrire une personne pour un État…" {
		t.Errorf("link to the registration form: %q", got)
	}
	p.submit(fmt.Sprintf("a.register-for[href='/meetings/%d/delegation?state=DE']", m.ID))
	p.mustSee("main", "Allemagne")
	p.Do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Greta"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Vogel"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "greta.vogel@bund.example"),
	)
	p.submit("#nominate button[type=submit]")
	p.mustSee("#people", "Greta Vogel")

	var got struct {
		State  string `db:"state_code"`
		Status string `db:"status"`
		Source string `db:"source"`
	}
	if err := e.App.DB.Get(&got, `SELECT state_code, status, source FROM registrations WHERE meeting_id = $1 AND email = $2`,
		m.ID, "greta.vogel@bund.example"); err != nil {
		t.Fatalf("the registration is not in the database: %v", err)
	}
	if got.State != "DE" || got.Status != "confirmed" || !strings.Contains(got.Source, "secretariat") {
		t.Errorf("registration in the database: %+v", got)
	}
	// and back to the registrations page, where she is now.
	p.submit("#sec-registrations")
	p.mustSee(".sec-registrations", "Greta Vogel")
}
