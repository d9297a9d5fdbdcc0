package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/browsertest"
	"github.com/coe-agora/agora/internal/testmail"
)

// The secretariat invites an expert on the guests page, the expert
// registers through the personal link from the email (after trying
// another address), asks for funding, and the secretariat grants it on
// the funding page; the expert is told by email, in French.
func TestGuestFlowInTheBrowser(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	_, err := e.App.Auth.CreateUser(context.Background(), auth.NewUser{Email: "gabi.clerk@coe.example", Name: "Gabi Clerk",
		Role: auth.RoleSecretariat, Language: "en", Password: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := guestMeeting(t, e, nil)
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}
	p.open("/login?lang=en")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "gabi.clerk@coe.example"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "a long enough passphrase"))
	p.submit("form[action='/login'] button[type=submit]")

	// The invite form: a bad address first, then the expert.
	p.open(fmt.Sprintf("/secretariat/meetings/%d/guests?lang=en", m.ID))
	p.mustSee("#no-guests", "Nobody")
	p.Do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Amélie"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Chercheuse"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "not an address"),
		chromedp.SetValue(chromedp.CSS("#f-language"), "fr"),
		chromedp.Click(chromedp.CSS("#f-funding_offered")),
	)
	p.submit("#send-guest")
	if p.text("#e-email") == "" || p.Value("#f-first_name") != "Amélie" {
		t.Errorf("a bad address: error %q, first name kept %q", p.text("#e-email"), p.Value("#f-first_name"))
	}
	p.Do(chromedp.SetValue(chromedp.CSS("#f-email"), "amelie@univ.example"))
	p.submit("#send-guest")
	p.mustSee("#guests", "Amélie Chercheuse", "amelie@univ.example", "expert", "not registered yet", "offered")

	// The guest's email, in French, with the personal link.
	inv := guestMailTo(t, mp, 1, "amelie@univ.example", "Invitation personnelle")
	i := strings.Index(inv.Text, "/register/gst_")
	if i < 0 {
		t.Fatalf("no personal link in:\n%s", inv.Text)
	}
	link := strings.Fields(inv.Text[i:])[0]

	// The guest registers: the form comes filled in; another address is refused.
	g := secPage{Browser: browsertest.New(t), t: t, base: e.URL}
	g.open(link + "?lang=fr")
	g.mustSee("#guest-fixed", "expert(e)", "amelie@univ.example")
	if g.Value("#f-email") != "amelie@univ.example" || g.Value("#f-last_name") != "Chercheuse" {
		t.Errorf("the form is not filled in: %q %q", g.Value("#f-email"), g.Value("#f-last_name"))
	}
	g.Do(chromedp.SetValue(chromedp.CSS("#f-email"), "someone@else.example"), chromedp.Click(chromedp.CSS("input[name=funding_requested]")))
	g.submit("form button[type=submit]")
	if got := g.text("#e-email"); !strings.Contains(got, "amelie@univ.example") {
		t.Errorf("another address: error %q", got)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE meeting_id = $1`, m.ID); n != 0 {
		t.Fatalf("another address wrote %d registrations", n)
	}
	g.Do(chromedp.SetValue(chromedp.CSS("#f-email"), "Amelie@Univ.example"))
	if g.eval(`document.querySelector("input[name=funding_requested]").checked`) != "true" {
		g.Do(chromedp.Click(chromedp.CSS("input[name=funding_requested]")))
	}
	g.submit("form button[type=submit]")
	g.Do(chromedp.WaitVisible(chromedp.CSS("#reg-status")))
	if got := g.Text("#reg-status"); got != "confirmée" {
		t.Errorf("the guest's status: %q", got)
	}

	// The secretariat sees the request waiting, and grants it.
	p.open(fmt.Sprintf("/secretariat/meetings/%d/guests?lang=en", m.ID))
	p.mustSee("#guests", "confirmed", "requested")
	p.open(fmt.Sprintf("/secretariat/meetings/%d/funding?lang=en", m.ID))
	p.mustSee("main", "Personal invitation: Amélie Chercheuse", "Funded: 0 of 1", "waiting for a decision: 1")
	var regID int64
	if err := e.App.DB.Get(&regID, `SELECT id FROM registrations WHERE meeting_id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	p.submit(fmt.Sprintf("#grant-%d", regID))
	p.mustSee("main", "Funding granted to Amélie Chercheuse", "Funded: 1 of 1")
	p.mustSee(fmt.Sprintf("#request-%d", regID), "granted")
	var funded bool
	if err := e.App.DB.Get(&funded, `SELECT funded FROM registrations WHERE id = $1`, regID); err != nil || !funded {
		t.Errorf("funded in the database: %v %v", funded, err)
	}
	granted := guestMailTo(t, mp, 3, "amelie@univ.example", "Frais de voyage pris en charge")
	if !strings.Contains(granted.Text, "Bonjour Amélie Chercheuse") {
		t.Errorf("the decision email:\n%s", granted.Text)
	}
}
