package digest_test

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

// A burst of edits makes one email per confirmed delegate, in their
// language, listing every change, with a calendar update when the place
// changed; a later title edit makes a second one, without calendar.
func TestOneEmailPerBurstOfChanges(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	ctx := context.Background()
	sec := secretariat(e)
	m := publishedMeeting(t, e, func(f *meeting.Fields) { f.RequiresApproval = true })
	opening := itemTitled(t, e, m.ID, "Opening")

	claire := register(t, e, sec, m.ID, "FR", "Claire", "Martin", "claire.martin@interieur.gouv.example", "fr")
	hans := register(t, e, sec, m.ID, "DE", "Hans", "Becker", "hans.becker@bmg.bund.example", "en")
	waiting := register(t, e, sec, m.ID, "FR", "Pierre", "Durand", "pierre.durand@sante.gouv.example", "fr")
	gone := register(t, e, sec, m.ID, "BE", "Bea", "Peeters", "bea.peeters@health.fgov.example", "en")
	if _, err := e.App.Registrations.Cancel(ctx, sec, gone.ID); err != nil {
		t.Fatal(err)
	}
	pending := registerByLink(t, e, m.ID, "IT", "Giulia", "Rossi", "giulia.rossi@salute.gov.example")
	for _, c := range []struct {
		r    registration.Result
		want string
	}{{claire, "confirmed"}, {hans, "confirmed"}, {waiting, "waitlisted"}, {pending, "pending"}} {
		if c.r.Status != c.want {
			t.Fatalf("%s is %s, want %s", c.r.Email, c.r.Status, c.want)
		}
	}

	n := notifier(e, time.Nanosecond)
	if got := runOnce(t, n); got != 0 {
		t.Fatalf("the changes made before publication sent %d emails", got)
	}

	// Three edits within the quiet period.
	if _, err := e.App.Meetings.Update(ctx, sec, m.ID, func(f *meeting.Fields) error {
		f.VenueEN = "Agora building"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Meetings.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "Budget", TitleFR: "Budget"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Meetings.UpdateItem(ctx, sec, opening.ID, func(f *meeting.ItemFields) error {
		f.StartsAt, f.EndsAt = at(m, 10, 0), at(m, 10, 30)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := runOnce(t, notifier(e, time.Hour)); got != 0 || pendingChanges(t, e, m.ID) != 4 {
		t.Fatalf("within the quiet period: %d emails, %d changes left pending (want 0 and 4: venue, item added, its start and end)", got, pendingChanges(t, e, m.ID))
	}
	if got := runOnce(t, n); got != 2 {
		t.Fatalf("after the quiet period: %d emails, want one per confirmed delegate (2)", got)
	}
	if got := runOnce(t, n); got != 0 {
		t.Fatalf("a second pass sent %d more emails", got)
	}

	msgs := waitChangeEmails(t, mp, 2)
	en, fr := find(t, mp, msgs, hans.Email), find(t, mp, msgs, claire.Email)
	if want := "Changed: Plenary of Permanent Correspondents — " + invitation.MeetingDataFor(m, "en", "").When; en.Subject != want {
		t.Errorf("English subject %q, want %q", en.Subject, want)
	}
	if !strings.HasPrefix(fr.Subject, "Modifications : Réunion plénière des correspondants permanents — ") {
		t.Errorf("French subject %q", fr.Subject)
	}
	wantLines(t, en.Text, "Hello Hans Becker",
		"- Venue: Palais de l'Europe → Agora building",
		"- Agenda: item 3 'Budget' added",
		"- Agenda item 'Opening': time changed 09:30–10:00 → 10:00–10:30",
		"You receive this email because you are registered for this meeting")
	wantLines(t, fr.Text, "Bonjour Claire Martin",
		"- Lieu : Palais de l'Europe → Agora building",
		"- Ordre du jour : point 3 « Budget » ajouté",
		"- Point « Ouverture » de l'ordre du jour : horaire modifié 09:30–10:00 → 10:00–10:30",
		"Vous recevez ce message parce que vous êtes inscrit(e) à cette réunion")
	if strings.Count(fr.HTML, "<li>") != 3 || !strings.Contains(fr.HTML, "<li>Lieu : Palais de l&#39;Europe → Agora building</li>") {
		t.Errorf("French HTML part does not list the three changes:\n%s", fr.HTML)
	}
	for _, msg := range []*testmail.Message{en, fr} {
		cal := calendarOf(t, mp, msg)
		if cal == nil {
			t.Errorf("no calendar update in %q", msg.Subject)
			continue
		}
		ev := cal.Events()[0]
		// Calendar clients take an update only from the invitation's organizer.
		from, err := netmail.ParseAddress(e.App.Config.MailFrom)
		if err != nil {
			t.Fatal(err)
		}
		if org := ev.GetProperty(ics.ComponentPropertyOrganizer); org == nil || !strings.EqualFold(org.Value, "mailto:"+from.Address) {
			t.Errorf("calendar update of %s: ORGANIZER %v, want mailto:%s", msg.To[0].Address, org, from.Address)
		}
		if !strings.Contains(cal.Serialize(), "METHOD:REQUEST") || ev.GetProperty(ics.ComponentPropertyLocation).Value != "Agora building" ||
			ev.GetProperty(ics.ComponentPropertySequence).Value != fmt.Sprint(m.Sequence+1) || ev.Attendees()[0].Email() != msg.To[0].Address {
			t.Errorf("calendar update of %s:\n%s", msg.To[0].Address, cal.Serialize())
		}
	}
	if got := changeEmailsTo(t, e, m.ID); strings.Join(got, ",") != claire.Email+","+hans.Email {
		t.Errorf("change emails went to %v; pending, waitlisted and cancelled people must get none", got)
	}

	// A title edit later: a second email, without calendar.
	if _, err := e.App.Meetings.Update(ctx, sec, m.ID, func(f *meeting.Fields) error {
		f.TitleEN, f.TitleFR = "Plenary of Permanent Correspondents (68th)", "Réunion plénière des correspondants permanents (68e)"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := runOnce(t, n); got != 2 {
		t.Fatalf("title edit: %d emails, want 2", got)
	}
	msgs = waitChangeEmails(t, mp, 4)
	en, fr = find(t, mp, msgs[:2], hans.Email), find(t, mp, msgs[:2], claire.Email) // newest first
	wantLines(t, en.Text, "- Title: Plenary of Permanent Correspondents → Plenary of Permanent Correspondents (68th)")
	wantLines(t, fr.Text, "- Titre : Réunion plénière des correspondants permanents → Réunion plénière des correspondants permanents (68e)")
	for _, msg := range []*testmail.Message{en, fr} {
		if strings.Contains(msg.Text, "Agora building →") || strings.Contains(msg.Text, "Budget") {
			t.Errorf("second email repeats earlier changes:\n%s", msg.Text)
		}
		if calendarOf(t, mp, msg) != nil {
			t.Errorf("a title change came with a calendar update (%s)", msg.To[0].Address)
		}
	}
}

// Notifiers running at once (several processes) send each email once.
func TestConcurrentPassesSendEachEmailOnce(t *testing.T) {
	e := apptest.Start(t) // no SMTP: mail is kept, which is enough to count it
	ctx := context.Background()
	sec := secretariat(e)
	const meetings = 6
	for i := range meetings {
		m := publishedMeeting(t, e, nil)
		register(t, e, sec, m.ID, "FR", "Claire", "Martin", fmt.Sprintf("claire.%d@example.org", i), "fr")
		register(t, e, sec, m.ID, "DE", "Hans", "Becker", fmt.Sprintf("hans.%d@example.org", i), "en")
		if _, err := e.App.Meetings.Update(ctx, sec, m.ID, func(f *meeting.Fields) error {
			f.VenueEN = "Agora building"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for range 4 {
		n := notifier(e, time.Nanosecond)
		wg.Go(func() {
			got, err := n.RunOnce(ctx)
			if err != nil {
				t.Errorf("concurrent pass: %v", err)
			}
			mu.Lock()
			total += got
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != 2*meetings {
		t.Errorf("concurrent passes queued %d emails, want %d", total, 2*meetings)
	}
	var rows []struct {
		To string `db:"to_address"`
		N  int    `db:"n"`
	}
	if err := e.App.DB.SelectContext(ctx, &rows, `
		SELECT to_address, count(*) AS n FROM outgoing_mail WHERE kind = 'meeting_changed' GROUP BY to_address`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2*meetings {
		t.Errorf("%d people got a change email, want %d", len(rows), 2*meetings)
	}
	for _, r := range rows {
		if r.N != 1 {
			t.Errorf("%s got %d change emails", r.To, r.N)
		}
	}
	if got := runOnce(t, notifier(e, time.Nanosecond)); got != 0 {
		t.Errorf("a pass after the concurrent ones sent %d emails", got)
	}
}

// What happens to a draft, and to a meeting being cancelled, is nobody's
// news: the changes are marked and no change email goes out.
func TestDraftAndCancelledMeetingsSendNothing(t *testing.T) {
	e := apptest.Start(t)
	ctx := context.Background()
	sec := secretariat(e)
	n := notifier(e, time.Nanosecond)

	draft := draftMeeting(t, e)
	edit(t, e, draft.ID, "Agora building")
	if _, err := e.App.Meetings.AddItem(ctx, sec, draft.ID, meeting.ItemFields{TitleEN: "Budget", TitleFR: "Budget"}); err != nil {
		t.Fatal(err)
	}
	// Edited as a draft, published, then a delegate registers before the
	// notifier's pass: the draft's edits are still not news.
	late := draftMeeting(t, e)
	edit(t, e, late.ID, "Agora building")
	if _, err := e.App.Meetings.Publish(ctx, sec, late.ID); err != nil {
		t.Fatal(err)
	}
	register(t, e, sec, late.ID, "FR", "Claire", "Martin", "claire.martin@example.org", "fr")
	// Edited, then cancelled: the cancellation email says it all.
	cancelled := publishedMeeting(t, e, nil)
	register(t, e, sec, cancelled.ID, "DE", "Hans", "Becker", "hans.becker@example.org", "en")
	edit(t, e, cancelled.ID, "Agora building")
	if _, err := e.App.Meetings.Cancel(ctx, sec, cancelled.ID, meeting.Reason{EN: "Budget cuts"}); err != nil {
		t.Fatal(err)
	}

	if got := runOnce(t, n); got != 0 {
		t.Errorf("%d change emails", got)
	}
	for _, id := range []int64{draft.ID, late.ID, cancelled.ID} {
		if p := pendingChanges(t, e, id); p != 0 {
			t.Errorf("meeting %d: %d changes left to look at", id, p)
		}
		if got := changeEmailsTo(t, e, id); len(got) != 0 {
			t.Errorf("meeting %d: change emails to %v", id, got)
		}
	}

	// Once published, the next edit of the former draft is news, and only it.
	if _, err := e.App.Meetings.Publish(ctx, sec, draft.ID); err != nil {
		t.Fatal(err)
	}
	register(t, e, sec, draft.ID, "FR", "Claire", "Martin", "claire.martin@example.org", "fr")
	edit(t, e, draft.ID, "Strasbourg")
	if got := runOnce(t, n); got != 1 {
		t.Fatalf("edit after publication: %d emails, want 1", got)
	}
	var text string
	if err := e.App.DB.Get(&text, `SELECT text_body FROM outgoing_mail WHERE kind = 'meeting_changed' AND meeting_id = $1`, draft.ID); err != nil {
		t.Fatal(err)
	}
	wantLines(t, text, "- Lieu : Agora building → Strasbourg")
	if strings.Contains(text, "Palais de l'Europe") || strings.Contains(text, "Budget") {
		t.Errorf("the email tells of the draft's edits:\n%s", text)
	}
}
