package burst

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/testmail"
)

// TestTwoServeTwoWorkers: two `agora serve --no-worker` processes take a
// burst of registrations while two `agora worker` processes deliver the
// emails to a real SMTP server. Once the outbox is empty, the quotas must
// hold and every email must have arrived exactly once: as many messages
// in the mailbox as rows in the outbox, no Message-ID twice, and each
// recipient holding exactly the messages queued for them.
func TestTwoServeTwoWorkers(t *testing.T) {
	const people, clients = 400, 48
	db, dsn := testdb.New(t)
	mp := testmail.Start(t)
	e := env(dsn).With("AGORA_SMTP_URL", mp.SMTPURL())
	a := proctest.Start(t, bin, "serve-1", e, "serve", "--no-worker")
	b := proctest.Start(t, bin, "serve-2", e, "serve", "--no-worker")
	proctest.Start(t, bin, "worker-1", e, "worker")
	proctest.Start(t, bin, "worker-2", e, "worker")
	sec := proctest.Secretariat(t, bin, e, a.URL)
	m := openMeeting(t, sec, 2, 1, false)
	addFocalPoints(t, sec, m.States[:4])

	public := proctest.NewClient(a.URL, "")
	procs := []*proctest.Process{a, b}
	attempts := make([]attempt, people)
	start := time.Now()
	parallel(people, clients, func(i int) {
		p, s := i%2, i%len(m.States)
		attempts[i] = register(public.With(procs[p].URL), procs[p].Name, m, "mail", i, m.Tokens[s], m.States[s])
	})
	got := count(attempts)
	t.Logf("burst in %s: %s", time.Since(start).Round(time.Millisecond), got)
	if got.created != people {
		t.Errorf("not every registration succeeded: %s", got)
	}
	s := checkAll(t, db, m.ID)
	checkAttempts(t, s, attempts)

	rows := waitDelivered(t, db)
	checkDelivered(t, mp, rows)
	t.Logf("%d emails sent by the workers and received once each, %s after the burst began", len(rows), time.Since(start).Round(time.Millisecond))
}

// outboxRow is an email of the outbox, with who delivered it.
type outboxRow struct {
	ID        int64  `db:"id"`
	Kind      string `db:"kind"`
	To        string `db:"to_address"`
	MessageID string `db:"message_id"`
	Status    string `db:"status"`
}

// waitDelivered waits until no email of the database is left to send,
// fails if one failed, and returns them all.
func waitDelivered(t *testing.T, db *sqlx.DB) []outboxRow {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		var byStatus []struct {
			Status string `db:"status"`
			N      int    `db:"n"`
		}
		if err := db.Select(&byStatus, `SELECT status, count(*) AS n FROM outgoing_mail GROUP BY status ORDER BY status`); err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, s := range byStatus {
			if s.Status != "sent" {
				left = append(left, fmt.Sprintf("%d %s", s.N, s.Status))
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox not delivered after 5 minutes: %s", strings.Join(left, ", "))
		}
	}
	var rows []outboxRow
	if err := db.Select(&rows, `SELECT id, kind, to_address, message_id, status FROM outgoing_mail ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkDelivered asserts that the mailbox holds each sent email of rows
// exactly once, to its recipient, and nothing else.
func checkDelivered(t *testing.T, mp *testmail.Server, rows []outboxRow) {
	t.Helper()
	// The worker marks a row sent after the server accepted it, and
	// Mailpit stores a message before accepting it; waiting is only for
	// a slow API.
	if _, err := mp.WaitCount(len(rows), time.Minute); err != nil {
		t.Error(err)
	}
	msgs, err := mp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(rows) {
		t.Errorf("the mailbox holds %d messages for %d emails in the outbox", len(msgs), len(rows))
	}
	received := map[string][]testmail.Summary{}
	for _, msg := range msgs {
		received[msg.MessageID] = append(received[msg.MessageID], msg)
	}
	want := map[string]outboxRow{}
	perRecipient := map[string]int{}
	for _, r := range rows {
		want[r.MessageID] = r
		perRecipient[r.To]++
		got := received[r.MessageID]
		switch {
		case len(got) == 0:
			t.Errorf("email %d (%s to %s, Message-ID %s) never arrived", r.ID, r.Kind, r.To, r.MessageID)
		case len(got) > 1:
			t.Errorf("email %d (%s to %s, Message-ID %s) arrived %d times", r.ID, r.Kind, r.To, r.MessageID, len(got))
		case len(got[0].To) != 1 || !strings.EqualFold(got[0].To[0].Address, r.To):
			t.Errorf("email %d (%s) for %s arrived for %v", r.ID, r.Kind, r.To, got[0].To)
		}
	}
	for id, got := range received {
		if _, ok := want[id]; !ok {
			t.Errorf("the mailbox holds %d message(s) with Message-ID %s, which is in no outbox row", len(got), id)
		}
	}
	histogram := map[int]int{} // messages → recipients who got that many
	for _, n := range perRecipient {
		histogram[n]++
	}
	t.Logf("%d messages to %d recipients (messages: recipients %v)", len(msgs), len(perRecipient), histogram)
}
