package mail

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/time/rate"
)

// Sender delivers one message to an SMTP server; [Pool] is the real one.
// A failure should be a *ConnectError when the message was never offered
// (the server or the settings are at fault) and otherwise carry the
// server's *smtp.SMTPError when it replied, so the worker can tell a
// temporary failure from a permanent one. Send must return soon after ctx
// is done: that is how the worker bounds a shutdown. It must keep nothing
// of e.Data once it returns: the worker reuses the buffer.
type Sender interface {
	Send(ctx context.Context, e Envelope) error
}

// DefaultRetrySchedule returns how long a message waits after its n-th
// failed attempt: 10s, 30s, 1m, 5m, 15m, then hourly.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour}
}

// WorkerConfig tunes a [Worker]; zero fields take the defaults shown.
type WorkerConfig struct {
	// Concurrency is the number of messages sent at once (default 4); give
	// the pool as many connections.
	Concurrency int
	// RatePerSecond caps the messages sent per second (0: no cap).
	RatePerSecond float64
	// BatchSize is the number of rows claimed per query (default 100).
	BatchSize int
	// Lease is how long a claimed row stays with this worker (default 5m).
	// A worker that dies leaves its rows to others once it runs out, so it
	// must be well above the SMTP timeouts.
	Lease time.Duration
	// PollInterval is how often the queue is read without a notification
	// (default 15s).
	PollInterval time.Duration
	// MaxAttempts and MaxAge bound the retries of a message (defaults 20
	// and 72h): past either, a temporary failure fails it for good.
	MaxAttempts int
	MaxAge      time.Duration
	// RetrySchedule is the wait after each failed attempt (default
	// DefaultRetrySchedule); past its end, the last wait repeats. Its first
	// entry is also the first pause after the server could not be reached;
	// pauses then double up to the last.
	RetrySchedule []time.Duration
	// ShutdownGrace bounds the sends still running when Run's context is
	// cancelled (default 10s).
	ShutdownGrace time.Duration
	// From is the sender, e.g. "Secretariat <secretariat@example.org>";
	// ReplyTo is optional.
	From, ReplyTo string
	// DatabaseURL is used to LISTEN for new mail; empty: poll only.
	DatabaseURL string
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	setDefault(&c.Concurrency, 4)
	setDefault(&c.BatchSize, 100)
	setDefault(&c.Lease, 5*time.Minute)
	setDefault(&c.PollInterval, 15*time.Second)
	setDefault(&c.MaxAttempts, 20)
	setDefault(&c.MaxAge, 72*time.Hour)
	setDefault(&c.ShutdownGrace, 10*time.Second)
	if len(c.RetrySchedule) == 0 {
		c.RetrySchedule = DefaultRetrySchedule()
	}
	c.RetrySchedule = slices.Clone(c.RetrySchedule) // the caller's slice may change
	return c
}

// Worker delivers queued mail. Any number of workers, in any number of
// processes, can share one database.
type Worker struct {
	db       *sqlx.DB
	sender   Sender
	cfg      WorkerConfig
	log      *slog.Logger
	composer composer
	bufs     sync.Pool     // of *bytes.Buffer: the composed messages
	limiter  *rate.Limiter // nil: no cap
	batch    int
	outage   outage
	shared   sharedFiles // shared attachments read once
	stats    struct{ sent, retried, failed, deferred, released atomic.Int64 }
}

// Stats counts what a worker did since it was built.
type Stats struct {
	Sent     int64 // accepted by the server
	Retried  int64 // a temporary failure: tried again later
	Failed   int64 // given up for good
	Deferred int64 // not offered: the server could not be reached
	Released int64 // claimed but handed back at shutdown
}

// NewWorker returns a worker that sends the mail queued in db with sender.
func NewWorker(db *sqlx.DB, sender Sender, cfg WorkerConfig, log *slog.Logger) (*Worker, error) {
	cfg = cfg.withDefaults()
	c, err := newComposer(cfg.From, cfg.ReplyTo)
	if err != nil {
		return nil, err
	}
	if sender == nil {
		return nil, errors.New("mail: worker: no sender")
	}
	w := &Worker{db: db, sender: sender, cfg: cfg, log: log, composer: c, batch: cfg.BatchSize}
	w.outage.first, w.outage.max = cfg.RetrySchedule[0], cfg.RetrySchedule[len(cfg.RetrySchedule)-1]
	if cfg.RatePerSecond > 0 {
		w.limiter = rate.NewLimiter(rate.Limit(cfg.RatePerSecond), 1)
		// Claim no more than can be sent well within the lease, so claimed
		// rows never wait long enough for another worker to take them too.
		w.batch = max(1, min(w.batch, int(cfg.RatePerSecond*cfg.Lease.Seconds()/4)))
	}
	return w, nil
}

// Stats returns the counters, e.g. for Prometheus CounterFuncs.
func (w *Worker) Stats() Stats {
	return Stats{
		Sent:     w.stats.sent.Load(),
		Retried:  w.stats.retried.Load(),
		Failed:   w.stats.failed.Load(),
		Deferred: w.stats.deferred.Load(),
		Released: w.stats.released.Load(),
	}
}

// Run delivers mail until ctx is cancelled, then stops claiming, lets the
// sends under way finish (for at most ShutdownGrace), hands the rows it
// claimed but did not send back to the queue, and returns nil. Database and
// SMTP failures are logged and retried, never returned.
func (w *Worker) Run(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	stopListening := w.listen(wake)
	defer stopListening()

	// Sends under way outlive ctx by ShutdownGrace at most.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(w.cfg.ShutdownGrace, cancelSends) })
	defer stopGrace()

	// The job buffer holds one batch, so the next claim overlaps the sends.
	jobs := make(chan job, w.batch)
	// Room for a batch of results: the senders go on while the previous
	// batch is being marked, instead of waiting for the database.
	results := make(chan result, w.batch+2*w.cfg.Concurrency)
	// Messages are composed ahead, a few per connection, by goroutines
	// of their own; composing is CPU work, and one per CPU is enough.
	ready := make(chan composed, 2*w.cfg.Concurrency)
	var composers, senders sync.WaitGroup
	for range min(w.cfg.Concurrency, runtime.GOMAXPROCS(0)) {
		composers.Go(func() { w.composeLoop(ctx, jobs, ready) })
	}
	go func() {
		composers.Wait()
		close(ready)
	}()
	for range w.cfg.Concurrency {
		senders.Go(func() { w.sendLoop(ctx, sendCtx, ready, results) })
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		w.record(sendCtx.Done(), results, wake)
	}()

	w.log.Debug("mail worker started", "concurrency", w.cfg.Concurrency, "rate", w.cfg.RatePerSecond, "batch", w.batch)
	w.claimLoop(ctx, jobs, results, wake)
	close(jobs)
	senders.Wait()
	close(results)
	<-recorded
	w.log.Debug("mail worker stopped")
	return nil
}

// sleep waits for d, a wake-up or the end of ctx.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-wake:
	}
}

// poke wakes the claim loop without ever blocking.
func poke(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
