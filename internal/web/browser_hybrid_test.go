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
)

// hybridMeeting publishes a hybrid meeting whose room holds one person,
// invites FR and returns FR's registration link.
func hybridMeeting(t *testing.T, e *apptest.Env) (meeting.Meeting, string) {
	t.Helper()
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "forum", "title_en": "Hybrid forum", "title_fr": "Forum hybride",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"format": "hybrid", "venue_en": "Strasbourg", "online_url": "https://meet.example.org/forum",
		"in_person_capacity": 1, "audience": "custom", "invited_states": []string{"FR"}, "seats_per_state": 3,
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

// At a hybrid meeting a person chooses in person or online on the
// registration form. Once the room is full, choosing in person is
// refused next to the choice, in the page's language, with what was
// typed kept; online goes through, and the manage page shows the choice
// and the online link.
func TestRegisteringOnlineOrInPersonInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	m, link := hybridMeeting(t, e)
	b := browsertest.New(t)
	register := func(first, email, attendance string) {
		b.Do(
			chromedp.Navigate(link+"?lang=fr"),
			chromedp.WaitVisible(chromedp.CSS("#f-attendance")),
			chromedp.SendKeys(chromedp.CSS("#f-first_name"), first),
			chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Hybride"),
			chromedp.SendKeys(chromedp.CSS("#f-email"), email),
			chromedp.Click(chromedp.CSS(`input[name=attendance][value=`+attendance+`]`)),
			chromedp.Click(chromedp.CSS("form button[type=submit]")),
		)
	}

	register("Inès", "ines@example.org", "in_person")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#reg-status")))
	if got := b.Text("#attendance"); !strings.HasPrefix(got, "En présentiel") {
		t.Errorf("manage page after registering in person: attendance %q", got)
	}
	if b.Text("#reg-status") != "confirmée" {
		t.Errorf("status %q", b.Text("#reg-status"))
	}

	register("Oscar", "oscar@example.org", "in_person")
	b.Do(chromedp.WaitVisible(chromedp.CSS("#e-attendance")))
	if msg := b.Text("#e-attendance"); !strings.Contains(msg, "complète") || !strings.Contains(msg, "en ligne") {
		t.Errorf("room full: %q", msg)
	}
	if b.Value("#f-first_name") != "Oscar" {
		t.Errorf("typed name lost: %q", b.Value("#f-first_name"))
	}
	b.Do(
		chromedp.Click(chromedp.CSS(`input[name=attendance][value=online]`)),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#reg-status")),
	)
	if got := b.Text("#attendance"); !strings.HasPrefix(got, "En ligne") {
		t.Errorf("manage page after registering online: attendance %q", got)
	}
	if got := b.Text("#online-link"); got != "https://meet.example.org/forum" {
		t.Errorf("online link on the manage page: %q", got)
	}
	// The manage page offers the choice too; the room is still full.
	b.Do(
		chromedp.Click(chromedp.CSS(`input[name=attendance][value=in_person]`)),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#e-attendance")),
	)
	var rows []struct {
		Email      string `db:"email"`
		Status     string `db:"status"`
		Attendance string `db:"attendance"`
	}
	if err := e.App.DB.Select(&rows, `SELECT email, status, attendance FROM registrations WHERE meeting_id = $1 ORDER BY id`, m.ID); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Attendance != "in_person" || rows[1].Attendance != "online" || rows[1].Status != "confirmed" {
		t.Errorf("registrations: %+v, want Inès in person and Oscar online, both confirmed", rows)
	}
}
