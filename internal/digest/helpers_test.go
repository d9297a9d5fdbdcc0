package digest_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/digest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

func secretariat(e *apptest.Env) auth.Actor {
	u := e.Users["secretariat"]
	return auth.Actor{User: &u}
}

func notifier(e *apptest.Env, quiet time.Duration) *digest.Notifier {
	return digest.New(e.App.DB, e.App.Outbox, e.App.Renderer, digest.Config{
		BaseURL: e.App.Config.BaseURL, MailFrom: e.App.Config.MailFrom, Quiet: quiet})
}

func runOnce(t *testing.T, n *digest.Notifier) int {
	t.Helper()
	got, err := n.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// at is a time of the meeting's first day, in Paris.
func at(m meeting.Meeting, hour, minute int) *time.Time {
	d := m.StartsAt.In(m.Zone())
	t := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, m.Zone())
	return &t
}

// draftMeeting is a plenary in a month, 09:00–17:00 in Paris, at the Palais
// de l'Europe, one seat per state, with two agenda items.
func draftMeeting(t *testing.T, e *apptest.Env, adjust ...func(*meeting.Fields)) meeting.Meeting {
	t.Helper()
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(paris).AddDate(0, 1, 0)
	f := meeting.DefaultFields()
	f.Kind = "plenary"
	f.TitleEN, f.TitleFR = "Plenary of Permanent Correspondents", "Réunion plénière des correspondants permanents"
	f.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, paris)
	f.EndsAt = f.StartsAt.Add(8 * time.Hour)
	f.VenueEN, f.SeatsPerState = "Palais de l'Europe", 1
	for _, a := range adjust {
		if a != nil {
			a(&f)
		}
	}
	m, err := e.App.Meetings.Create(ctx, secretariat(e), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []meeting.ItemFields{
		{TitleEN: "Opening", TitleFR: "Ouverture", StartsAt: at(m, 9, 30), EndsAt: at(m, 10, 0)},
		{TitleEN: "Adoption of the agenda", TitleFR: "Adoption de l'ordre du jour"},
	} {
		if _, err := e.App.Meetings.AddItem(ctx, secretariat(e), m.ID, it); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// publishedMeeting is a draftMeeting, published: registration is open.
func publishedMeeting(t *testing.T, e *apptest.Env, adjust func(*meeting.Fields)) meeting.Meeting {
	t.Helper()
	m := draftMeeting(t, e, adjust)
	m, err := e.App.Meetings.Publish(context.Background(), secretariat(e), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func itemTitled(t *testing.T, e *apptest.Env, meetingID int64, title string) meeting.Item {
	t.Helper()
	items, err := e.App.Meetings.Agenda(context.Background(), secretariat(e), meetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.TitleEN == title {
			return it
		}
	}
	t.Fatalf("no agenda item %q", title)
	return meeting.Item{}
}

func edit(t *testing.T, e *apptest.Env, meetingID int64, venue string) {
	t.Helper()
	if _, err := e.App.Meetings.Update(context.Background(), secretariat(e), meetingID, func(f *meeting.Fields) error {
		f.VenueEN = venue
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func register(t *testing.T, e *apptest.Env, a auth.Actor, meetingID int64, state, first, last, email, lang string) registration.Result {
	t.Helper()
	r, err := e.App.Registrations.Register(context.Background(), a, meetingID, registration.Input{State: state,
		Details: registration.Details{FirstName: first, LastName: last, Email: email, DelegationRole: "delegate", Language: lang}})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return r
}

// registerByLink registers someone through their state's invitation link;
// on a meeting that requires approval, they wait for it (pending).
func registerByLink(t *testing.T, e *apptest.Env, meetingID int64, state, first, last, email string) registration.Result {
	t.Helper()
	ctx := context.Background()
	if _, err := e.App.Invitations.Invite(ctx, secretariat(e), meetingID, invitation.Request{States: []string{state}}); err != nil {
		t.Fatal(err)
	}
	invs, err := e.App.Invitations.Invitations(ctx, secretariat(e), meetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if inv.State == state {
			_, token, _ := strings.Cut(inv.RegistrationURL, "/register/")
			r, err := e.App.Registrations.Register(ctx, auth.Actor{}, meetingID, registration.Input{InvitationToken: token,
				Details: registration.Details{FirstName: first, LastName: last, Email: email, DelegationRole: "delegate", Language: "en"}})
			if err != nil {
				t.Fatalf("register %s through the link: %v", email, err)
			}
			return r
		}
	}
	t.Fatalf("no invitation for %s", state)
	return registration.Result{}
}

func pendingChanges(t *testing.T, e *apptest.Env, meetingID int64) int {
	t.Helper()
	var n int
	if err := e.App.DB.Get(&n, `SELECT count(*) FROM meeting_changes WHERE meeting_id = $1 AND notified_at IS NULL`, meetingID); err != nil {
		t.Fatal(err)
	}
	return n
}

// changeEmailsTo lists, sorted, who was sent a change email about the meeting.
func changeEmailsTo(t *testing.T, e *apptest.Env, meetingID int64) []string {
	t.Helper()
	var to []string
	if err := e.App.DB.Select(&to, `SELECT to_address FROM outgoing_mail WHERE kind = 'meeting_changed' AND meeting_id = $1`, meetingID); err != nil {
		t.Fatal(err)
	}
	sort.Strings(to)
	return to
}

// waitChangeEmails waits until Mailpit holds n change emails and returns
// them, newest first.
func waitChangeEmails(t *testing.T, mp *testmail.Server, n int) []testmail.Summary {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		all, err := mp.Messages()
		if err != nil {
			t.Fatal(err)
		}
		var out []testmail.Summary
		for _, s := range all {
			if strings.HasPrefix(s.Subject, "Changed: ") || strings.HasPrefix(s.Subject, "Modifications : ") {
				out = append(out, s)
			}
		}
		if len(out) >= n || time.Now().After(deadline) {
			if len(out) != n {
				t.Fatalf("%d change emails delivered, want %d", len(out), n)
			}
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func find(t *testing.T, mp *testmail.Server, msgs []testmail.Summary, to string) *testmail.Message {
	t.Helper()
	for _, s := range msgs {
		if len(s.To) == 1 && s.To[0].Address == to {
			m, err := mp.Message(s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("no change email to %s", to)
	return nil
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, l) {
			t.Errorf("text lacks %q:\n%s", l, text)
		}
	}
}

// calendarOf returns the message's calendar part, parsed, or nil.
func calendarOf(t *testing.T, mp *testmail.Server, m *testmail.Message) *ics.Calendar {
	t.Helper()
	for _, a := range append(m.Attachments, m.Inline...) {
		if strings.HasPrefix(a.ContentType, "text/calendar") || strings.HasSuffix(a.FileName, ".ics") {
			b, err := mp.Part(m.ID, a.PartID)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(strings.NewReader(string(b)))
			if err != nil {
				t.Fatalf("calendar part does not parse: %v", err)
			}
			return cal
		}
	}
	return nil
}
