package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/testmail"
)

func TestInvitationsByEmail(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})

	for _, fp := range []struct{ code, name, email, lang string }{
		{"FR", "Françoise Lefèvre", "f.lefevre@interieur.gouv.example", "fr"},
		{"DE", "Dieter Krause", "d.krause@bmg.bund.example", "en"},
	} {
		e.JSON("POST", "/api/v1/states/"+fp.code+"/focal-points", "secretariat",
			map[string]string{"name": fp.name, "email": fp.email, "language": fp.lang}, 201, nil)
	}
	if code, _ := e.Do("POST", "/api/v1/states/FR/focal-points", "fp_FR", map[string]string{"name": "X", "email": "x@example.org", "language": "fr"}); code != 403 {
		t.Errorf("focal point adding focal points: %d", code)
	}
	var fps struct {
		FocalPoints []invitation.FocalPoint `json:"focal_points"`
	}
	e.JSON("GET", "/api/v1/states/FR/focal-points", "fp_FR", nil, 200, &fps)
	if len(fps.FocalPoints) != 1 {
		t.Errorf("FR focal points: %+v", fps)
	}
	if code, _ := e.Do("GET", "/api/v1/states/FR/focal-points", "fp_DE", nil); code != 403 {
		t.Errorf("DE focal point reading FR's focal points: %d", code)
	}

	var m meeting.Meeting
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": "Expert group on drug checking", "title_fr": "Groupe d'experts sur l'analyse de drogues",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "audience": "custom", "invited_states": []string{"FR", "DE", "MT"},
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	if code, _ := e.Do("POST", path+"/invitations", "secretariat", nil); code != 409 {
		t.Errorf("inviting to a draft: %d", code)
	}
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)
	if code, _ := e.Do("POST", path+"/invitations", "fp_FR", nil); code != 403 {
		t.Errorf("focal point sending invitations: %d", code)
	}
	var res invitation.Result
	e.JSON("POST", path+"/invitations", "secretariat", nil, 200, &res)
	if res.Invited != 3 || res.EmailsQueued != 2 || strings.Join(res.WithoutFocalPoint, ",") != "MT" {
		t.Fatalf("invite: %+v", res)
	}
	if _, err := mp.WaitCount(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ := mp.Messages()
	byTo := map[string]testmail.Summary{}
	for _, s := range msgs {
		byTo[s.To[0].Address] = s
		if s.Username != mp.Username {
			t.Errorf("message to %s was not sent with SMTP AUTH (user %q)", s.To[0].Address, s.Username)
		}
	}
	fr, en := byTo["f.lefevre@interieur.gouv.example"], byTo["d.krause@bmg.bund.example"]
	if fr.Subject != "Invitation : Groupe d'experts sur l'analyse de drogues — "+frenchWhen(start) {
		t.Errorf("French subject %q", fr.Subject)
	}
	if !strings.HasPrefix(en.Subject, "Invitation: Expert group on drug checking") {
		t.Errorf("English subject %q", en.Subject)
	}
	full, err := mp.Message(fr.ID)
	if err != nil {
		t.Fatal(err)
	}
	var invs struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", path+"/invitations", "fp_FR", nil, 200, &invs)
	if len(invs.Invitations) != 1 || invs.Invitations[0].State != "FR" || invs.Invitations[0].RegistrationURL == "" {
		t.Fatalf("FR focal point sees %+v", invs)
	}
	link := invs.Invitations[0].RegistrationURL
	for _, want := range []string{"Bonjour Françoise Lefèvre", link, "France", "point de contact"} {
		if !strings.Contains(full.Text, want) {
			t.Errorf("French text part lacks %q:\n%s", want, full.Text)
		}
	}
	if !strings.Contains(full.HTML, `href="`+link+`"`) {
		t.Errorf("HTML part lacks the link")
	}
	cal := calendarAttachment(t, mp, full)
	if cal.CalendarProperties[0].Value != "REQUEST" && !strings.Contains(cal.Serialize(), "METHOD:REQUEST") {
		t.Errorf("calendar method is not REQUEST")
	}
	ev := cal.Events()[0]
	if ev.GetProperty(ics.ComponentPropertySummary).Value != "Groupe d'experts sur l'analyse de drogues" ||
		len(ev.Attendees()) != 1 || ev.Attendees()[0].Email() != "f.lefevre@interieur.gouv.example" || ev.GetProperty(ics.ComponentPropertyOrganizer) == nil {
		t.Errorf("calendar invitation: %s", cal.Serialize())
	}

	// Inviting again sends nothing; resend sends again.
	e.JSON("POST", path+"/invitations", "secretariat", map[string]any{"states": []string{"FR"}}, 200, &res)
	if res.EmailsQueued != 0 || res.Invited != 0 {
		t.Errorf("second invitation of FR: %+v", res)
	}
	e.JSON("POST", path+"/invitations", "secretariat", map[string]any{"states": []string{"FR"}, "resend": true}, 200, &res)
	if res.EmailsQueued != 1 {
		t.Errorf("resend: %+v", res)
	}
	if code, body := e.Do("POST", path+"/invitations", "secretariat", map[string]any{"states": []string{"XX"}}); code != 422 || apptest.ErrorFields(body)["states"] == "" {
		t.Errorf("unknown state: %d %s", code, body)
	}
	e.JSON("GET", path+"/invitations", "secretariat", nil, 200, &invs)
	if len(invs.Invitations) != 3 {
		t.Errorf("secretariat sees %d invitations", len(invs.Invitations))
	}
	var remind struct {
		EmailsQueued int `json:"emails_queued"`
	}
	e.JSON("POST", path+"/invitations/remind", "secretariat", nil, 200, &remind)
	if remind.EmailsQueued != 2 {
		t.Errorf("reminders: %+v", remind)
	}
	e.JSON("POST", path+"/invitations/remind", "secretariat", nil, 200, &remind)
	if remind.EmailsQueued != 0 {
		t.Errorf("second reminder the same day: %+v", remind)
	}

	// Cancelling tells every focal point, with a calendar cancellation.
	e.JSON("POST", path+"/cancel", "secretariat", map[string]any{"reason": "Budget"}, 200, nil)
	if _, err := mp.WaitCount(7, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ = mp.Messages()
	cancels := 0
	for _, s := range msgs {
		if strings.HasPrefix(s.Subject, "Annulation") || strings.HasPrefix(s.Subject, "Cancelled") {
			cancels++
			full, _ := mp.Message(s.ID)
			if !strings.Contains(calendarAttachment(t, mp, full).Serialize(), "METHOD:CANCEL") {
				t.Errorf("cancellation to %s without METHOD:CANCEL", s.To[0].Address)
			}
		}
	}
	if cancels != 2 {
		t.Errorf("%d cancellation emails, want 2", cancels)
	}

	var log struct {
		Messages []struct {
			To     string `json:"to"`
			Kind   string `json:"kind"`
			Status string `json:"status"`
		} `json:"messages"`
	}
	if code, _ := e.Do("GET", "/api/v1/mail", "fp_FR", nil); code != 403 {
		t.Errorf("focal point reading the mail log: %d", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.JSON("GET", fmt.Sprintf("/api/v1/mail?meeting_id=%d", m.ID), "secretariat", nil, 200, &log)
		sent := 0
		for _, l := range log.Messages {
			if l.Status == "sent" {
				sent++
			}
		}
		if sent == 7 && len(log.Messages) == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail log: %+v", log.Messages)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func calendarAttachment(t *testing.T, mp *testmail.Server, m *testmail.Message) *ics.Calendar {
	t.Helper()
	for _, a := range append(m.Attachments, m.Inline...) {
		if strings.HasPrefix(a.ContentType, "text/calendar") || strings.HasPrefix(a.ContentType, "application/ics") || strings.HasSuffix(a.FileName, ".ics") {
			b, err := mp.Part(m.ID, a.PartID)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
			if err != nil {
				t.Fatalf("attachment does not parse: %v", err)
			}
			return cal
		}
	}
	t.Fatalf("no calendar part in %q", m.Subject)
	return nil
}

func frenchWhen(t time.Time) string {
	paris, _ := time.LoadLocation("Europe/Paris")
	return frenchDateTime(t.In(paris))
}
