package mail

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

func TestEnqueueQueuesOneEmailPerDedupeKey(t *testing.T) {
	db, _ := testdb.New(t)
	dropForeignKeys(t, db)
	o := newOutbox(t, db, true)
	m := invitation(1, true)
	m.MeetingID = 7
	first := enqueue(t, db, o, m)[0]

	var again int64
	var queued bool
	err := postgres.InTx(context.Background(), db, func(tx *sqlx.Tx) (err error) {
		second := m
		second.Subject = "a second rendering of the same email"
		again, queued, err = o.Enqueue(context.Background(), tx, second)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if queued || again != first {
		t.Errorf("second Enqueue = (%d, %v), want (%d, false)", again, queued, first)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM outgoing_mail`); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	got := row(t, db, first)
	if got.Status != StatusQueued || got.Subject != m.Subject || !got.HasCalendar {
		t.Errorf("row = %+v", got)
	}
	if !strings.HasPrefix(got.MessageID, "agora.") || !strings.HasSuffix(got.MessageID, "@agora.example.org") {
		t.Errorf("Message-ID = %q, want agora.…@agora.example.org", got.MessageID)
	}
	if got.MeetingID == nil || *got.MeetingID != 7 || got.RegistrationID != nil {
		t.Errorf("meeting, registration = %v, %v; want 7, none", got.MeetingID, got.RegistrationID)
	}
}

func TestEnqueueIsPartOfTheCallersTransaction(t *testing.T) {
	db, dsn := testdb.New(t)
	o := newOutbox(t, db, true)
	l := pq.NewListener(dsn, time.Second, time.Second, nil)
	defer l.Close()
	if err := l.Listen(notifyChannel); err != nil {
		t.Fatal(err)
	}

	boom := errors.New("the registration failed")
	err := postgres.InTx(context.Background(), db, func(tx *sqlx.Tx) error {
		if _, _, err := o.Enqueue(context.Background(), tx, invitation(1, false)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM outgoing_mail`); err != nil || n != 0 {
		t.Fatalf("after rollback: %d rows (%v), want 0", n, err)
	}
	select {
	case <-l.Notify:
		t.Fatal("a rolled back enqueue notified the workers")
	case <-time.After(100 * time.Millisecond):
	}

	enqueue(t, db, o, invitation(2, false))
	select {
	case <-l.Notify:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after a committed enqueue")
	}
}

// An email that cannot be sent as it is — a field over its limit, a
// header injection, no body, a broken calendar, a failed template — is
// written as failed with the reason, and the transaction that caused it
// commits: the change stands and the mail log says what went wrong.
func TestEnqueueRecordsAnEmailItCannotBuildAsFailed(t *testing.T) {
	db, _ := testdb.New(t)
	dropForeignKeys(t, db)
	if _, err := db.Exec(`CREATE TABLE business_change (id serial PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	o := newOutbox(t, db, true)
	tests := []struct {
		field  string
		change func(*Message)
	}{
		{"to", func(m *Message) { m.To = "Jane <jane@example.org>" }},
		{"to", func(m *Message) { m.To = "jane@example.org, spy@example.org" }},
		{"to", func(m *Message) { m.To = "x" }},
		{"to", func(m *Message) { m.To = strings.Repeat("j", 300) + "@example.org" }},
		{"to_name", func(m *Message) { m.ToName = "Jane\r\nBcc: spy@example.org" }},
		{"to_name", func(m *Message) { m.ToName = strings.Repeat("é", MaxNameLength+1) }},
		{"subject", func(m *Message) { m.Subject = "Hello\nBcc: spy@example.org" }},
		{"subject", func(m *Message) { m.Subject = " " }},
		{"subject", func(m *Message) { m.Subject = strings.Repeat("ü", maxSubjectLength+1) }},
		{"language", func(m *Message) { m.Language = "de" }},
		{"text", func(m *Message) { m.Text = "" }},
		{"text", func(m *Message) { m.Text = "nul\x00byte" }},
		{"html", func(m *Message) { m.HTML = "\n" }},
		{"html", func(m *Message) { m.HTML = "bad \xff utf-8" }},
		{"kind", func(m *Message) { m.Kind = "Invitation!" }},
		{"dedupe_key", func(m *Message) { m.DedupeKey = "" }},
		{"dedupe_key", func(m *Message) { m.DedupeKey = strings.Repeat("k", maxDedupeKeyLength+1) }},
		{"calendar", func(m *Message) { m.CalendarMethod = CalendarRequest }},
		{"calendar_method", func(m *Message) { m.Calendar = calendar(1, CalendarRequest); m.CalendarMethod = "REPLY" }},
		{"calendar_method", func(m *Message) { m.Calendar = calendar(1, CalendarCancel); m.CalendarMethod = CalendarRequest }},
		{"calendar", func(m *Message) { m.Calendar = []byte("not a calendar"); m.CalendarMethod = CalendarPublish }},
		// A calendar is stored as text, which holds UTF-8 without NUL.
		{"calendar", func(m *Message) {
			m.Calendar = append(calendar(1, CalendarRequest), "X-A:\xff\r\n"...)
			m.CalendarMethod = CalendarRequest
		}},
		{"calendar", func(m *Message) {
			m.Calendar = append(calendar(1, CalendarRequest), "X-A:\x00\r\n"...)
			m.CalendarMethod = CalendarRequest
		}},
		{"calendar: attendee", func(m *Message) { m.Failed("calendar", errors.New("attendee address is not plain")) }},
	}
	for i, tt := range tests {
		m := invitation(i, false)
		tt.change(&m)
		if err := m.Validate(); m.Fault == "" && !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: Validate() = %v, want invalid", tt.field, err)
		}
		var id int64
		var queued bool
		err := postgres.InTx(context.Background(), db, func(tx *sqlx.Tx) (err error) {
			if _, err := tx.Exec(`INSERT INTO business_change DEFAULT VALUES`); err != nil {
				return err
			}
			id, queued, err = o.Enqueue(context.Background(), tx, m)
			return err
		})
		if err != nil {
			t.Errorf("%s: the change failed with its email: %v", tt.field, err)
			continue
		}
		got := row(t, db, id)
		if queued || got.Status != StatusFailed || !strings.Contains(got.LastError, tt.field) {
			t.Errorf("%s: queued %v, row %s with last error %q; want failed, saying %s", tt.field, queued, got.Status, got.LastError, tt.field)
		}
		for _, v := range []string{got.To, got.ToName, got.Subject} {
			if strings.ContainsAny(v, "\r\n") {
				t.Errorf("%s: a header value kept a line break: %q", tt.field, v)
			}
		}
	}
	var changes int
	if err := db.Get(&changes, `SELECT count(*) FROM business_change`); err != nil || changes != len(tests) {
		t.Errorf("%d changes committed (%v), want %d", changes, err, len(tests))
	}
}

// EnqueueAll writes what Enqueue writes for each message, in a few
// statements: one row per dedupe key (also twice in one call), an email
// that cannot be sent as a failed row, the count of those queued.
func TestEnqueueAllIsEnqueueForEach(t *testing.T) {
	db, _ := testdb.New(t)
	dropForeignKeys(t, db)
	o := newOutbox(t, db, true)
	msgs := make([]Message, 0, 130)
	for i := range 120 {
		msgs = append(msgs, invitation(i, i%3 == 0))
	}
	msgs = append(msgs, invitation(5, false)) // the same key as the sixth, in the same call
	bad := invitation(500, true)
	bad.ToName = strings.Repeat("é", MaxNameLength+1)
	msgs = append(msgs, bad)
	enqueue(t, db, o, invitation(7, false)) // queued before: a duplicate
	var queued int
	err := postgres.InTx(context.Background(), db, func(tx *sqlx.Tx) (err error) {
		queued, err = o.EnqueueAll(context.Background(), tx, msgs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if queued != 119 {
		t.Errorf("EnqueueAll queued %d, want 119 (120 new keys, one queued before, one failed)", queued)
	}
	var rows []struct {
		Status    string `db:"status"`
		N         int    `db:"n"`
		Calendars int    `db:"calendars"`
		LastError string `db:"last_error"`
	}
	if err := db.Select(&rows, `SELECT status, count(*) AS n, count(calendar) AS calendars, max(last_error) AS last_error
		FROM outgoing_mail GROUP BY status ORDER BY status`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Status != StatusFailed || rows[0].N != 1 || !strings.Contains(rows[0].LastError, "to_name") ||
		rows[1].Status != StatusQueued || rows[1].N != 120 || rows[1].Calendars != 40 {
		t.Errorf("rows by status: %+v; want 1 failed (to_name), 120 queued of which 40 with a calendar", rows)
	}
	var m Mail
	if err := db.Get(&m, `SELECT `+mailColumns+` FROM outgoing_mail WHERE to_address = $1`, msgs[3].To); err != nil {
		t.Fatal(err)
	}
	if m.Subject != msgs[3].Subject || m.ToName != msgs[3].ToName || !m.HasCalendar || m.MeetingID != nil {
		t.Errorf("row of the fourth message: %+v", m)
	}
}

// The CHECKs of outgoing_mail are the outbox's own limits: the longest
// name Validate accepts is stored, one more character is refused.
func TestOutboxLimitsAreTheDatabases(t *testing.T) {
	db, _ := testdb.New(t)
	dropForeignKeys(t, db)
	o := newOutbox(t, db, true)
	m := invitation(1, false)
	m.ToName, m.Subject = strings.Repeat("Ł", MaxNameLength), strings.Repeat("ß", maxSubjectLength)
	m.DedupeKey = strings.Repeat("k", maxDedupeKeyLength)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	id := enqueue(t, db, o, m)[0]
	if got := row(t, db, id); got.Status != StatusQueued || got.ToName != m.ToName || got.Subject != m.Subject {
		t.Fatalf("row %s, name of %d characters", got.Status, len([]rune(got.ToName)))
	}
	for column, v := range map[string]string{
		"to_name":    strings.Repeat("Ł", MaxNameLength+1),
		"subject":    strings.Repeat("ß", maxSubjectLength+1),
		"dedupe_key": strings.Repeat("k", maxDedupeKeyLength+1),
	} {
		_, err := db.Exec(`UPDATE outgoing_mail SET `+column+` = $2 WHERE id = $1`, id, v)
		if err == nil || !strings.Contains(err.Error(), "check") {
			t.Errorf("%s of %d characters: %v, want a CHECK violation", column, len([]rune(v)), err)
		}
	}
}

func TestMailLogFiltersPagesAndResends(t *testing.T) {
	db, _ := testdb.New(t)
	dropForeignKeys(t, db)
	o := newOutbox(t, db, true)
	var msgs []Message
	for i := range 5 {
		m := invitation(i, false)
		m.MeetingID = 7
		if i == 4 {
			m.MeetingID, m.To = 8, "Delegate3@Example.org"
		}
		msgs = append(msgs, m)
	}
	ids := enqueue(t, db, o, msgs...)
	ctx := context.Background()
	if _, err := db.Exec(`UPDATE outgoing_mail SET status = 'failed', last_error = 'SMTP error 550' WHERE id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE outgoing_mail SET status = 'sent', sent_at = now() WHERE id = $1`, ids[2]); err != nil {
		t.Fatal(err)
	}

	page1, next, err := o.List(ctx, Filter{MeetingID: 7, Limit: 2})
	if err != nil || len(page1) != 2 || next == "" || page1[0].ID != ids[3] || page1[1].ID != ids[2] {
		t.Fatalf("page 1 = %v, %q, %v", page1, next, err)
	}
	page2, next, err := o.List(ctx, Filter{MeetingID: 7, Limit: 2, Cursor: next})
	if err != nil || len(page2) != 2 || next != "" || page2[0].ID != ids[1] || page2[1].ID != ids[0] {
		t.Fatalf("page 2 = %v, %q, %v", page2, next, err)
	}
	byPerson, _, err := o.List(ctx, Filter{To: "delegate3@example.ORG"})
	if err != nil || len(byPerson) != 2 {
		t.Errorf("by person: %d rows, %v; want 2", len(byPerson), err)
	}
	failed, _, err := o.List(ctx, Filter{Status: StatusFailed})
	if err != nil || len(failed) != 1 || failed[0].LastError != "SMTP error 550" {
		t.Errorf("failed: %v, %v", failed, err)
	}
	if _, _, err := o.List(ctx, Filter{Status: "lost", Limit: 501, Cursor: "x"}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("bad filter: err = %v, want invalid", err)
	}
	if _, err := o.Get(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Get(missing): err = %v, want not found", err)
	}

	if _, err := o.Resend(ctx, auth.SystemActor("test"), ids[0]); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("Resend(queued): err = %v, want conflict", err)
	}
	before := row(t, db, ids[1])
	again, err := o.Resend(ctx, auth.SystemActor("test"), ids[1])
	if err != nil || again.Status != StatusQueued || again.Attempts != 0 || again.LastError != "" || again.MessageID != before.MessageID {
		t.Errorf("Resend(failed) = %+v, %v; want queued, same Message-ID", again, err)
	}
	sent := row(t, db, ids[2])
	again, err = o.Resend(ctx, auth.SystemActor("test"), ids[2])
	if err != nil || again.Status != StatusQueued || again.SentAt != nil || again.MessageID == sent.MessageID {
		t.Errorf("Resend(sent) = %+v, %v; want queued with a new Message-ID", again, err)
	}

	counts, err := o.CountByStatus(ctx)
	if err != nil || counts[StatusQueued] != 5 || counts[StatusFailed] != 0 {
		t.Errorf("CountByStatus = %v, %v", counts, err)
	}
}

func TestOutboxWithoutSMTPWithholdsUntilRelease(t *testing.T) {
	db, _ := testdb.New(t)
	o := newOutbox(t, db, false)
	ids := enqueue(t, db, o, invitation(1, false), invitation(2, true))
	for _, id := range ids {
		if s := row(t, db, id).Status; s != StatusWithheld {
			t.Fatalf("status = %s, want withheld", s)
		}
	}
	// A worker started meanwhile leaves withheld mail alone.
	srv := startFaultServer(t, nil)
	_, stop := startWorker(t, db, srv.pool(2), fastConfig(""))
	time.Sleep(300 * time.Millisecond)
	if n := len(srv.deliveries()); n != 0 {
		t.Fatalf("%d withheld messages delivered", n)
	}
	stop()

	n, err := newOutbox(t, db, true).Release(context.Background(), auth.SystemActor("test"))
	if err != nil || n != 2 {
		t.Fatalf("Release = %d, %v; want 2", n, err)
	}
	startWorker(t, db, srv.pool(2), fastConfig(""))
	waitFor(t, db, "status = 'sent'", 10*time.Second)
	if n := len(srv.deliveries()); n != 2 {
		t.Errorf("%d messages delivered after release, want 2", n)
	}
}
