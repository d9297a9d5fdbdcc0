package invitation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

const onlineURL = "https://meet.example.org/hybrid-forum"

// reminderMeeting publishes a hybrid meeting two days away, registration
// closing tomorrow, whose reminders are due now: to focal points 3 days
// before the close, to participants 5 days before the meeting. FR and MA
// have nobody confirmed (their focal points write French and English);
// DE has two participants, one in the room (English), one online
// (French).
func reminderMeeting(t *testing.T, e *apptest.Env) meeting.Meeting {
	t.Helper()
	for _, fp := range []struct{ code, name, email, lang string }{
		{"FR", "Françoise Lefèvre", "fl@interieur.example", "fr"},
		{"MA", "Karim Alaoui", "ka@sante.example", "en"},
		{"DE", "Dieter Krause", "dk@bmg.example", "en"},
	} {
		e.JSON("POST", "/api/v1/states/"+fp.code+"/focal-points", "secretariat",
			map[string]string{"name": fp.name, "email": fp.email, "language": fp.lang}, 201, nil)
	}
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "forum", "title_en": "Forum on prevention", "title_fr": "Forum sur la prévention",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"registration_closes_at": start.Add(-24 * time.Hour).Format(time.RFC3339),
		"format":                 "hybrid", "venue_en": "Palais de l'Europe, Strasbourg", "venue_fr": "Palais de l'Europe, Strasbourg",
		"online_url": onlineURL, "in_person_capacity": 50,
		"audience": "custom", "invited_states": []string{"FR", "DE", "MA"},
		"reminder_focal_points_days": 3, "reminder_participants_days": 5,
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, &m)
	e.JSON("POST", path+"/invitations", "secretariat", nil, 200, nil)
	for _, p := range []map[string]any{
		{"first_name": "Hans", "last_name": "Roomer", "email": "hans@example.org", "language": "en", "attendance": "in_person"},
		{"first_name": "Amélie", "last_name": "Distante", "email": "amelie@example.org", "language": "fr", "attendance": "online"},
	} {
		p["state"], p["delegation_role"] = "DE", "delegate"
		var r registration.Result
		e.JSON("POST", path+"/registrations", "secretariat", p, 201, &r)
		if r.Status != registration.StatusConfirmed {
			t.Fatalf("%s: %s", p["email"], r.Status)
		}
	}
	return m
}

// The reminders go out on their own, once, whatever the number of
// workers: two processes on one database, three passes each, all at
// once. Read back from Mailpit: each in its reader's language, the
// practical one with its calendar file and the venue for the person in
// the room, the link for the person online only. The mail log shows them.
func TestRemindersGoOutOnceInTheirReadersLanguage(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	// The second process sends through the same server (its own mail
	// worker is not needed: the first one delivers for both).
	second := apptest.Start(t, apptest.Options{Join: e, Config: func(c *config.Config) { c.SMTPURL = mp.SMTPURL() }})
	m := reminderMeeting(t, e)
	db := e.App.DB

	// Nothing is due before its time.
	if n, err := e.App.Invitations.SendDueReminders(context.Background(), time.Now().Add(-6*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("reminders six days early: %d (%v)", n, err)
	}
	// Let the invitations and confirmations go out, then start afresh.
	waitSettled(t, e)
	if err := mp.DeleteAll(); err != nil {
		t.Fatal(err)
	}

	// Every pass waits behind this lock, then all go at once.
	hold, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback() }()
	if _, err := hold.Exec(`LOCK TABLE meeting_reminders IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sent := make([]int, 6)
	errs := make([]error, 6)
	for i := range sent {
		a := e.App
		if i%2 == 1 {
			a = second.App
		}
		wg.Go(func() { sent[i], errs[i] = a.Invitations.SendDueReminders(context.Background(), time.Now()) })
	}
	waitForLockWaits(t, e, 6)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	total := 0
	for i := range sent {
		if errs[i] != nil {
			t.Fatalf("pass %d: %v", i, errs[i])
		}
		total += sent[i]
	}
	if total != 4 {
		t.Errorf("the passes queued %d emails, want 4 (two focal points, two participants)", total)
	}
	var claims, audits int
	if err := db.Get(&claims, `SELECT count(*) FROM meeting_reminders WHERE meeting_id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'meeting.reminder' AND meeting_id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	if claims != 2 || audits != 2 {
		t.Errorf("%d reminders recorded and %d in the audit trail, want 2 and 2", claims, audits)
	}
	// A later pass finds nothing more to send.
	if n, err := second.App.Invitations.SendDueReminders(context.Background(), time.Now()); err != nil || n != 0 {
		t.Errorf("a later pass: %d (%v)", n, err)
	}

	var status struct {
		Reminders []invitation.ReminderStatus `json:"reminders"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/reminders", m.ID), "secretariat", nil, 200, &status)
	for _, r := range status.Reminders {
		if r.SentAt == nil || r.Emails != 2 {
			t.Errorf("reminder %s: sent at %v, %d emails; want sent, 2 emails", r.Kind, r.SentAt, r.Emails)
		}
	}
	if _, err := mp.WaitCount(4, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a fifth email, were there one, would have come by now
	list, err := mp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 {
		t.Fatalf("%d emails in Mailpit, want 4: %+v", len(list), list)
	}
	byTo := map[string]*testmail.Message{}
	for _, s := range list {
		msg, err := mp.Message(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		byTo[msg.To[0].Address] = msg
	}
	check := func(to, subject string, want, wantNot []string) *testmail.Message {
		t.Helper()
		msg := byTo[to]
		if msg == nil {
			t.Fatalf("no email to %s", to)
		}
		if !strings.HasPrefix(msg.Subject, subject) {
			t.Errorf("to %s: subject %q, want %q…", to, msg.Subject, subject)
		}
		for _, w := range want {
			if !strings.Contains(msg.Text, w) || !strings.Contains(msg.HTML, w) {
				t.Errorf("to %s: %q missing from the text or the HTML:\n%s", to, w, msg.Text)
			}
		}
		for _, w := range wantNot {
			if strings.Contains(msg.Text, w) || strings.Contains(msg.HTML, w) {
				t.Errorf("to %s: %q should not be there:\n%s", to, w, msg.Text)
			}
		}
		return msg
	}
	check("fl@interieur.example", "Rappel : inscriptions à la réunion « Forum sur la prévention »",
		[]string{"Françoise Lefèvre", "Aucun participant", "/register/"}, nil)
	check("ka@sante.example", "Reminder: register for Forum on prevention", []string{"Karim Alaoui", "No participant", "/register/"}, nil)
	room := check("hans@example.org", "Practical reminder: Forum on prevention",
		[]string{"You attend", "in person", "Europe, Strasbourg", "/registrations/manage/"}, []string{onlineURL})
	online := check("amelie@example.org", "Rappel pratique : Forum sur la prévention",
		[]string{"Vous participez", "en ligne", onlineURL, "/registrations/manage/"}, nil)

	for _, c := range []struct {
		msg            *testmail.Message
		summary        string
		link, wantLink bool
	}{{room, "Forum on prevention", false, false}, {online, "Forum sur la prévention", true, true}} {
		cal := calendarOf(t, mp, c.msg)
		if cal.CalendarProperties[0].Value == "" {
			t.Fatal("calendar without properties")
		}
		var method string
		for _, p := range cal.CalendarProperties {
			if p.IANAToken == "METHOD" {
				method = p.Value
			}
		}
		evs := cal.Events()
		if method != "REQUEST" || len(evs) != 1 {
			t.Fatalf("calendar to %s: method %q, %d events", c.msg.To[0].Address, method, len(evs))
		}
		ev := evs[0]
		if s := ev.GetProperty(ics.ComponentPropertySummary); s == nil || s.Value != c.summary {
			t.Errorf("calendar to %s: summary %v, want %q", c.msg.To[0].Address, s, c.summary)
		}
		loc := ev.GetProperty(ics.ComponentPropertyLocation)
		if loc == nil || !strings.Contains(loc.Value, "Palais de l'Europe") || strings.Contains(loc.Value, onlineURL) != c.wantLink {
			t.Errorf("calendar to %s: location %v (online link wanted: %v)", c.msg.To[0].Address, loc, c.wantLink)
		}
		if ev.GetProperty(ics.ComponentPropertyUniqueId).Value != meeting.UID(m.ID, e.App.Config.BaseURL) {
			t.Errorf("calendar to %s: another event's UID", c.msg.To[0].Address)
		}
	}

	// The mail log shows them, by kind.
	var log struct {
		Messages []struct {
			To   string `json:"to"`
			Kind string `json:"kind"`
		} `json:"messages"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/mail?meeting_id=%d", m.ID), "secretariat", nil, 200, &log)
	kinds := map[string]int{}
	for _, l := range log.Messages {
		kinds[l.Kind]++
	}
	if kinds["deadline_reminder"] != 2 || kinds["practical_reminder"] != 2 {
		t.Errorf("mail log kinds: %v", kinds)
	}
}

// A meeting cancelled while its reminder is due sends none; one without
// reminders set sends none either.
func TestNoReminderForACancelledMeeting(t *testing.T) {
	e := apptest.Start(t)
	m := reminderMeeting(t, e)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/cancel", m.ID), "secretariat", map[string]any{"reason": "Postponed."}, 200, nil)
	if n, err := e.App.Invitations.SendDueReminders(context.Background(), time.Now()); err != nil || n != 0 {
		t.Errorf("reminders of a cancelled meeting: %d (%v)", n, err)
	}
	var reminders int
	if err := e.App.DB.Get(&reminders, `SELECT count(*) FROM outgoing_mail WHERE kind IN ('deadline_reminder', 'practical_reminder')`); err != nil || reminders != 0 {
		t.Errorf("%d reminders queued (%v)", reminders, err)
	}
}

func calendarOf(t *testing.T, mp *testmail.Server, m *testmail.Message) *ics.Calendar {
	t.Helper()
	for _, a := range append(m.Attachments, m.Inline...) {
		if a.FileName == "invite.ics" {
			b, err := mp.Part(m.ID, a.PartID)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
			if err != nil {
				t.Fatalf("invite.ics does not parse: %v", err)
			}
			return cal
		}
	}
	t.Fatalf("no invite.ics attached to %q", m.Subject)
	return nil
}

// waitSettled waits until the mail worker has delivered everything queued.
func waitSettled(t *testing.T, e *apptest.Env) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var left int
		if err := e.App.DB.Get(&left, `SELECT count(*) FROM outgoing_mail WHERE status IN ('queued', 'sending', 'retrying')`); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails still undelivered", left)
		}
	}
}

// waitForLockWaits returns once n statements of the test's database wait
// for a lock.
func waitForLockWaits(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var got int
		if err := e.App.DB.Get(&got, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements wait for a lock, want %d", got, n)
		}
	}
}
