package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
)

// An organisation from end to end in the browser: the admin adds it to the
// roster with a focal point and a focal-point account, the secretariat
// invites it with a seat of its own, and its focal point registers a
// delegate, who then appears under "Organisations" on the list of
// participants.
func TestOrganisationFlowInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	b := browsertest.New(t)

	// The admin adds the organisation (a bad code first: a field error).
	signIn(b, e.URL, "admin@example.org", "/admin/organisations", "en")
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#f-code"), "pompidou group"),
		chromedp.SendKeys(chromedp.CSS("#f-name_en"), "Pompidou Group"),
		chromedp.SendKeys(chromedp.CSS("#f-name_fr"), "Groupe Pompidou"),
	)
	submit(b, "#add-organisation button[type=submit]")
	if msg := b.Text("#e-code"); !strings.Contains(msg, "2 to 16 characters") {
		t.Errorf("bad code: %q", msg)
	}
	b.Do(chromedp.SetValue(chromedp.CSS("#f-code"), "POMPIDOU"))
	submit(b, "#add-organisation button[type=submit]")
	if got := b.Text("#org-POMPIDOU .org-name"); got != "Pompidou Group" {
		t.Fatalf("the new organisation in the list: %q (flash %q)", got, b.Text(".flash"))
	}
	b.Screenshot("admin_organisations")
	b.Do(chromedp.Navigate(e.URL+"/admin/organisations/POMPIDOU/focal-points"), chromedp.WaitVisible(chromedp.CSS("#add-focal-point")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Paola Pompidou"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "paola@pompidou.example"),
		chromedp.Click(chromedp.CSS("input[name=language][value=fr]")))
	submit(b, "#add-focal-point button[type=submit]")
	if !strings.Contains(b.Text("#focal-points"), "paola@pompidou.example") {
		t.Errorf("focal points of the organisation: %q", b.Text("main"))
	}
	// Her account: a focal point bound to the organisation.
	b.Do(chromedp.Navigate(e.URL+"/admin/users"), chromedp.WaitVisible(chromedp.CSS("#create-user")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Paola Pompidou"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "paola@pompidou.example"),
		chromedp.SetValue(chromedp.CSS("#f-role"), "focal_point"),
		chromedp.SetValue(chromedp.CSS("#f-state"), "POMPIDOU"),
		chromedp.Click(chromedp.CSS("input[name=language][value=fr]")),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	submit(b, "#create-user button[type=submit]")
	if n := dbCount(t, e, `SELECT count(*) FROM users WHERE email = 'paola@pompidou.example' AND organisation_code = 'POMPIDOU' AND state_code IS NULL`); n != 1 {
		t.Fatalf("the focal point's account: %d rows (flash %q, page %q)", n, b.Text(".flash"), b.Text("main"))
	}

	// The secretariat invites it with one seat of its own.
	start := time.Now().Add(40 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "forum", "title_en": "Forum on prevention", "title_fr": "Forum sur la prévention",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(6 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "audience": "custom", "invited_states": []string{"FR"}, "seats_per_organisation": 2,
	}, 201, &m)
	sec := browsertest.New(t)
	signIn(sec, e.URL, "secretariat@example.org", fmt.Sprintf("/secretariat/meetings/%d/edit", m.ID), "en")
	sec.Do(chromedp.WaitVisible(chromedp.CSS("#f-quotas")),
		chromedp.Click(chromedp.CSS("#invited_organisations-POMPIDOU")),
		chromedp.SendKeys(chromedp.CSS("#f-quotas"), "POMPIDOU 1"))
	submit(sec, "#save")
	var saved meeting.Meeting
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", nil, 200, &saved)
	if strings.Join(saved.InvitedOrganisations, ",") != "POMPIDOU" || saved.Quotas["POMPIDOU"] != (meeting.Quota{Seats: 1}) {
		t.Fatalf("saved through the editor: organisations %v, quotas %v", saved.InvitedOrganisations, saved.Quotas)
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	sec.Do(chromedp.Navigate(fmt.Sprintf("%s/secretariat/meetings/%d/invitations", e.URL, m.ID)), chromedp.WaitVisible(chromedp.CSS("#send-invitations")))
	if txt := sec.Text("#preview-fr pre"); !strings.Contains(txt, "France") {
		t.Errorf("preview: %q", txt)
	}
	submit(sec, "#send-invitations")
	if got := sec.Text("#invitations"); !strings.Contains(got, "Pompidou Group") || !strings.Contains(got, "France") {
		t.Errorf("invitations sent: %q", got)
	}
	sec.Screenshot("secretariat_invited_organisation")

	// Its focal point registers a delegate: the organisation's one seat.
	fp := browsertest.New(t)
	signIn(fp, e.URL, "paola@pompidou.example", "", "fr")
	if got := fp.Text(fmt.Sprintf("#invitation-%d h2", m.ID)); got != "Forum sur la prévention" {
		t.Fatalf("the organisation's invitations: %q", fp.Text("main"))
	}
	if got := fp.Text(fmt.Sprintf("#invitation-%d .seats-left", m.ID)); got != "1 sur 1" {
		t.Errorf("seats left of the organisation: %q", got)
	}
	fp.Do(chromedp.Navigate(fmt.Sprintf("%s/meetings/%d/delegation", e.URL, m.ID)), chromedp.WaitVisible(chromedp.CSS("#nominate")),
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Bruno"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Observateur"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "bruno@pompidou.example"),
		chromedp.Click(chromedp.CSS("input[name=list_consent]")))
	submit(fp, "#nominate button[type=submit]")
	if flash := fp.Text(".flash"); !strings.Contains(flash, "Bruno Observateur") || !strings.Contains(flash, "confirmé") {
		t.Errorf("after nominating: %q", flash)
	}
	if got := fp.Text("#seats .seats-left"); got != "0 sur 1" {
		t.Errorf("seats left after nominating: %q", got)
	}
	fp.Screenshot("organisation_focal_delegation")
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE meeting_id = $1 AND organisation_code = 'POMPIDOU' AND status = 'confirmed'`, m.ID); n != 1 {
		t.Errorf("confirmed delegates of the organisation: %d", n)
	}

	// The list of participants shows the delegate under Organisations.
	staff := signInHTTP(t, e, "secretariat@example.org")
	for lang, want := range map[string][]string{"en": {"Organisations", "Pompidou Group", "Bruno"}, "fr": {"Organisations", "Groupe Pompidou", "Bruno"}} {
		if code, html := staff.get(fmt.Sprintf("/meetings/%d/participants?lang=%s", m.ID, lang)); code != 200 || !inOrderIn(html, want...) {
			t.Errorf("participants page (%s): %d, want %v in order", lang, code, want)
		}
		code, pdf := staff.get(fmt.Sprintf("/meetings/%d/participants.pdf?lang=%s", m.ID, lang))
		if text := pdftest.Text(t, []byte(pdf)); code != 200 || !inOrderIn(text, want...) {
			t.Errorf("participants PDF (%s): %d %q", lang, code, text)
		}
	}
}

// inOrderIn reports whether s holds each of want, one after the other.
func inOrderIn(s string, want ...string) bool {
	for _, w := range want {
		i := strings.Index(s, w)
		if i < 0 {
			return false
		}
		s = s[i+len(w):]
	}
	return true
}
