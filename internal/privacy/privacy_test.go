package privacy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/privacy"
	"github.com/coe-agora/agora/internal/registration"
)

// The person whose data is exported and erased. Every string is unusual
// enough that finding it anywhere in the database is a trace of her.
var (
	ysolde = registration.Details{
		FirstName: "Ysolde", LastName: "Brennecke-Tarr", Email: "Ysolde.Brennecke@Example.ORG",
		Function: "Chief Inspector, Drugs Unit", Organisation: "Ministry of Health of Freedonia",
		DelegationRole: "head", Language: "en", FundingRequested: true,
		Dietary: "no shellfish, coeliac", Accessibility: "step-free access for a wheelchair", ListConsent: true,
	}
	ysoldeName = "Ysolde Brennecke-Tarr"
	ysoldeMail = "ysolde.brennecke@example.org"
	// traces are what must be gone after erasure, in lower case.
	traces = []string{"ysolde", "brennecke", "shellfish", "wheelchair", "freedonia", "chief inspector"}
)

func someone(first, last, email string) registration.Details {
	return registration.Details{FirstName: first, LastName: last, Email: email, DelegationRole: "delegate", Language: "en",
		Dietary: "vegetarian"}
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	e      *apptest.Env
	db     *sqlx.DB
	svc    *privacy.Service
	sec    auth.Actor
	a, b   meeting.Meeting
	regA   registration.Result // Ysolde at A: confirmed, funded, checked in, a speaker
	regB   registration.Result // Ysolde at B: declined with a reason naming her
	oskarA registration.Result
}

// setup starts Agora with two published meetings, A (in 40 days) and B (in
// 80 days), and Ysolde everywhere Agora can hold her: registered for both,
// a speaker on both agendas (linked at A, by name at B, with history), a
// focal point of FR, an account with an API token and a reset link, a
// failed sign-in, emails to her (sent and unsent) and a notice about her
// to FR's focal point. Others attend too.
func setup(t *testing.T) *fixture {
	t.Helper()
	e := apptest.Start(t)
	sec := e.Users["secretariat"]
	f := &fixture{t: t, ctx: context.Background(), e: e, db: e.App.DB, svc: privacy.NewService(e.App.DB), sec: auth.Actor{User: &sec}}
	now := time.Now().Truncate(time.Hour)
	f.a = f.meeting("Plenary A", now.Add(40*24*time.Hour))
	f.b = f.meeting("Bureau B", now.Add(80*24*time.Hour))

	f.regA = f.register(f.a, "FR", ysolde)
	f.oskarA = f.register(f.a, "FR", someone("Oskar", "Lindqvist", "oskar@example.org"))
	f.register(f.a, "DE", someone("Dora", "Keller", "dora@example.org"))
	f.regB = f.register(f.b, "FR", ysolde)
	f.register(f.b, "DE", someone("Dora", "Keller", "dora@example.org"))
	if _, err := e.App.Registrations.CheckIn(f.ctx, f.sec, f.regA.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Registrations.Decline(f.ctx, f.sec, f.regB.ID, meeting.Reason{EN: ysoldeName + " asked to withdraw"}); err != nil {
		t.Fatal(err)
	}

	item, err := e.App.Meetings.AddItem(f.ctx, f.sec, f.a.ID, meeting.ItemFields{TitleEN: "Opening", Speakers: meeting.Speakers{
		{Name: ysoldeName, Function: "Head of the delegation", RegistrationID: &f.regA.ID},
		{Name: "Oskar Lindqvist", Function: "Rapporteur", RegistrationID: &f.oskarA.ID},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.App.Meetings.UpdateItem(f.ctx, f.sec, item.ID, func(fields *meeting.ItemFields) error {
		fields.Speakers[0].Function = "Head of the Freedonia delegation"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Meetings.AddItem(f.ctx, f.sec, f.b.ID, meeting.ItemFields{TitleEN: "Round table",
		Speakers: meeting.Speakers{{Name: ysoldeName}}}); err != nil {
		t.Fatal(err)
	}

	if _, err := e.App.FocalPoints.Add(f.ctx, f.sec, "FR", invitation.NewFocalPoint{Name: ysoldeName, Email: "YSOLDE.brennecke@example.org", Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Auth.CreateUser(f.ctx, auth.NewUser{Email: ysoldeMail, Name: ysoldeName, Role: auth.RoleFocalPoint,
		State: "FR", Language: "en", Password: "a long enough passphrase"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.App.Auth.CreateToken(f.ctx, auth.SystemActor("test"), ysoldeMail, "laptop"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := e.App.Auth.StartReset(f.ctx, ysoldeMail); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Auth.Login(f.ctx, "YSOLDE.Brennecke@example.org", "not her password at all", "192.0.2.7"); err == nil {
		t.Fatal("a wrong password signed in")
	}

	sent := f.enqueue(mail.Message{Kind: "meeting_cancelled", To: "Ysolde.Brennecke@example.org", ToName: ysoldeName, Language: "en",
		Subject: "Dear Ysolde, the meeting is off", Text: "Dear Ysolde Brennecke-Tarr, …", HTML: "<p>Dear Ysolde Brennecke-Tarr, …</p>",
		MeetingID: f.a.ID, DedupeKey: fmt.Sprintf("meeting_cancelled:%d:%s", f.a.ID, ysoldeMail)})
	f.exec(`UPDATE outgoing_mail SET status = 'sent', sent_at = now(), last_error = '' WHERE id = $1`, sent)
	f.enqueue(mail.Message{Kind: "self_registration", To: "fp.fr@example.org", ToName: "Françoise Point", Language: "fr",
		Subject: "Ysolde Brennecke-Tarr s'est inscrite", Text: "ysolde.brennecke@example.org, Freedonia", HTML: "<p>Ysolde</p>",
		MeetingID: f.a.ID, RegistrationID: f.regA.ID, DedupeKey: fmt.Sprintf("self_registration:%d:fp.fr@example.org", f.regA.ID)})
	return f
}

func (f *fixture) meeting(title string, start time.Time) meeting.Meeting {
	f.t.Helper()
	fields := meeting.DefaultFields()
	closes := start.Add(-24 * time.Hour)
	fields.Kind, fields.TitleEN, fields.TitleFR = "plenary", title, title+" (FR)"
	fields.StartsAt, fields.EndsAt, fields.RegistrationClosesAt = start, start.Add(24*time.Hour), &closes
	fields.SeatsPerState, fields.FundedSeatsPerState = 3, 1
	m, err := f.e.App.Meetings.Create(f.ctx, f.sec, fields)
	if err != nil {
		f.t.Fatal(err)
	}
	if m, err = f.e.App.Meetings.Publish(f.ctx, f.sec, m.ID); err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *fixture) register(m meeting.Meeting, state string, d registration.Details) registration.Result {
	f.t.Helper()
	r, err := f.e.App.Registrations.Register(f.ctx, f.sec, m.ID, registration.Input{State: state, Details: d})
	if err != nil {
		f.t.Fatalf("register %s: %v", d.Email, err)
	}
	return r
}

func (f *fixture) enqueue(m mail.Message) int64 {
	f.t.Helper()
	tx, err := f.db.BeginTxx(f.ctx, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	id, _, err := f.e.App.Outbox.Enqueue(f.ctx, tx, m)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.db.ExecContext(f.ctx, query, args...); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.GetContext(f.ctx, &n, query, args...); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// statistics counts registrations by everything the statistics of a
// meeting use.
func (f *fixture) statistics() map[string]int {
	f.t.Helper()
	var rows []struct {
		Key string `db:"key"`
		N   int    `db:"n"`
	}
	err := f.db.SelectContext(f.ctx, &rows, `
		SELECT concat_ws('|', meeting_id, state_code, status, delegation_role, language, funded, funding_requested,
			checked_in_at IS NOT NULL, waitlisted_at IS NOT NULL, source) AS key, count(*) AS n
		FROM registrations GROUP BY 1`)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Key] = r.N
	}
	return out
}

// tracesOf looks for each needle (lower case) in every text, JSON, array
// and binary column of every table, and returns where it was found.
func (f *fixture) tracesOf(needles ...string) []string {
	f.t.Helper()
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
		Type   string `db:"data_type"`
	}
	err := f.db.SelectContext(f.ctx, &cols, `
		SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = 'public'
			AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')
		ORDER BY 1, 2`)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(cols) < 20 {
		f.t.Fatalf("the scan sees only %d columns: the query is wrong", len(cols))
	}
	var found []string
	for _, c := range cols {
		expr := "lower(" + pq.QuoteIdentifier(c.Column) + "::text)"
		if c.Type == "bytea" { // .ics files, session data: look at the bytes
			expr = "lower(encode(" + pq.QuoteIdentifier(c.Column) + ", 'escape'))"
		}
		for _, needle := range needles {
			n := f.count(`SELECT count(*) FROM `+pq.QuoteIdentifier(c.Table)+` WHERE position($1 IN `+expr+`) > 0`, needle)
			if n > 0 {
				found = append(found, fmt.Sprintf("%q in %s.%s (%d rows)", needle, c.Table, c.Column, n))
			}
		}
	}
	return found
}

func TestExportFindsEverythingInAnyCase(t *testing.T) {
	f := setup(t)
	var first privacy.Report
	for i, email := range []string{ysoldeMail, "YSOLDE.BRENNECKE@EXAMPLE.ORG", "  Ysolde.Brennecke@Example.org "} {
		r, err := f.svc.Export(f.ctx, auth.SystemActor("test"), email)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = r
			continue
		}
		r.GeneratedAt = first.GeneratedAt
		if !reflect.DeepEqual(r, first) {
			t.Errorf("export of %q differs from the lower-case one", email)
		}
	}
	r := first

	if len(r.Accounts) != 1 || r.Accounts[0].Name != ysoldeName || len(r.Accounts[0].Tokens) != 1 ||
		r.Accounts[0].Tokens[0].Name != "laptop" || len(r.Accounts[0].PasswordResets) != 1 {
		t.Errorf("accounts: %+v", r.Accounts)
	}
	if len(r.FocalPoints) != 1 || r.FocalPoints[0].State != "FR" {
		t.Errorf("focal points: %+v", r.FocalPoints)
	}
	if len(r.Registrations) != 2 {
		t.Fatalf("registrations: %+v", r.Registrations)
	}
	a, b := r.Registrations[0], r.Registrations[1]
	if a.MeetingTitleEN != "Plenary A" || !a.MeetingStartsAt.Equal(f.a.StartsAt) || a.Dietary != ysolde.Dietary ||
		a.Accessibility != ysolde.Accessibility || a.Organisation != ysolde.Organisation || !a.Funded || a.CheckedInAt == nil ||
		a.ConsentAt == nil || a.Email != ysoldeMail {
		t.Errorf("registration at A: %+v", a)
	}
	if b.MeetingTitleEN != "Bureau B" || b.Status != registration.StatusDeclined || !strings.Contains(b.DeclineReason, "asked to withdraw") {
		t.Errorf("registration at B: %+v", b)
	}

	kinds := map[string]int{}
	calendars := 0
	for _, m := range r.Emails {
		kinds[m.Kind]++
		if m.Calendar != nil && strings.Contains(*m.Calendar, "BEGIN:VCALENDAR") {
			calendars++
		}
		if m.Text == "" || m.Subject == "" {
			t.Errorf("email %d without its content", m.ID)
		}
	}
	if kinds["registration_confirmed"] != 2 || kinds["registration_declined"] != 1 || kinds["meeting_cancelled"] != 1 || calendars < 2 {
		t.Errorf("emails: %v, %d with a calendar", kinds, calendars)
	}
	if n := f.count(`SELECT count(*) FROM outgoing_mail WHERE lower(to_address) = $1`, ysoldeMail); len(r.Emails) != n {
		t.Errorf("%d emails exported, %d in the log", len(r.Emails), n)
	}
	if len(r.EmailsAbout) != 1 || r.EmailsAbout[0].Kind != "self_registration" || r.EmailsAbout[0].RegistrationID != f.regA.ID {
		t.Errorf("emails about her: %+v", r.EmailsAbout)
	}

	matched := map[string]int64{}
	for _, s := range r.SpeakerMentions {
		matched[s.MatchedBy] = s.MeetingID
		if !strings.Contains(string(s.Speaker), ysoldeName) {
			t.Errorf("speaker mention of someone else: %s", s.Speaker)
		}
	}
	if len(r.SpeakerMentions) != 2 || matched["registration"] != f.a.ID || matched["name"] != f.b.ID {
		t.Errorf("speaker mentions: %+v", r.SpeakerMentions)
	}
	if len(r.LoginFailures) != 1 || r.LoginFailures[0].Address != "192.0.2.7" {
		t.Errorf("login failures: %+v", r.LoginFailures)
	}

	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"password_hash", "argon2", "manage_", "token_hash", "dedupe"} {
		if strings.Contains(string(js), secret) {
			t.Errorf("the export shows %q", secret)
		}
	}

	empty, err := f.svc.Export(f.ctx, auth.SystemActor("test"), "nobody@example.org")
	if err != nil {
		t.Fatal(err)
	}
	js, _ = json.Marshal(empty)
	if strings.Contains(string(js), "null") || !strings.Contains(string(js), `"registrations":[]`) {
		t.Errorf("an unknown address must give empty lists: %s", js)
	}
	if _, err := f.svc.Export(f.ctx, auth.SystemActor("test"), "  "); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("no address: %v", err)
	}
}
