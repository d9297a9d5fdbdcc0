package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/testmail"
)

// The invitation letter: attached to each focal point's invitation email
// in their language (read back from Mailpit, then read by a PDF reader),
// and downloadable by the secretariat and by that state's focal points,
// not by another state's.
func TestInvitationLetterAttachedAndDownloadable(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	for _, fp := range []struct{ code, name, email, lang string }{
		{"PL", "Łucja Nowak", "l.nowak@msz.example", "fr"},
		{"PL", "Jan Kowalski", "j.kowalski@msz.example", "en"},
		{"TR", "Çağrı Şahin", "c.sahin@saglik.example", "en"},
	} {
		e.JSON("POST", "/api/v1/states/"+fp.code+"/focal-points", "secretariat",
			map[string]string{"name": fp.name, "email": fp.email, "language": fp.lang}, 201, nil)
	}
	var m meeting.Meeting
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": "Expert group on Ελληνικά drug checking", "title_fr": "Groupe d'experts sur l'analyse — Ελλάδα",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "venue_fr": "Strasbourg (Palais)", "audience": "custom", "invited_states": []string{"PL", "TR", "FR"},
		"seats_per_state": 3, "funded_seats_per_state": 1,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, nil)
	if _, err := mp.WaitCount(3, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, err := mp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"l.nowak@msz.example":    {"Destinataire : Pologne", "Groupe d'experts sur l'analyse — Ελλάδα", "Strasbourg (Palais)", "3 par délégation, dont 1"},
		"j.kowalski@msz.example": {"To: Poland", "Expert group on Ελληνικά drug checking", "3 per delegation, of which 1", "registration link"},
		"c.sahin@saglik.example": {"To: Türkiye", "I have the honour to invite Türkiye"},
	}
	for _, s := range msgs {
		full, err := mp.Message(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		to := full.To[0].Address
		var pdfs []string
		for _, a := range full.Attachments {
			if a.ContentType == "application/pdf" {
				pdfs = append(pdfs, a.PartID)
				if !strings.HasPrefix(a.FileName, fmt.Sprintf("invitation-%d-", m.ID)) {
					t.Errorf("%s: the letter is called %q", to, a.FileName)
				}
			}
		}
		if len(pdfs) != 1 {
			t.Errorf("%s: %d PDF attachments (%+v)", to, len(pdfs), full.Attachments)
			continue
		}
		body, err := mp.Part(s.ID, pdfs[0])
		if err != nil {
			t.Fatal(err)
		}
		text := pdftest.Text(t, body)
		for _, w := range want[to] {
			if !strings.Contains(text, w) {
				t.Errorf("the letter to %s reads %q\nwithout %q", to, text, w)
			}
		}
		if strings.Contains(text, "/register/") {
			t.Errorf("the letter to %s carries the registration link", to)
		}
		if len(full.Attachments) < 2 { // the calendar file stays
			t.Errorf("%s: attachments %+v, want the calendar too", to, full.Attachments)
		}
	}
	// One letter per state and language, shared by the emails.
	if n := dbCount(t, e, `SELECT count(*) FROM mail_attachments`); n != 3 {
		t.Errorf("%d letters stored, want 3 (Poland in French and English, Türkiye in English)", n)
	}
	// Sent again, the meeting unchanged: the same letters, not rendered again.
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", map[string]any{"resend": true}, 200, nil)
	if n := dbCount(t, e, `SELECT count(*) FROM outgoing_mail WHERE kind = 'invitation' AND attachment_id IS NOT NULL`); n != 6 {
		t.Errorf("%d invitation emails with their letter after a second round, want 6", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM mail_attachments`); n != 3 {
		t.Errorf("%d letters stored after a second round of the same meeting, want the same 3", n)
	}
	// Changed, the meeting gets new letters.
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"seats_per_state": 4}, 200, nil)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", map[string]any{"resend": true, "states": []string{"TR"}}, 200, nil)
	if n := dbCount(t, e, `SELECT count(*) FROM mail_attachments`); n != 4 {
		t.Errorf("%d letters stored after the meeting changed, want 4", n)
	}
	if _, err := mp.WaitCount(7, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// Downloads.
	letter := func(code, lang string) string {
		return fmt.Sprintf("/api/v1/meetings/%d/invitations/%s/letter.pdf?lang=%s", m.ID, code, lang)
	}
	for _, try := range []struct {
		as, code, lang string
		status         int
		words          []string
	}{
		{"secretariat", "PL", "fr", 200, []string{"Destinataire : Pologne", "Objet : invitation"}},
		{"secretariat", "tr", "en", 200, []string{"To: Türkiye"}},
		{"fp_FR", "FR", "fr", 200, []string{"Destinataire : France"}},
		{"fp_FR", "PL", "fr", 403, nil},
		{"", "PL", "en", 401, nil},
		{"secretariat", "DE", "en", 404, nil}, // not invited
	} {
		code, body := e.Do("GET", letter(try.code, try.lang), try.as, nil)
		if code != try.status {
			t.Errorf("%s as %q: %d %s", try.code, try.as, code, body)
			continue
		}
		if code == 200 {
			text := pdftest.Text(t, body)
			for _, w := range try.words {
				if !strings.Contains(text, w) {
					t.Errorf("%s as %s: %q without %q", try.code, try.as, text, w)
				}
			}
		}
	}
}

// With letters.attach_to_invitations off, invitation emails carry no
// letter (the run renders none), and the letter stays downloadable.
func TestInvitationLetterNotAttachedWhenTurnedOff(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.Letters.AttachToInvitations = false }})
	e.JSON("POST", "/api/v1/states/FR/focal-points", "secretariat", map[string]string{"name": "Jean Dupont", "email": "jd@example.org", "language": "fr"}, 201, nil)
	m := publishedMeeting(t, e, false)
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"audience": "custom", "invited_states": []string{"FR"}}, 200, nil)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, nil)
	if n := dbCount(t, e, `SELECT count(*) FROM outgoing_mail WHERE kind = 'invitation'`); n != 1 {
		t.Fatalf("%d invitation emails, want 1", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM mail_attachments`); n != 0 {
		t.Errorf("%d letters stored with attachment turned off", n)
	}
	code, body := e.Do("GET", fmt.Sprintf("/api/v1/meetings/%d/invitations/FR/letter.pdf?lang=fr", m.ID), "fp_FR", nil)
	if code != 200 || !strings.Contains(pdftest.Text(t, body), "Destinataire : France") {
		t.Errorf("download: %d", code)
	}
}
