package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/digest"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// longName is a first or last name of exactly n characters, letters of
// several scripts, so that bytes and characters differ; it ends with a
// letter, as a trimmed name does.
func longName(seed string, n int) string {
	r := []rune(strings.Repeat(seed, n/utf8.RuneCountInString(seed)+1))[:n]
	r[n-1] = 'z'
	return string(r)
}

// mailRow is one row of the mail log as the database holds it.
type mailRow struct {
	Kind           string `db:"kind"`
	ToName         string `db:"to_name"`
	Status         string `db:"status"`
	LastError      string `db:"last_error"`
	RegistrationID *int64 `db:"registration_id"`
}

func mailOf(t *testing.T, e *apptest.Env, meetingID int64) []mailRow {
	t.Helper()
	var rows []mailRow
	if err := e.App.DB.Select(&rows, `SELECT kind, to_name, status, last_error, registration_id
		FROM outgoing_mail WHERE meeting_id = $1 ORDER BY id`, meetingID); err != nil {
		t.Fatal(err)
	}
	return rows
}

func statusIn(t *testing.T, e *apptest.Env, id int64) (status, first, last string) {
	t.Helper()
	if err := e.App.DB.QueryRow(`SELECT status, first_name, last_name FROM registrations WHERE id = $1`, id).
		Scan(&status, &first, &last); err != nil {
		t.Fatal(err)
	}
	return status, first, last
}

// The longest names the forms accept go through every later step —
// decline, cancel, promotion, the change digest, the meeting's
// cancellation — with their emails in the log under the whole name; one
// character more is refused on every path and changes nothing.
func TestLongestNamesNeverJamAMeeting(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Expert group on long names", false)
	max := registration.MaxNameLength
	regs := fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID)
	person := func(first, last, email string) map[string]any {
		return map[string]any{"state": "FR", "first_name": first, "last_name": last, "email": email,
			"delegation_role": "delegate", "language": "fr"}
	}
	tooLong := func(who, method, path string, body map[string]any) {
		t.Helper()
		for _, field := range []string{"first_name", "last_name"} {
			b := map[string]any{}
			for k, v := range body {
				b[k] = v
			}
			b[field] = longName("Øy", max+1)
			code, out := e.Do(method, path, who, b)
			if code != 422 || apptest.ErrorFields(out)[field] == "" {
				t.Errorf("%s %s with a %s of %d characters: %d %s, want 422 on %s", method, path, field, max+1, code, out, field)
			}
		}
	}

	// The API, as the secretariat.
	first, last := longName("Åsa-Ελένη ", max), longName("Nguyễn Ó ", max)
	tooLong("secretariat", "POST", regs, person("Ann", "Long", "over.api@example.org"))
	var a registration.Result
	e.JSON("POST", regs, "secretariat", person(first, last, "long.api@example.org"), 201, &a)

	// The focal point registering, then replacing.
	tooLong("fp_FR", "POST", regs, person("Ann", "Long", "over.fp@example.org"))
	var b registration.Result
	e.JSON("POST", regs, "fp_FR", person(longName("Brigitte ", max), longName("Łukasik ", max), "long.fp@example.org"), 201, &b)
	replace := fmt.Sprintf("/api/v1/registrations/%d/replace", a.ID)
	successor := func(first, last, email string) map[string]any {
		p := person(first, last, email)
		delete(p, "state") // the seat's
		return p
	}
	tooLong("fp_FR", "POST", replace, successor("Ann", "Long", "over.replace@example.org"))
	var c registration.Result
	e.JSON("POST", replace, "fp_FR", successor(longName("Çağla ", max), longName("Öztürk ", max), "long.replace@example.org"), 201, &c)

	// The manage link: two people on the waiting list rename themselves.
	var waiting []registration.Result
	for i, names := range [][2]string{{"Dóra ", "Đặng "}, {"Émile ", "Žukauskas "}} {
		r := selfRegister(t, e, m, tokens["FR"], "Short", "Name", fmt.Sprintf("long.link%d@example.org", i))
		if r.Status != registration.StatusWaitlisted {
			t.Fatalf("self-registration %d is %s, want waitlisted", i, r.Status)
		}
		manage := "/api/v1/manage/" + r.ManageURL[strings.LastIndex(r.ManageURL, "/")+1:]
		e.JSON("PATCH", manage, "", map[string]any{"first_name": longName(names[0], max), "last_name": longName(names[1], max)}, 200, nil)
		tooLong("", "PATCH", manage, map[string]any{})
		if _, f, l := statusIn(t, e, r.ID); f != longName(names[0], max) || l != longName(names[1], max) {
			t.Fatalf("after a refused rename the names are %q %q", f, l)
		}
		waiting = append(waiting, r)
	}

	// Decline the second waiting person, cancel the focal point's own
	// delegate: the first waiting person is promoted.
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/decline", waiting[1].ID), "fp_FR", map[string]any{"reason": "one per office"}, 200, nil)
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", b.ID), "secretariat", nil, 200, nil)
	want := map[int64]string{a.ID: "cancelled", b.ID: "cancelled", c.ID: "confirmed",
		waiting[0].ID: "confirmed", waiting[1].ID: "declined"}
	for id, st := range want {
		if got, f, l := statusIn(t, e, id); got != st || utf8.RuneCountInString(f) != max || utf8.RuneCountInString(l) != max {
			t.Errorf("registration %d: %s, names of %d and %d characters; want %s, %d and %d",
				id, got, utf8.RuneCountInString(f), utf8.RuneCountInString(l), st, max, max)
		}
	}

	// A change to the published meeting: its digest reaches both delegates.
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"venue": "Palais de l'Europe, Strasbourg"}, 200, nil)
	n := digest.New(e.App.DB, e.App.Outbox, e.App.Renderer, digest.Config{BaseURL: e.URL, MailFrom: e.App.Config.MailFrom, Quiet: time.Nanosecond})
	if _, err := n.RunOnce(context.Background()); err != nil {
		t.Fatalf("change digest: %v", err)
	}

	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/cancel", m.ID), "secretariat", map[string]any{"reason": "no room"}, 200, nil)
	var status string
	if err := e.App.DB.Get(&status, `SELECT lifecycle FROM meetings WHERE id = $1`, m.ID); err != nil || status != meeting.StatusCancelled {
		t.Fatalf("meeting status %q (%v), want cancelled", status, err)
	}

	// Every email of these people is in the log under their whole name,
	// ready to go; none failed.
	wantKinds := map[int64][]string{
		a.ID:          {"registration_confirmed", "registration_replaced"},
		b.ID:          {"registration_confirmed", "registration_cancelled"},
		c.ID:          {"registration_confirmed", "meeting_changed"},
		waiting[0].ID: {"registration_waitlisted", "registration_promoted", "meeting_changed"},
		waiting[1].ID: {"registration_waitlisted", "registration_declined"},
	}
	got := map[int64][]string{}
	cancelled := map[string]bool{}
	for _, r := range mailOf(t, e, m.ID) {
		if r.Status == mail.StatusFailed {
			t.Errorf("%s to %q failed: %s", r.Kind, r.ToName, r.LastError)
		}
		if r.Kind == "meeting_cancelled" {
			cancelled[r.ToName] = true
			continue
		}
		if r.RegistrationID == nil || want[*r.RegistrationID] == "" {
			continue
		}
		if r.Kind != "registration_waitlisted" /* before the rename */ && utf8.RuneCountInString(r.ToName) != 2*max+1 {
			t.Errorf("%s of registration %d to a name of %d characters, want %d", r.Kind, *r.RegistrationID, utf8.RuneCountInString(r.ToName), 2*max+1)
		}
		got[*r.RegistrationID] = append(got[*r.RegistrationID], r.Kind)
	}
	for id, kinds := range wantKinds {
		for _, k := range kinds {
			if !strings.Contains(strings.Join(got[id], " "), k) {
				t.Errorf("registration %d: emails %v, want %s among them", id, got[id], k)
			}
		}
	}
	for _, id := range []int64{c.ID, waiting[0].ID} {
		_, f, l := statusIn(t, e, id)
		if !cancelled[f+" "+l] {
			t.Errorf("no cancellation of the meeting to %s %s", f[:10], l[:10])
		}
	}
	// The database holds names to the same limit as the forms.
	for _, column := range []string{"first_name", "last_name"} {
		_, err := e.App.DB.Exec(`UPDATE registrations SET `+column+` = $2 WHERE id = $1`, c.ID, longName("Øy", max+1))
		if err == nil || !strings.Contains(err.Error(), "check") {
			t.Errorf("a %s of %d characters in the database: %v, want a CHECK violation", column, max+1, err)
		}
	}
}

// An email the outbox refuses for a reason of its own — here the focal
// points' notice of a self-registration, whose subject holds the person's
// name and the meeting's title, over the 400 characters of a subject —
// does not undo the registration: it is committed, its own confirmation
// is queued, and the notice is in the mail log as failed, saying why.
func TestARefusedEmailDoesNotUndoTheRegistration(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, longName("Réunion du groupe d'experts ", 295), false)
	e.JSON("POST", "/api/v1/states/FR/focal-points", "secretariat", map[string]any{
		"name": "Françoise Point", "email": "fp.fr@example.org", "language": "en"}, 201, nil)
	first, last := longName("Ἀλέξανδρος ", registration.MaxNameLength), longName("Παπαδόπουλος ", registration.MaxNameLength)
	r := selfRegister(t, e, m, tokens["FR"], first, last, "self@example.org")
	if st, f, l := statusIn(t, e, r.ID); st != registration.StatusConfirmed || f != first || l != last {
		t.Fatalf("registration %s, want confirmed under the names given", st)
	}
	kinds := map[string]mailRow{}
	for _, row := range mailOf(t, e, m.ID) {
		if row.RegistrationID != nil && *row.RegistrationID == r.ID {
			kinds[row.Kind] = row
		}
	}
	if got := kinds["registration_confirmed"]; got.Status != mail.StatusWithheld {
		t.Errorf("the confirmation is %q (%s), want withheld (no SMTP here)", got.Status, got.LastError)
	}
	notice := kinds["self_registration"]
	if notice.Status != mail.StatusFailed || !strings.Contains(notice.LastError, "subject must be at most 400 characters") {
		t.Errorf("the focal point's notice is %q with last error %q; want failed, saying the subject is too long", notice.Status, notice.LastError)
	}
	// The secretariat sees it in the mail log, and why.
	var log struct {
		Messages []struct {
			Kind      string `json:"kind"`
			Status    string `json:"status"`
			LastError string `json:"last_error"`
		} `json:"messages"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/mail?meeting_id=%d&status=failed", m.ID), "secretariat", nil, 200, &log)
	if len(log.Messages) != 1 || log.Messages[0].Kind != "self_registration" || log.Messages[0].LastError != notice.LastError {
		t.Errorf("failed mail in the log: %+v", log.Messages)
	}
}
