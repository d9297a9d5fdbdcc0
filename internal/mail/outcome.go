package mail

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// outcome is what becomes of a row after a delivery attempt.
type outcome int

const (
	outcomeSent    outcome = iota // accepted by the server
	outcomeRetry                  // temporary failure: try again later
	outcomeDefer                  // never offered (server unreachable): later, without counting the attempt
	outcomeFail                   // permanent failure, or retries exhausted
	outcomeRelease                // not attempted (shutdown): back to the queue as it was
)

// result is the outcome of one job, with the text kept in last_error and
// the wait before the next attempt.
type result struct {
	job     job
	outcome outcome
	text    string
	delay   time.Duration
}

// maxErrorText bounds last_error; servers can be verbose.
const maxErrorText = 1000

// judge classifies the outcome of sending j:
//   - no error: sent;
//   - the server could not be reached, or refused TLS or AUTH: deferred —
//     not the message's fault, so the attempt does not count, and the
//     worker pauses before claiming more;
//   - a 5xx reply: failed for good, with the server's words;
//   - a 4xx reply or a network error: retried after the next delay of the
//     schedule, unless the message ran out of attempts or time.
func (w *Worker) judge(j job, err error) result {
	if err == nil {
		w.outage.over()
		return result{job: j, outcome: outcomeSent}
	}
	text := describe(err)
	var ce *ConnectError
	if errors.As(err, &ce) {
		delay := w.outage.begin()
		if age := time.Since(j.QueuedAt); age > w.cfg.MaxAge {
			return result{job: j, outcome: outcomeFail, text: fmt.Sprintf("gave up after %s: %s", age.Round(time.Minute), text)}
		}
		return result{job: j, outcome: outcomeDefer, text: text, delay: delay}
	}
	w.outage.over()
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return result{job: j, outcome: outcomeFail, text: text}
	}
	switch age := time.Since(j.QueuedAt); {
	case j.Attempts >= w.cfg.MaxAttempts:
		return result{job: j, outcome: outcomeFail, text: fmt.Sprintf("gave up after %d attempts: %s", j.Attempts, text)}
	case age > w.cfg.MaxAge:
		return result{job: j, outcome: outcomeFail, text: fmt.Sprintf("gave up after %s: %s", age.Round(time.Minute), text)}
	}
	s := w.cfg.RetrySchedule
	return result{job: j, outcome: outcomeRetry, text: text, delay: s[min(j.Attempts, len(s))-1]}
}

// describe words a send error for the mail log.
func describe(err error) string {
	var (
		ce   *CommandError
		se   *smtp.SMTPError
		text = err.Error()
	)
	if errors.As(err, &ce) && errors.As(err, &se) && ce.Command == "RCPT TO" && se.Code >= 500 {
		text = "recipient refused: " + text
	}
	if len(text) > maxErrorText {
		text = strings.ToValidUTF8(text[:maxErrorText], "") + "…"
	}
	return text
}

// outage tracks a server that cannot be reached: the first failure pauses
// claiming for the first retry delay, each failure after a pause doubles
// it, up to the last delay, and a success ends it.
type outage struct {
	first, max time.Duration
	mu         sync.Mutex
	pause      time.Duration
	until      time.Time
}

// begin records a failure to connect and returns the current pause.
func (o *outage) begin() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	if now := time.Now(); !now.Before(o.until) {
		// A new failure after the pause (the many sends failing at once
		// count as one).
		o.pause = min(max(o.first, 2*o.pause), o.max)
		o.until = now.Add(o.pause)
	}
	return o.pause
}

// over records a reply from the server.
func (o *outage) over() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pause, o.until = 0, time.Time{}
}

// remaining returns how long claiming should still pause.
func (o *outage) remaining() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return time.Until(o.until)
}
