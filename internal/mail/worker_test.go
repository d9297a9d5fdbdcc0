package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/coe-agora/agora/internal/testdb"
)

// checkDeliveredOnce fails unless every row is sent and the server
// accepted each Message-ID exactly once.
func checkDeliveredOnce(t *testing.T, srv *faultServer, ids []int64, db interface {
	Select(any, string, ...any) error
}) {
	t.Helper()
	var msgIDs []string
	if err := db.Select(&msgIDs, `SELECT message_id FROM outgoing_mail WHERE status = 'sent'`); err != nil {
		t.Fatal(err)
	}
	if len(msgIDs) != len(ids) {
		t.Fatalf("%d rows sent, want %d", len(msgIDs), len(ids))
	}
	got := srv.deliveries()
	for _, id := range msgIDs {
		if got[id] != 1 {
			t.Errorf("message %s delivered %d times, want once", id, got[id])
		}
	}
	if len(got) != len(ids) {
		t.Errorf("the server accepted %d distinct messages, want %d", len(got), len(ids))
	}
}

func TestWorkerRetriesTemporaryFailures(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, func(ev faultEvent) error {
		if ev.Stage == "data" && ev.Offered == 0 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "greylisted, try again"}
		}
		return nil
	})
	ids := enqueue(t, db, newOutbox(t, db, true), invitation(1, true), invitation(2, false), invitation(3, true))
	w, _ := startWorker(t, db, srv.pool(2), fastConfig(dsn))

	waitFor(t, db, "status = 'sent'", 10*time.Second)
	checkDeliveredOnce(t, srv, ids, db)
	for _, id := range ids {
		if m := row(t, db, id); m.Attempts != 2 || m.LastError != "" || m.SentAt == nil {
			t.Errorf("row %d = %+v, want 2 attempts, no error left, a sent time", id, m)
		}
	}
	if s := w.Stats(); s.Sent != 3 || s.Retried != 3 || s.Failed != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestWorkerFailsPermanentlyOn5xx(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, func(ev faultEvent) error {
		switch {
		case ev.Stage == "rcpt" && strings.HasPrefix(ev.To, "delegate1@"):
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
		case ev.Stage == "data" && strings.HasPrefix(ev.To, "delegate2@"):
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message refused by policy"}
		}
		return nil
	})
	ids := enqueue(t, db, newOutbox(t, db, true), invitation(1, false), invitation(2, false), invitation(3, false))
	startWorker(t, db, srv.pool(2), fastConfig(dsn))

	waitFor(t, db, "status IN ('sent', 'failed')", 10*time.Second)
	refused, rejected, ok := row(t, db, ids[0]), row(t, db, ids[1]), row(t, db, ids[2])
	if refused.Status != StatusFailed || refused.Attempts != 1 ||
		!strings.Contains(refused.LastError, "recipient refused") || !strings.Contains(refused.LastError, "550") ||
		!strings.Contains(refused.LastError, "no such user here") {
		t.Errorf("refused recipient: %+v", refused)
	}
	if rejected.Status != StatusFailed || rejected.Attempts != 1 ||
		!strings.Contains(rejected.LastError, "554") || !strings.Contains(rejected.LastError, "message refused by policy") ||
		strings.Contains(rejected.LastError, "recipient refused") {
		t.Errorf("rejected message: %+v", rejected)
	}
	if ok.Status != StatusSent {
		t.Errorf("the third message is %s, want sent: a failure must not spoil the connection", ok.Status)
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, func(ev faultEvent) error {
		if ev.Stage == "data" {
			return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too busy"}
		}
		return nil
	})
	id := enqueue(t, db, newOutbox(t, db, true), invitation(1, false))[0]
	cfg := fastConfig(dsn)
	cfg.MaxAttempts = 3
	startWorker(t, db, srv.pool(1), cfg)

	waitFor(t, db, "status = 'failed'", 10*time.Second)
	if m := row(t, db, id); m.Attempts != 3 || !strings.Contains(m.LastError, "gave up after 3 attempts") || !strings.Contains(m.LastError, "too busy") {
		t.Errorf("row = %+v", m)
	}
}

func TestWorkerGivesUpOnAMessageQueuedTooLongAgo(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, func(ev faultEvent) error {
		if ev.Stage == "data" {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return nil
	})
	id := enqueue(t, db, newOutbox(t, db, true), invitation(1, false))[0]
	if _, err := db.Exec(`UPDATE outgoing_mail SET queued_at = now() - interval '2 hours'`); err != nil {
		t.Fatal(err)
	}
	cfg := fastConfig(dsn)
	cfg.MaxAge = time.Hour
	startWorker(t, db, srv.pool(1), cfg)

	waitFor(t, db, "status = 'failed'", 10*time.Second)
	if m := row(t, db, id); m.Attempts != 1 || !strings.Contains(m.LastError, "gave up after 2h") || !strings.Contains(m.LastError, "try later") {
		t.Errorf("row = %+v", m)
	}
}

func TestWorkerRetriesWhenTheConnectionDropsDuringData(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, func(ev faultEvent) error {
		if ev.Stage == "data" && ev.Offered == 0 {
			return errDrop
		}
		return nil
	})
	ids := enqueue(t, db, newOutbox(t, db, true), invitation(1, true), invitation(2, true))
	startWorker(t, db, srv.pool(1), fastConfig(dsn))

	waitFor(t, db, "status = 'sent'", 10*time.Second)
	checkDeliveredOnce(t, srv, ids, db)
	for _, id := range ids {
		if m := row(t, db, id); m.Attempts != 2 {
			t.Errorf("row %d: %d attempts, want 2", id, m.Attempts)
		}
	}
}

func TestWorkerWaitsForAServerThatIsDown(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, nil)
	srv.down()
	ids := enqueue(t, db, newOutbox(t, db, true), invitation(1, false), invitation(2, true))
	w, _ := startWorker(t, db, srv.pool(2), fastConfig(dsn))

	waitFor(t, db, "status = 'retrying' AND last_error LIKE 'connect to%'", 10*time.Second)
	time.Sleep(300 * time.Millisecond) // a few pauses and tries
	// A row being tried counts its attempt while it is 'sending' and gives
	// it back when the connection is refused; one waiting has none.
	var counted int
	if err := db.Get(&counted, `SELECT count(*) FROM outgoing_mail WHERE status = 'retrying' AND attempts <> 0`); err != nil {
		t.Fatal(err)
	}
	if counted > 0 {
		t.Errorf("%d waiting rows have attempts counted while the server was unreachable, want 0", counted)
	}
	srv.up(srv.addr)
	waitFor(t, db, "status = 'sent'", 10*time.Second)
	checkDeliveredOnce(t, srv, ids, db)
	for _, id := range ids {
		if m := row(t, db, id); m.Attempts != 1 {
			t.Errorf("row %d: sent after %d attempts, want 1: the refused connections must not count", id, m.Attempts)
		}
	}
	if s := w.Stats(); s.Deferred == 0 || s.Sent != 2 {
		t.Errorf("stats = %+v, want some deferred, 2 sent", s)
	}
}

func TestRowsOfACrashedWorkerAreSentAfterTheLease(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, nil)
	var msgs []Message
	for i := range 30 {
		msgs = append(msgs, invitation(i, i%2 == 0))
	}
	ids := enqueue(t, db, newOutbox(t, db, true), msgs...)

	// A worker claims 20 rows and dies before sending any of them.
	cfg := fastConfig(dsn)
	cfg.Lease = 500 * time.Millisecond
	dead, err := NewWorker(db, srv.pool(1), cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := dead.claim(context.Background(), 20)
	if err != nil || len(claimed) != 20 {
		t.Fatalf("claim: %d rows, %v", len(claimed), err)
	}

	start := time.Now()
	startWorker(t, db, srv.pool(2), cfg)
	waitFor(t, db, "status = 'sent'", 10*time.Second)
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("everything sent after %s, before the lease of the dead worker ran out", d)
	}
	checkDeliveredOnce(t, srv, ids, db)
}

func TestCancelledWorkerHandsBackWhatItDidNotSend(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, nil)
	srv.delay = 5 * time.Millisecond
	var msgs []Message
	for i := range 120 {
		msgs = append(msgs, invitation(i, false))
	}
	ids := enqueue(t, db, newOutbox(t, db, true), msgs...)

	first, stop := startWorker(t, db, srv.pool(2), fastConfig(dsn))
	for len(srv.deliveries()) < 20 {
		time.Sleep(time.Millisecond)
	}
	stop()
	var sending, sent int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE status = 'sending'), count(*) FILTER (WHERE status = 'sent') FROM outgoing_mail`).Scan(&sending, &sent); err != nil {
		t.Fatal(err)
	}
	if sending != 0 || sent == len(ids) {
		t.Fatalf("after the stop: %d rows sending, %d of %d sent; want none sending, some left", sending, sent, len(ids))
	}
	if s := first.Stats(); s.Released == 0 || int(s.Sent) != sent {
		t.Errorf("stats of the stopped worker = %+v, with %d rows sent", s, sent)
	}

	startWorker(t, db, srv.pool(2), fastConfig(dsn))
	waitFor(t, db, "status = 'sent' AND attempts = 1", 10*time.Second)
	checkDeliveredOnce(t, srv, ids, db)
}

func TestTwoWorkersNeverSendTheSameRowTwice(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, nil)
	var msgs []Message
	for i := range 200 {
		msgs = append(msgs, invitation(i, i%3 == 0))
	}
	cfg := fastConfig(dsn)
	cfg.BatchSize = 7 // many small claims, so the workers collide often
	a, _ := startWorker(t, db, srv.pool(4), cfg)
	b, _ := startWorker(t, db, srv.pool(4), cfg)
	// Both are running before the mail is queued: a worker composes and
	// claims ahead of its connections, so one started first on a full
	// queue could take it all before the other looked.
	ids := enqueue(t, db, newOutbox(t, db, true), msgs...)

	waitFor(t, db, "status = 'sent'", 20*time.Second)
	checkDeliveredOnce(t, srv, ids, db)
	sa, sb := a.Stats(), b.Stats()
	if sa.Sent+sb.Sent != 200 || sa.Sent == 0 || sb.Sent == 0 {
		t.Errorf("sent by a, b = %d, %d; want 200 shared by both", sa.Sent, sb.Sent)
	}
}

func TestWorkerHonoursTheRateLimit(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, nil)
	var msgs []Message
	for i := range 10 {
		msgs = append(msgs, invitation(i, false))
	}
	enqueue(t, db, newOutbox(t, db, true), msgs...)
	cfg := fastConfig(dsn)
	cfg.RatePerSecond = 40 // 10 messages: at least 9/40 s
	start := time.Now()
	startWorker(t, db, srv.pool(4), cfg)
	waitFor(t, db, "status = 'sent'", 10*time.Second)
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("10 messages at 40/s took %s", d)
	}
}

func TestWorkerWakesOnNotification(t *testing.T) {
	db, dsn := testdb.New(t)
	srv := startFaultServer(t, nil)
	cfg := fastConfig(dsn)
	cfg.PollInterval = time.Hour // only a notification can wake it
	startWorker(t, db, srv.pool(1), cfg)
	// Wait until the worker listens, and has found the queue empty.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var listening bool
		err := db.Get(&listening, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN "`+notifyChannel+`"')`)
		if err != nil {
			t.Fatal(err)
		}
		if listening {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker does not LISTEN")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)

	start := time.Now()
	enqueue(t, db, newOutbox(t, db, true), invitation(1, false))
	waitFor(t, db, "status = 'sent'", 5*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("sent %s after it was queued", d)
	}
}
