package mail

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/templates"
)

const testFrom = "Secrétariat Agora <secretariat@agora.example.org>"

// fastConfig keeps the worker's waits short enough for tests.
func fastConfig(dsn string) WorkerConfig {
	return WorkerConfig{
		Concurrency:   4,
		BatchSize:     50,
		Lease:         30 * time.Second,
		PollInterval:  200 * time.Millisecond,
		RetrySchedule: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond},
		ShutdownGrace: 2 * time.Second,
		From:          testFrom,
		ReplyTo:       "Help desk <help@agora.example.org>",
		DatabaseURL:   dsn,
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
}

func newOutbox(t testing.TB, db *sqlx.DB, smtpConfigured bool) *Outbox {
	t.Helper()
	o, err := NewOutbox(db, OutboxConfig{From: testFrom, SMTPConfigured: smtpConfigured})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// enqueue queues the messages in one transaction and returns their ids.
func enqueue(t testing.TB, db *sqlx.DB, o *Outbox, msgs ...Message) []int64 {
	t.Helper()
	ids := make([]int64, 0, len(msgs))
	err := postgres.InTx(context.Background(), db, func(tx *sqlx.Tx) error {
		for _, m := range msgs {
			id, _, err := o.Enqueue(context.Background(), tx, m)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return ids
}

// invitation returns an invitation-sized message (2.6 kB of text and HTML,
// 0.5 kB of calendar: 6 kB on the wire), in French with accents, to a
// distinct address.
func invitation(i int, withCalendar bool) Message {
	title := "Réunion plénière des correspondants permanents — Strasbourg"
	text := fmt.Sprintf("Madame, Monsieur,\n\nVous êtes invité(e) à la %s, du 12 au 13 mars 2027.\n\n", title) +
		strings.Repeat("Ordre du jour provisoire, modalités d’inscription et informations pratiques.\n", 12) +
		fmt.Sprintf("\nInscription : https://agora.example.org/r/%08d\n", i)
	html := "<p>Madame, Monsieur,</p><p>Vous êtes invité(e) à la <strong>" + title + "</strong>.</p>" +
		strings.Repeat("<p>Ordre du jour provisoire, modalités d’inscription et informations pratiques.</p>\n", 14) +
		fmt.Sprintf(`<p><a href="https://agora.example.org/r/%08d">S’inscrire</a></p>`, i)
	m := Message{
		Kind:      "invitation",
		To:        fmt.Sprintf("delegate%d@example.org", i),
		ToName:    fmt.Sprintf("Élodie Müller-Ørsted %d", i),
		Language:  "fr",
		Subject:   "Invitation : " + title,
		Text:      text,
		HTML:      html,
		DedupeKey: fmt.Sprintf("invitation:7:%d", i),
	}
	if withCalendar {
		m.Calendar, m.CalendarMethod = calendar(i, CalendarRequest), CalendarRequest
	}
	return m
}

// dropForeignKeys lets a test link mail to meetings and registrations that
// do not exist: they belong to other packages, whose schema is theirs.
func dropForeignKeys(t testing.TB, db *sqlx.DB) {
	t.Helper()
	_, err := db.Exec(`
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'outgoing_mail'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE outgoing_mail DROP CONSTRAINT %I', c);
    END LOOP;
END $$`)
	if err != nil {
		t.Fatal(err)
	}
}

// calendar returns a small iCalendar object.
func calendar(i int, method string) []byte {
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Council of Europe//Agora//EN",
		"METHOD:" + method,
		"BEGIN:VEVENT",
		fmt.Sprintf("UID:meeting-7-%d@agora.example.org", i),
		"SEQUENCE:0",
		"DTSTAMP:20270101T090000Z",
		"DTSTART;TZID=Europe/Paris:20270312T093000",
		"DTEND;TZID=Europe/Paris:20270313T173000",
		"SUMMARY:Réunion plénière des correspondants permanents",
		"LOCATION:Palais de l’Europe\\, Strasbourg",
		"ORGANIZER;CN=Secrétariat:mailto:secretariat@agora.example.org",
		fmt.Sprintf("ATTENDEE;CN=Delegate %d;RSVP=TRUE:mailto:delegate%d@example.org", i, i),
		"END:VEVENT",
		"END:VCALENDAR",
	}
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// startWorker runs a worker until the test ends, or until the returned
// function is called; both wait for Run to return.
func startWorker(t testing.TB, db *sqlx.DB, sender Sender, cfg WorkerConfig) (*Worker, func()) {
	t.Helper()
	w, err := NewWorker(db, sender, cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	stop := func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return w, stop
}

// waitFor polls the outbox until every row matches cond, a SQL condition.
func waitFor(t testing.TB, db *sqlx.DB, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var total, matching int
		err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE `+cond+`) FROM outgoing_mail`).Scan(&total, &matching)
		if err != nil {
			t.Fatal(err)
		}
		if total > 0 && total == matching {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, %d of %d rows match %s; rows: %s", timeout, matching, total, cond, dumpRows(db))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dumpRows(db *sqlx.DB) string {
	var rows []string
	_ = db.Select(&rows, `SELECT format('%s:%s/%s %s', id, status, attempts, last_error) FROM outgoing_mail ORDER BY id LIMIT 20`)
	return strings.Join(rows, "; ")
}

// row reads one row's delivery state.
func row(t testing.TB, db *sqlx.DB, id int64) Mail {
	t.Helper()
	m, err := (&Outbox{db: db}).Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func emailFS(t testing.TB) fs.FS {
	t.Helper()
	sub, err := fs.Sub(templates.FS, "email")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
