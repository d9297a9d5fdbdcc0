package mail

import (
	"bytes"
	"context"
	"time"

	"github.com/lib/pq"
)

// listen pokes wake on every notification of new mail, and after the
// listening connection is re-established (notifications may have been
// missed meanwhile). The returned function stops it.
func (w *Worker) listen(wake chan<- struct{}) (stop func()) {
	if w.cfg.DatabaseURL == "" {
		return func() {}
	}
	l := pq.NewListener(w.cfg.DatabaseURL, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			w.log.Warn("mail: LISTEN connection", "event", ev.String(), "err", err)
		}
	})
	done := make(chan struct{})
	go func() {
		// Listen blocks until the connection is up, which may be never.
		if err := l.Listen(notifyChannel); err != nil {
			select {
			case <-done:
			default:
				w.log.Error("mail: LISTEN "+notifyChannel, "err", err)
			}
		}
	}()
	go func() {
		for {
			select {
			case <-done:
				return
			case <-l.Notify: // nil after a reconnection
				poke(wake)
			}
		}
	}()
	return func() {
		close(done)
		l.Close()
	}
}

// claimLoop claims due rows and hands them to the senders until ctx ends.
// Rows claimed but not handed over by then go back to the queue.
func (w *Worker) claimLoop(ctx context.Context, jobs chan<- job, results chan<- result, wake <-chan struct{}) {
	for ctx.Err() == nil {
		if d := w.outage.remaining(); d > 0 {
			sleep(ctx, d, nil) // notifications won't bring the server back
			continue
		}
		batch, err := w.claim(ctx, w.batch)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Error("mail: claim", "err", err)
				sleep(ctx, w.cfg.PollInterval, wake)
			}
			continue
		}
		for i, j := range batch {
			select {
			case jobs <- j:
			case <-ctx.Done():
				for _, r := range batch[i:] {
					results <- result{job: r, outcome: outcomeRelease}
				}
				return
			}
		}
		if len(batch) == w.batch {
			continue // there is probably more
		}
		// Nothing more is due: wait for the next due row, a notification or
		// the poll interval, whichever comes first.
		d := w.cfg.PollInterval
		if next, ok, err := w.nextDue(ctx); err == nil && ok {
			// Due rows may be locked by another worker's claim for a moment.
			d = min(d, max(next, 10*time.Millisecond))
		}
		sleep(ctx, d, wake)
	}
}

// composed is a claimed row with its message composed (or the error that
// prevented it; buf nil when composing was skipped at shutdown). buf goes
// back to the worker's pool once the message is sent.
type composed struct {
	job job
	buf *bytes.Buffer
	err error
}

// composeLoop composes the messages of jobs ahead of the senders, so that
// an SMTP connection that comes free has its next message ready, as a bare
// client's would, instead of waiting for it to be composed. Once ctx is
// cancelled it composes nothing more: the senders hand those jobs back.
func (w *Worker) composeLoop(ctx context.Context, jobs <-chan job, ready chan<- composed) {
	for j := range jobs {
		c := composed{job: j}
		if ctx.Err() == nil {
			c.buf, c.err = w.composer.composeInto(&w.bufs, j, time.Now())
		}
		ready <- c
	}
}

// sendLoop sends composed messages until they run out. Once ctx is
// cancelled it sends nothing more and hands the remaining jobs back; a send
// already under way runs on sendCtx, which outlives ctx by the shutdown
// grace.
func (w *Worker) sendLoop(ctx, sendCtx context.Context, ready <-chan composed, results chan<- result) {
	for c := range ready {
		results <- w.sendOne(ctx, sendCtx, c)
		if c.buf != nil {
			w.bufs.Put(c.buf) // Send keeps nothing of the message
		}
	}
}

// sendOne sends c unless ctx is cancelled, and returns the result.
func (w *Worker) sendOne(ctx, sendCtx context.Context, c composed) result {
	if ctx.Err() != nil || (c.buf == nil && c.err == nil) {
		return result{job: c.job, outcome: outcomeRelease}
	}
	if w.limiter != nil {
		if err := w.limiter.Wait(ctx); err != nil {
			return result{job: c.job, outcome: outcomeRelease}
		}
	}
	return w.deliver(sendCtx, c)
}

// deliver sends one composed message and judges the outcome.
func (w *Worker) deliver(ctx context.Context, c composed) result {
	j := c.job
	if c.err != nil {
		return result{job: j, outcome: outcomeFail, text: c.err.Error()}
	}
	err := w.sender.Send(ctx, Envelope{From: w.composer.from.Address, To: j.To, Data: c.buf.Bytes()})
	if err != nil && ctx.Err() != nil {
		// The shutdown grace ran out mid-send: whether the server kept the
		// message is unknown, and the next worker will offer it again.
		return result{job: j, outcome: outcomeRelease}
	}
	return w.judge(j, err)
}

// flushDelay is how long a sent row may wait to be marked with others.
// Each flush is a transaction; at hundreds of messages a second, 20 ms
// made one of about ten rows, 100 ms makes one of a batch. A worker that
// dies loses at most this much of its record, and those rows are sent
// again once their lease runs out (at least once, as before).
const flushDelay = 100 * time.Millisecond

// record writes the results to the database: sent and released rows in
// batches (one statement per flush instead of one per message), the others
// one by one. It returns when results is closed, after a last flush. Once
// stop is closed, it stops waiting for an unreachable database.
func (w *Worker) record(stop <-chan struct{}, results <-chan result, wake chan<- struct{}) {
	var sent, released []job
	var timer *time.Timer
	var flushC <-chan time.Time
	flush := func() {
		w.markBatch(stop, markSent, sent)
		w.markBatch(stop, markReleased, released)
		sent, released = sent[:0], released[:0]
		if timer != nil {
			timer.Stop()
		}
		flushC = nil
	}
	for {
		select {
		case r, ok := <-results:
			if !ok {
				flush()
				return
			}
			switch r.outcome {
			case outcomeSent:
				w.stats.sent.Add(1)
				sent = append(sent, r.job)
			case outcomeRelease:
				w.stats.released.Add(1)
				released = append(released, r.job)
			default:
				w.markOne(r)
				if r.outcome != outcomeFail {
					poke(wake) // the claim loop may sleep past the retry
				}
			}
			if len(sent)+len(released) >= w.batch {
				flush()
			} else if flushC == nil && len(sent)+len(released) > 0 {
				timer = time.NewTimer(flushDelay)
				flushC = timer.C
			}
		case <-flushC:
			flush()
		}
	}
}
