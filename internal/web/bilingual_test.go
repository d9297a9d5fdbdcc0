package web_test

import (
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

const (
	venueEN = "Council of Europe, Palais de l'Europe, Room 1"
	venueFR = "Conseil de l'Europe, Palais de l'Europe, salle 1"
)

// bilingualMeeting publishes a public meeting whose venue was given the
// old way ("venue": the English one) and then in French, and invites FR
// and DE; it returns the meeting and FR's registration link token.
func bilingualMeeting(t *testing.T, e *apptest.Env) (meeting.Meeting, string) {
	t.Helper()
	start := time.Now().Add(50 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": "Plenary on venues", "title_fr": "Plénière sur les lieux",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"venue": venueEN, "public": true, "seats_per_state": 6, "audience": "custom", "invited_states": []string{"FR", "DE"},
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("PATCH", path, "secretariat", map[string]any{"venue_fr": venueFR}, 200, nil)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Opening", "title_fr": "Ouverture"}, 201, nil)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, &m)
	e.JSON("POST", path+"/invitations", "secretariat", nil, 200, nil)
	var invs struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", path+"/invitations", "fp_FR", nil, 200, &invs)
	if len(invs.Invitations) != 1 {
		t.Fatalf("FR invitations: %+v", invs)
	}
	return m, manageToken(invs.Invitations[0].RegistrationURL)
}

// venueShown checks that a page or document shows the venue of lang and
// not the other one.
func venueShown(t *testing.T, what, body, lang string) {
	t.Helper()
	want, other := venueEN, venueFR
	if lang == "fr" {
		want, other = venueFR, venueEN
	}
	body = strings.ReplaceAll(body, "&#39;", "'")
	if !strings.Contains(body, want) || strings.Contains(body, other) {
		t.Errorf("%s (%s): shows its venue %v, the other language's %v", what, lang,
			strings.Contains(body, want), strings.Contains(body, other))
	}
}

// The venue exists in English and French: the API keeps "venue" as the
// English one, and every page, document and calendar file shows the
// venue of its language, or the other when that one is empty.
func TestVenueInEachLanguage(t *testing.T) {
	e := apptest.Start(t)
	m, token := bilingualMeeting(t, e)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)

	var got map[string]any
	e.JSON("GET", path, "secretariat", nil, 200, &got)
	if got["venue_en"] != venueEN || got["venue_fr"] != venueFR || got["venue"] != venueEN {
		t.Errorf("GET after PATCH: venue_en %q, venue_fr %q, venue %q", got["venue_en"], got["venue_fr"], got["venue"])
	}
	var row struct{ EN, FR string }
	if err := e.App.DB.QueryRow(`SELECT venue_en, venue_fr FROM meetings WHERE id = $1`, m.ID).Scan(&row.EN, &row.FR); err != nil {
		t.Fatal(err)
	}
	if row.EN != venueEN || row.FR != venueFR {
		t.Errorf("database row: %+v", row)
	}

	for _, lang := range []string{"en", "fr"} {
		for what, p := range map[string]string{
			"meeting page":      fmt.Sprintf("/meetings/%d?lang=%s", m.ID, lang),
			"printable agenda":  fmt.Sprintf("/meetings/%d/agenda/print?lang=%s", m.ID, lang),
			"registration form": "/register/" + token + "?lang=" + lang,
			"meetings list":     "/meetings?lang=" + lang,
		} {
			code, body, _ := getPage(t, e, p)
			if code != 200 {
				t.Fatalf("%s (%s): %d", what, lang, code)
			}
			venueShown(t, what, body, lang)
		}
		ev, _ := calendarOf(t, e, m.ID, lang)
		venueShown(t, "calendar LOCATION", prop(ev, ics.ComponentPropertyLocation), lang)
		venueShown(t, "agenda PDF", pdfText(t, e, fmt.Sprintf("/meetings/%d/agenda.pdf?lang=%s", m.ID, lang)), lang)
	}

	// With no English venue, English readers get the French one.
	e.JSON("PATCH", path, "secretariat", map[string]any{"venue_en": ""}, 200, nil)
	// Visitors' copies follow the change a moment after the commit (see
	// eventually): the calendar is read once the page shows it.
	eventually(t, e, fmt.Sprintf("/meetings/%d?lang=en", m.ID), "the French venue on the English page",
		func(body string) bool { return strings.Contains(strings.ReplaceAll(body, "&#39;", "'"), venueFR) })
	if ev, _ := calendarOf(t, e, m.ID, "en"); prop(ev, ics.ComponentPropertyLocation) != venueFR {
		t.Errorf("English calendar of a meeting with a French venue only: LOCATION %q", prop(ev, ics.ComponentPropertyLocation))
	}

	// The secretariat's editor has both fields and saves both.
	sec := signInHTTP(t, e, "secretariat@example.org")
	_, page := sec.get("/secretariat/meetings/new?lang=fr")
	for _, name := range []string{`name="venue_en"`, `name="venue_fr"`} {
		if !strings.Contains(page, name) {
			t.Errorf("the meeting editor lacks %s", name)
		}
	}
	code, _ := sec.post("/secretariat/meetings/new", page, url.Values{
		"kind": {"bureau"}, "title_en": {"Bureau on venues"}, "title_fr": {"Bureau sur les lieux"},
		"starts_at": {"2027-06-01T09:30"}, "ends_at": {"2027-06-01T17:00"}, "timezone": {"Europe/Paris"},
		"format": {"in_person"}, "venue_en": {"Agora building, Room G02"}, "venue_fr": {"Bâtiment Agora, salle G02"},
		"languages": {"en", "fr"}, "seats_per_state": {"2"}, "funded_seats_per_state": {"0"}, "audience": {"members"},
	})
	if code != 303 {
		t.Fatalf("creating a meeting from the editor: %d", code)
	}
	var id int64
	if err := e.App.DB.QueryRow(`SELECT id, venue_en, venue_fr FROM meetings WHERE title_en = 'Bureau on venues'`).Scan(&id, &row.EN, &row.FR); err != nil {
		t.Fatal(err)
	}
	if row.EN != "Agora building, Room G02" || row.FR != "Bâtiment Agora, salle G02" {
		t.Errorf("meeting saved from the editor: %+v", row)
	}
	if _, page := sec.get(fmt.Sprintf("/secretariat/meetings/%d/edit", id)); !strings.Contains(page, `value="Bâtiment Agora, salle G02"`) {
		t.Errorf("the editor does not show the French venue saved")
	}
}

// pdfText fetches a PDF and returns its text, as pdftotext reads it.
func pdfText(t *testing.T, e *apptest.Env, path string) string {
	t.Helper()
	code, body, _ := getPage(t, e, path)
	if code != 200 {
		t.Fatalf("GET %s: %d", path, code)
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// mailTo waits for the message to addr whose subject starts with prefix.
func mailTo(t *testing.T, mp *testmail.Server, addr, prefix string) *testmail.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := mp.Messages()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range msgs {
			if len(s.To) > 0 && s.To[0].Address == addr && strings.HasPrefix(s.Subject, prefix) {
				m, err := mp.Message(s.ID)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no email to %s starting %q", addr, prefix)
	return nil
}

// Reasons for a cancelled meeting or a declined registration exist in
// English and French; each person's email carries the venue and the reason
// of their language, or the other when theirs is missing.
func TestReasonsAndVenueInEachPersonsLanguage(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	for _, fp := range []struct{ code, name, email, lang string }{
		{"FR", "Françoise Lefèvre", "fl@interieur.example", "fr"},
		{"DE", "Dieter Krause", "dk@bmg.example", "en"},
	} {
		e.JSON("POST", "/api/v1/states/"+fp.code+"/focal-points", "secretariat",
			map[string]string{"name": fp.name, "email": fp.email, "language": fp.lang}, 201, nil)
	}
	m, token := bilingualMeeting(t, e)

	// Invitations: the venue in the text and in the calendar's LOCATION.
	for addr, lang := range map[string]string{"fl@interieur.example": "fr", "dk@bmg.example": "en"} {
		msg := mailTo(t, mp, addr, "Invitation")
		venueShown(t, "invitation email to "+addr, msg.Text, lang)
		ev := calendarAttachment(t, mp, msg).Events()[0]
		venueShown(t, "invitation calendar to "+addr, prop(ev, ics.ComponentPropertyLocation), lang)
	}

	register := func(first, email, lang string) registration.Result {
		var r registration.Result
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{
			"state": "FR", "first_name": first, "last_name": "Test", "email": email, "delegation_role": "delegate", "language": lang,
		}, 201, &r)
		return r
	}
	amelie, bob := register("Amélie", "amelie@example.org", "fr"), register("Bob", "bob@example.org", "en")
	mailTo(t, mp, "amelie@example.org", "Inscription confirmée")
	venueShown(t, "confirmation to Bob", mailTo(t, mp, "bob@example.org", "Registration confirmed").Text, "en")
	// Claire registers herself, for her focal point to approve or decline.
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"requires_approval": true}, 200, nil)
	var claire registration.Result
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "", map[string]any{
		"invitation_token": token, "first_name": "Claire", "last_name": "Test", "email": "claire@example.org",
		"delegation_role": "delegate", "language": "fr"}, 201, &claire)
	venueShown(t, "acknowledgement to Claire", mailTo(t, mp, "claire@example.org", "Inscription reçue").Text, "fr")

	// Declined over the API (both reasons), and by the focal point's form
	// with the English reason only.
	const whyEN, whyFR = "The delegation is complete.", "La délégation est complète."
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/decline", amelie.ID), "secretariat",
		map[string]string{"reason_en": whyEN, "reason_fr": whyFR}, 200, nil)
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/decline", bob.ID), "secretariat",
		map[string]string{"reason_en": whyEN, "reason_fr": whyFR}, 200, nil)
	var r registration.Registration
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", amelie.ID), "secretariat", nil, 200, &r)
	if r.DeclineReason != whyEN || r.DeclineReasonFR != whyFR {
		t.Errorf("declined registration read back: %q / %q", r.DeclineReason, r.DeclineReasonFR)
	}
	fp := signInHTTP(t, e, "fp.fr@example.org")
	_, page := fp.get(fmt.Sprintf("/meetings/%d/delegation", m.ID))
	if !strings.Contains(page, `name="reason_en"`) || !strings.Contains(page, `name="reason_fr"`) {
		t.Errorf("the focal point's decline form lacks a reason field")
	}
	if code, _ := fp.post(fmt.Sprintf("/meetings/%d/delegation/%d/decline", m.ID, claire.ID), page,
		url.Values{"reason_en": {"No seat left."}, "reason_fr": {""}}); code != 303 {
		t.Fatalf("focal point declining: %d", code)
	}
	var claireRow struct{ EN, FR string }
	if err := e.App.DB.QueryRow(`SELECT decline_reason, decline_reason_fr FROM registrations WHERE id = $1`, claire.ID).Scan(&claireRow.EN, &claireRow.FR); err != nil {
		t.Fatal(err)
	}
	if claireRow.EN != "No seat left." || claireRow.FR != "" {
		t.Errorf("declined by the focal point, the row holds %+v", claireRow)
	}
	for _, c := range []struct{ addr, prefix, want, not string }{
		{"amelie@example.org", "Inscription refusée", "Motif : " + whyFR, whyEN},
		{"bob@example.org", "Registration declined", "Reason: " + whyEN, whyFR},
		{"claire@example.org", "Inscription refusée", "Motif : No seat left.", "Reason"},
	} {
		if text := mailTo(t, mp, c.addr, c.prefix).Text; !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
			t.Errorf("decline email to %s lacks %q or has %q:\n%s", c.addr, c.want, c.not, text)
		}
	}

	// The reasons show where the people and their focal point look: the
	// delegation page and each person's manage page, in the page's
	// language (the English one when there is no French).
	for lang, want := range map[string][]string{"en": {whyEN, "No seat left."}, "fr": {whyFR, "No seat left."}} {
		_, page := fp.get(fmt.Sprintf("/meetings/%d/delegation?lang=%s", m.ID, lang))
		for _, w := range want {
			if !strings.Contains(html.UnescapeString(page), w) {
				t.Errorf("the focal point's delegation page (%s) does not give the reason %q", lang, w)
			}
		}
	}
	manage := amelie.ManageURL[strings.Index(amelie.ManageURL, "/registrations/manage/"):]
	for lang, want := range map[string]string{"en": "Reason: " + whyEN, "fr": "Motif : " + whyFR} {
		code, body := e.Do("GET", manage+"?lang="+lang, "", nil)
		if code != 200 || !strings.Contains(html.UnescapeString(string(body)), want) {
			t.Errorf("Amélie's manage page (%s): %d, without %q", lang, code, want)
		}
	}

	// The secretariat cancels the meeting from its page, in both languages.
	register("Dora", "dora@example.org", "fr")
	mailTo(t, mp, "dora@example.org", "Inscription confirmée")
	sec := signInHTTP(t, e, "secretariat@example.org")
	_, page = sec.get(fmt.Sprintf("/secretariat/meetings/%d", m.ID))
	const cancelEN, cancelFR = "The host country withdrew.", "Le pays hôte s'est retiré."
	if code, _ := sec.post(fmt.Sprintf("/secretariat/meetings/%d/cancel", m.ID), page,
		url.Values{"reason_en": {cancelEN}, "reason_fr": {cancelFR}}); code != 303 {
		t.Fatalf("cancelling from the secretariat's page: %d", code)
	}
	var got map[string]any
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", nil, 200, &got)
	if got["status"] != "cancelled" || got["cancel_reason"] != cancelEN || got["cancel_reason_fr"] != cancelFR {
		t.Errorf("cancelled meeting read back: %v %q %q", got["status"], got["cancel_reason"], got["cancel_reason_fr"])
	}
	for _, c := range []struct{ addr, prefix, want, not string }{
		{"fl@interieur.example", "Annulation", "Motif : " + cancelFR, cancelEN},
		{"dora@example.org", "Annulation", "Motif : " + cancelFR, cancelEN},
		{"dk@bmg.example", "Cancelled", "Reason: " + cancelEN, cancelFR},
	} {
		if text := mailTo(t, mp, c.addr, c.prefix).Text; !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
			t.Errorf("cancellation email to %s lacks %q or has %q:\n%s", c.addr, c.want, c.not, text)
		}
	}
	_, body, _ := getPage(t, e, fmt.Sprintf("/meetings/%d?lang=fr", m.ID))
	if body = strings.ReplaceAll(body, "&#39;", "'"); !strings.Contains(body, cancelFR) || strings.Contains(body, cancelEN) {
		t.Errorf("the French page of the cancelled meeting does not give the French reason")
	}
}
