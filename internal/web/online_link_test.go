package web_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
)

// The online link of a meeting lets whoever holds it in: only the
// secretariat, focal points of invited states and confirmed participants
// see it. Every public read is checked, as a visitor (twice: built, then
// from the cache), and the cache is checked both ways: a copy kept for
// visitors never holds the link, and a signed-in answer that holds it is
// never served to a visitor.
func TestOnlineLinkOnlyForThoseTakingPart(t *testing.T) {
	e := apptest.Start(t)
	const secret = "pc95-secret-room"
	link := "https://meet.example.org/" + secret
	b := draftBody()
	b["title_fr"] = "Réunion plénière"
	b["public"] = true
	b["online_url"] = link
	b["audience"] = "custom"
	b["invited_states"] = []string{"FR"}
	b["seats_per_state"] = 1
	b["funded_seats_per_state"] = 0
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	api := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", api+"/agenda", "secretariat", map[string]any{"title_en": "Opening", "title_fr": "Ouverture"}, 201, nil)
	e.JSON("POST", api+"/publish", "secretariat", nil, 200, &m)
	if m.OnlineURL != link {
		t.Fatalf("the secretariat does not get the link back: %q", m.OnlineURL)
	}

	page := fmt.Sprintf("/meetings/%d", m.ID)
	ics := page + "/calendar.ics"
	publicReads := []string{
		"/meetings", "/meetings?lang=fr", page, page + "?lang=fr", page + "/agenda/print", page + "/agenda/print?lang=fr",
		ics, ics + "?lang=fr", page + "/agenda.pdf", page + "/agenda.pdf?lang=fr",
		api, "/api/v1/meetings", "/api/v1/meetings?status=registration_open", api + "/agenda", api + "/participants",
	}
	// Signed in first: an answer holding the link must not be kept for
	// visitors.
	staff := signInHTTP(t, e, "secretariat@example.org")
	for _, p := range []string{ics, ics + "?lang=fr", api} {
		if _, body := staff.get(p); !strings.Contains(body, secret) {
			t.Errorf("GET %s signed in as the secretariat: no online link", p)
		}
		if code, body, _ := getPage(t, e, p, "Authorization", "Bearer "+e.Tokens["secretariat"]); code != 200 || !strings.Contains(body, secret) {
			t.Errorf("GET %s with the secretariat's token: %d, no online link", p, code)
		}
	}
	for _, p := range publicReads {
		for range 2 {
			if body := visitorRead(t, e, p); strings.Contains(body, secret) {
				t.Errorf("GET %s as a visitor shows the online link", p)
			}
		}
	}
	for _, p := range []string{page, page + "?lang=fr", page + "/agenda/print", ics, ics + "?lang=fr", api + "/agenda"} {
		if body := cached(t, e, p); strings.Contains(body, secret) {
			t.Errorf("the copy of %s kept for visitors holds the online link", p)
		}
	}
	// And after the visitors: signed-in callers still get their own answer.
	for _, p := range []string{ics, api} {
		if _, body := staff.get(p); !strings.Contains(body, secret) {
			t.Errorf("GET %s signed in after visitors: served the visitors' copy", p)
		}
	}

	// Focal points: of an invited state yes, of another state no.
	for who, sees := range map[string]bool{"fp_FR": true, "fp_DE": false, "admin": true} {
		for _, p := range []string{api, "/api/v1/meetings", ics} {
			code, body := e.Do("GET", p, who, nil)
			if code != 200 {
				t.Fatalf("GET %s as %s: %d", p, who, code)
			}
			if strings.Contains(string(body), secret) != sees {
				t.Errorf("GET %s as %s: online link shown %v, want %v", p, who, !sees, sees)
			}
		}
	}
	// A state invited later, outside the audience, gets the link with its
	// invitation.
	e.JSON("POST", api+"/invitations", "secretariat", map[string]any{"states": []string{"DE"}}, 200, nil)
	if _, body := e.Do("GET", api, "fp_DE", nil); !strings.Contains(string(body), secret) {
		t.Error("the focal point of a state invited by name does not see the online link")
	}

	// A meeting for all member states: any member's focal point sees it.
	var all meeting.Meeting
	b = draftBody()
	b["title_fr"], b["online_url"] = "Réunion plénière", link+"-members"
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &all)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", all.ID), "secretariat", nil, 200, nil)
	var got meeting.Meeting
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d", all.ID), "fp_DE", nil, 200, &got)
	if got.OnlineURL != link+"-members" {
		t.Errorf("a members' meeting read by a member state's focal point: online link %q", got.OnlineURL)
	}

	// Participants: the confirmed one sees it on their page and in their
	// calendar file; the one waiting for a seat does not.
	var confirmed, waiting struct {
		Status    string `json:"status"`
		ManageURL string `json:"manage_url"`
	}
	person := func(first, email string) map[string]any {
		return map[string]any{"state": "FR", "first_name": first, "last_name": "Durand", "email": email,
			"delegation_role": "delegate", "language": "fr"}
	}
	e.JSON("POST", api+"/registrations", "secretariat", person("Élodie", "elodie@example.org"), 201, &confirmed)
	e.JSON("POST", api+"/registrations", "secretariat", person("Marc", "marc@example.org"), 201, &waiting)
	if confirmed.Status != "confirmed" || waiting.Status != "waitlisted" {
		t.Fatalf("registered %s and %s", confirmed.Status, waiting.Status)
	}
	// Their emails, as queued (text, HTML and calendar attachment).
	for email, sees := range map[string]bool{"elodie@example.org": true, "marc@example.org": false} {
		var mail []string
		if err := e.App.DB.Select(&mail, `SELECT text_body || html_body || coalesce(calendar, '')
			FROM outgoing_mail WHERE to_address = $1`, email); err != nil {
			t.Fatal(err)
		}
		if len(mail) == 0 {
			t.Fatalf("no email to %s", email)
		}
		for _, body := range mail {
			if strings.Contains(body, secret) != sees {
				t.Errorf("email to %s: online link shown %v, want %v", email, !sees, sees)
			}
		}
	}
	for _, r := range []struct {
		manageURL string
		sees      bool
	}{{confirmed.ManageURL, true}, {waiting.ManageURL, false}} {
		path := r.manageURL[strings.Index(r.manageURL, "/registrations/manage/"):]
		for _, p := range []string{path, path + "/calendar.ics"} {
			code, body, _ := getPage(t, e, p)
			if code != 200 {
				t.Fatalf("GET %s: %d", p, code)
			}
			if strings.Contains(body, secret) != r.sees {
				t.Errorf("GET %s (%s registration): online link shown %v", p, map[bool]string{true: "confirmed", false: "waitlisted"}[r.sees], !r.sees)
			}
		}
	}

	// The meeting's cancellation reaches the one waiting for a seat too,
	// and its calendar file must not hand them the link at the last moment.
	e.JSON("POST", api+"/cancel", "secretariat", map[string]any{"reason": "Postponed"}, 200, nil)
	var cancelled []string
	if err := e.App.DB.Select(&cancelled, `SELECT text_body || html_body || coalesce(calendar, '')
		FROM outgoing_mail WHERE to_address = 'marc@example.org' AND kind = 'meeting_cancelled'`); err != nil {
		t.Fatal(err)
	}
	if len(cancelled) != 1 {
		t.Fatalf("%d cancellation emails to the waiting delegate, want 1", len(cancelled))
	}
	if strings.Contains(cancelled[0], secret) {
		t.Error("the cancellation email to a delegate without a seat carries the online link")
	}
}

// visitorRead fetches path without credentials, as text (a PDF through
// pdftotext).
func visitorRead(t *testing.T, e *apptest.Env, path string) string {
	t.Helper()
	code, body, h := getPage(t, e, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s as a visitor: %d %s", path, code, body)
	}
	if h.Get("Content-Type") != "application/pdf" {
		return body
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "agenda.pdf")
	if err := os.WriteFile(in, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if !strings.Contains(string(out), "Ouverture") && !strings.Contains(string(out), "Opening") {
		t.Fatalf("the PDF of %s reads as %q", path, out)
	}
	return string(out)
}
