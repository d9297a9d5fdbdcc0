package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/testmail"
)

// openMeeting publishes a meeting with registration open, invites FR and DE
// and returns it with FR's registration link.
func openMeeting(t *testing.T, e *apptest.Env) (meeting.Meeting, string) {
	t.Helper()
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "training", "title_en": "Training on drug checking", "title_fr": "Formation à l'analyse de drogues",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "audience": "custom", "invited_states": []string{"FR", "DE"},
		"seats_per_state": 2, "funded_seats_per_state": 1,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, nil)
	var invs struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "fp_FR", nil, 200, &invs)
	link := invs.Invitations[0].RegistrationURL
	return m, e.URL + link[strings.Index(link, "/register/"):]
}

func TestDelegateFlowInTheBrowser(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	_, link := openMeeting(t, e)
	b := browsertest.New(t)

	b.Do(chromedp.Navigate(link + "?lang=fr"))
	if got := b.Text("label[for=f-first_name]"); !strings.HasPrefix(got, "Prénom") {
		t.Fatalf("French form label %q", got)
	}
	if !strings.Contains(b.Text(".state-fixed"), "France") {
		t.Errorf("the form does not say which state: %q", b.Text(".state-fixed"))
	}
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Élodie"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Durand-Müller"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "elodie.durand@"),
		chromedp.SendKeys(chromedp.CSS("#f-function"), "Cheffe de bureau"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#e-email")),
	)
	// The error sits next to the field, in French, announced, and what was typed is kept.
	if msg := b.Text("#e-email"); !strings.Contains(msg, "adresse électronique") {
		t.Errorf("email error %q", msg)
	}
	attrs := b.Attributes("#f-email")
	if attrs["aria-invalid"] != "true" || attrs["aria-describedby"] != "e-email" {
		t.Errorf("email input attributes %v", attrs)
	}
	if b.Value("#f-first_name") != "Élodie" || b.Value("#f-function") != "Cheffe de bureau" {
		t.Errorf("typed values lost: %q %q", b.Value("#f-first_name"), b.Value("#f-function"))
	}
	b.Do(
		chromedp.SetValue(chromedp.CSS("#f-email"), "Elodie.Durand@interieur.gouv.example"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#reg-status")),
	)
	if !strings.Contains(b.Location(), "/registrations/manage/reg_") {
		t.Fatalf("after registering the browser is at %s", b.Location())
	}
	if flash := b.Text(".flash"); !strings.Contains(flash, "confirmée") || !strings.Contains(flash, "elodie.durand@interieur.gouv.example") {
		t.Errorf("confirmation message %q", flash)
	}
	if status := b.Text("#reg-status"); status != "confirmée" {
		t.Errorf("status %q", status)
	}
	if _, err := mp.WaitCount(1, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ := mp.Messages()
	if len(msgs) != 1 || msgs[0].To[0].Address != "elodie.durand@interieur.gouv.example" || !strings.HasPrefix(msgs[0].Subject, "Inscription confirmée") {
		t.Fatalf("confirmation email: %+v", msgs)
	}
	full, err := mp.Message(msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	manage := b.Location()
	if !strings.Contains(full.Text, strings.TrimPrefix(manage, e.URL)) {
		t.Errorf("the email does not carry the manage link %s", manage)
	}

	// The language switch; the choice sticks.
	b.Do(chromedp.Click(chromedp.CSS(`a[hreflang=en]`)), chromedp.WaitVisible(chromedp.CSS("#reg-status")))
	if got := b.Text("#reg-status"); got != "confirmed" {
		t.Errorf("after switching to English the status reads %q", got)
	}
	b.Do(chromedp.Navigate(manage), chromedp.WaitVisible(chromedp.CSS("#reg-status")))
	if got := b.Text("h2"); !strings.Contains(got, "Change your details") {
		t.Errorf("English did not stick: %q", got)
	}

	// Cancel through the manage link.
	b.Do(
		chromedp.Click(chromedp.CSS("button.danger")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := b.Text("#reg-status"); got != "cancelled" {
		t.Errorf("after cancelling: %q", got)
	}
	if _, err := mp.WaitCount(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ = mp.Messages()
	cancelled := false
	for _, m := range msgs {
		cancelled = cancelled || strings.HasPrefix(m.Subject, "Inscription annulée")
	}
	if !cancelled {
		t.Errorf("no cancellation email: %+v", msgs)
	}
}
