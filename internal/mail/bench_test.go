package mail

import (
	"bytes"
	"context"
	"flag"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/testmail"
)

var benchConns = flag.Int("mail.conns", 4, "SMTP connections of BenchmarkDelivery, on both sides")

// BenchmarkDelivery compares the worker with a bare go-smtp client: both
// deliver the same invitation-sized messages (6 kB on the wire, with a calendar)
// into the same Mailpit over the same number of authenticated connections.
// The worker's time runs from Run until it has stopped with every row
// marked sent; the bare client's from dialling to its last reply.
//
//	go test -run '^$' -bench Delivery -benchtime 1x ./internal/mail/
//
// -mail.conns sets the number of connections of both sides (4, as the
// worker's default mail.concurrency).
func BenchmarkDelivery(b *testing.B) {
	const total = 5000
	conns := *benchConns
	db, _ := testdb.New(b)
	mp := testmail.Start(b)
	msgs := make([]Message, total)
	for i := range msgs {
		msgs[i] = invitation(i, true)
	}
	c, err := newComposer(testFrom, "")
	if err != nil {
		b.Fatal(err)
	}
	envs := make([]Envelope, total)
	for i, m := range msgs {
		data, err := c.composeBytes(testJob(m), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		envs[i] = Envelope{From: c.from.Address, To: m.To, Data: data}
	}

	var bare, worker time.Duration
	runBare := func() {
		if err := mp.DeleteAll(); err != nil { // Mailpit vacuums its database
			b.Fatal(err)
		}
		d := sendBare(b, mp, envs, conns)
		expectCount(b, mp, total)
		b.Logf("bare client: %.0f msgs/s", total/d.Seconds())
		bare += d
	}
	runWorker := func() {
		queue(b, db, msgs)
		if err := mp.DeleteAll(); err != nil {
			b.Fatal(err)
		}
		d := sendWithWorker(b, db, mp, total, conns)
		expectCount(b, mp, total)
		b.Logf("worker:      %.0f msgs/s", total/d.Seconds())
		worker += d
	}
	// Each iteration runs both twice, in the order A B B A, so that a
	// machine getting slower or faster during the run favours neither.
	for range b.N {
		runBare()
		runWorker()
		runWorker()
		runBare()
	}
	bareRate := float64(2*total*b.N) / bare.Seconds()
	workerRate := float64(2*total*b.N) / worker.Seconds()
	b.ReportMetric(bareRate, "bare_msgs/s")
	b.ReportMetric(workerRate, "worker_msgs/s")
	b.ReportMetric(workerRate/bareRate, "worker/bare")
}

// sendBare delivers envs with plain go-smtp clients, conns at a time, and
// returns how long it took.
func sendBare(b *testing.B, mp *testmail.Server, envs []Envelope, conns int) time.Duration {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	start := time.Now()
	for range conns {
		wg.Go(func() {
			c, err := smtp.Dial(mp.SMTPAddr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := c.Auth(sasl.NewPlainClient("", mp.Username, mp.Password)); err != nil {
				errs <- err
				return
			}
			for i := next.Add(1) - 1; i < int64(len(envs)); i = next.Add(1) - 1 {
				e := envs[i]
				if err := c.SendMail(e.From, []string{e.To}, bytes.NewReader(e.Data)); err != nil {
					errs <- err
					return
				}
			}
			_ = c.Quit()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatalf("bare client: %v", err)
	}
	return elapsed
}

// queue empties the outbox and queues msgs, as the application would.
func queue(b *testing.B, db *sqlx.DB, msgs []Message) {
	b.Helper()
	if _, err := db.Exec(`TRUNCATE outgoing_mail`); err != nil {
		b.Fatal(err)
	}
	o := newOutbox(b, db, true)
	for i := 0; i < len(msgs); i += 500 {
		enqueue(b, db, o, msgs[i:min(i+500, len(msgs))]...)
	}
	// Otherwise autovacuum, woken by the inserts, runs during the sends.
	if _, err := db.Exec(`VACUUM ANALYZE outgoing_mail`); err != nil {
		b.Fatal(err)
	}
}

// sendWithWorker runs a worker until it has sent total messages, stops it,
// and returns how long that took.
func sendWithWorker(b *testing.B, db *sqlx.DB, mp *testmail.Server, total, conns int) time.Duration {
	b.Helper()
	cfg, err := ParseSMTPURL(mp.SMTPURL())
	if err != nil {
		b.Fatal(err)
	}
	cfg.PoolSize = conns
	pool, err := NewPool(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	w, err := NewWorker(db, pool, WorkerConfig{Concurrency: conns, From: testFrom}, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		_ = w.Run(ctx)
	}()
	for w.Stats().Sent < int64(total) {
		if s := w.Stats(); s.Failed+s.Retried+s.Deferred > 0 {
			cancel()
			<-done
			b.Fatalf("worker: %+v; rows: %s", s, dumpRows(db))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	elapsed := time.Since(start)
	var sent int
	if err := db.Get(&sent, `SELECT count(*) FROM outgoing_mail WHERE status = 'sent'`); err != nil || sent != total {
		b.Fatalf("%d rows sent (%v), want %d", sent, err, total)
	}
	return elapsed
}

func expectCount(b *testing.B, mp *testmail.Server, n int) {
	b.Helper()
	if got, err := mp.WaitCount(n, 30*time.Second); err != nil || got != n {
		b.Fatalf("Mailpit holds %d messages (%v), want %d", got, err, n)
	}
}
