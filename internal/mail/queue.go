package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/postgres"
)

// job is a claimed row: what the worker needs to send it. Attempts, as
// raised by the claim, fences every later update: a row whose lease ran
// out and was claimed again by another worker is not this job any more.
type job struct {
	ID             int64     `db:"id"`
	Attempts       int       `db:"attempts"`
	To             string    `db:"to_address"`
	ToName         string    `db:"to_name"`
	Language       string    `db:"language"`
	Subject        string    `db:"subject"`
	Text           string    `db:"text_body"`
	HTML           string    `db:"html_body"`
	Calendar       []byte    `db:"calendar"`
	CalendarMethod string    `db:"calendar_method"`
	MessageID      string    `db:"message_id"`
	QueuedAt       time.Time `db:"queued_at"`
	// Attachment is a file attached to the email (an invitation letter),
	// nil for none; AttachmentName and AttachmentType its name and type.
	// The claim reads it unless it is a shared one the worker holds.
	Attachment     []byte `db:"attachment"`
	AttachmentName string `db:"attachment_name"`
	AttachmentType string `db:"attachment_type"`
	// AttachmentID is the stored attachment, 0 for none; SharedAttachment
	// says it is shared (stored under a cache key: the same bytes for
	// every email that carries it, never changed).
	AttachmentID     int64 `db:"attachment_id"`
	SharedAttachment bool  `db:"shared_attachment"`
	// attachmentLines is Attachment in base64 lines, when the worker
	// holds them (a shared attachment); nil: encoded when composed.
	attachmentLines []byte
	// claimed is when the claim query was sent, so no later than the
	// start of the lease: until claimed+Lease no other worker takes the row.
	claimed time.Time
}

// claim takes up to n due rows for this worker: queued or retrying rows
// whose time has come, and rows whose lease ran out (a worker died while
// sending them; for a row being sent, next_attempt_at is the end of its
// lease). SKIP LOCKED lets workers claim side by side without waiting for
// or taking each other's rows. The query is not cancelled with ctx: rows
// claimed by a committed update whose answer was dropped would wait for
// their lease to run out.
func (w *Worker) claim(ctx context.Context, n int) ([]job, error) {
	return w.claimHolding(ctx, n, w.shared.ids())
}

// claimHolding is claim for a worker that holds the shared attachments
// held in memory: the claim does not read them again. One dropped from
// memory meanwhile is read on its own.
func (w *Worker) claimHolding(ctx context.Context, n int, held []int64) ([]job, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dbWriteTimeout)
	defer cancel()
	const q = `
UPDATE outgoing_mail AS m
SET status = 'sending', attempts = m.attempts + 1, updated_at = now(),
    lease_until = now() + make_interval(secs => $2),
    next_attempt_at = now() + make_interval(secs => $2)
FROM (
    SELECT id, attachment_id FROM outgoing_mail
    WHERE status IN ('queued', 'retrying', 'sending') AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
) AS due
LEFT JOIN mail_attachments AS a ON a.id = due.attachment_id
WHERE m.id = due.id
RETURNING m.id, m.attempts, m.to_address, m.to_name, m.language, m.subject, m.text_body, m.html_body,
    m.calendar, coalesce(m.calendar_method, '') AS calendar_method, m.message_id, m.queued_at,
    coalesce(m.attachment_id, 0) AS attachment_id,
    a.cache_key IS NOT NULL AS shared_attachment,
    CASE WHEN a.cache_key IS NULL OR a.id <> ALL($3) THEN a.content END AS attachment,
    coalesce(a.filename, '') AS attachment_name,
    coalesce(a.content_type, '') AS attachment_type`
	var jobs []job
	claimed := time.Now()
	if err := w.db.SelectContext(ctx, &jobs, q, n, w.cfg.Lease.Seconds(), pq.Int64Array(held)); err != nil {
		return nil, fmt.Errorf("mail: claim: %w", err)
	}
	for i := range jobs {
		jobs[i].claimed = claimed
	}
	// Shared attachments come from the worker's memory, read once.
	for i := range jobs {
		j := &jobs[i]
		if j.AttachmentID == 0 || !j.SharedAttachment {
			continue
		}
		held := w.shared.get(j.AttachmentID)
		if held.content == nil {
			// Not held yet (the claim read it), or dropped from memory
			// since the claim was sent (read it now).
			if j.Attachment == nil {
				err := w.db.GetContext(ctx, &j.Attachment, `SELECT content FROM mail_attachments WHERE id = $1`, j.AttachmentID)
				if err != nil {
					return nil, errors.Join(fmt.Errorf("mail: claim: attachment %d: %w", j.AttachmentID, err), w.release(jobs))
				}
			}
			held = w.shared.keep(j.AttachmentID, j.Attachment)
		}
		j.Attachment, j.attachmentLines = held.content, held.lines
	}
	return jobs, nil
}

// release hands claimed jobs back to the queue at once (a claim that
// cannot complete).
func (w *Worker) release(jobs []job) error {
	ids, attempts := make([]int64, len(jobs)), make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i], attempts[i] = j.ID, int64(j.Attempts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dbWriteTimeout)
	defer cancel()
	if _, err := w.db.ExecContext(ctx, markReleased, pq.Array(ids), pq.Array(attempts)); err != nil {
		return fmt.Errorf("mail: release %d claimed rows: %w", len(ids), err)
	}
	return nil
}

// nextDue returns how long until the next row is due, if any is waiting.
func (w *Worker) nextDue(ctx context.Context) (time.Duration, bool, error) {
	var secs sql.NullFloat64
	err := w.db.GetContext(ctx, &secs, `
SELECT extract(epoch FROM min(next_attempt_at) - now())::float8
FROM outgoing_mail WHERE status IN ('queued', 'retrying', 'sending')`)
	if err != nil {
		return 0, false, fmt.Errorf("mail: next due: %w", err)
	}
	return time.Duration(secs.Float64 * float64(time.Second)), secs.Valid, nil
}

// The batch updates of record. A row being sent is the one with a lease
// (a CHECK constraint makes lease_until IS NOT NULL the same as status =
// 'sending'); the statements test the lease because no index covers it:
// tested on the status, the planner, which believes few rows are being
// sent, walked every entry of 'sending' in the status index — the rows
// in flight and the dead entries of every row sent since the last vacuum
// — for each batch, instead of looking up the batch's ids.
const (
	markSent = `
UPDATE outgoing_mail AS m
SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = '', updated_at = now()
FROM unnest($1::bigint[], $2::integer[]) AS d(id, attempts)
WHERE m.id = d.id AND m.attempts = d.attempts AND m.lease_until IS NOT NULL`
	markReleased = `
UPDATE outgoing_mail AS m
SET status = 'queued', attempts = m.attempts - 1, lease_until = NULL, next_attempt_at = now(), updated_at = now()
FROM unnest($1::bigint[], $2::integer[]) AS d(id, attempts)
WHERE m.id = d.id AND m.attempts = d.attempts AND m.lease_until IS NOT NULL`
)

// dbWriteTimeout bounds each write of the results; they also run during
// shutdown, after Run's context is gone.
const dbWriteTimeout = 10 * time.Second

// markBatch runs one of the batch updates for jobs. A sent row left
// unmarked would be sent again once its lease runs out, so while the
// database cannot be reached (a restart) it keeps trying — meanwhile the
// senders, whose results wait, send nothing more — until the first lease
// of jobs is about to run out (then another worker may take the rows, and
// the update, fenced by attempts, could no longer apply) or stop is
// closed (the shutdown grace is over). Other errors get three tries.
func (w *Worker) markBatch(stop <-chan struct{}, q string, jobs []job) {
	if len(jobs) == 0 {
		return
	}
	ids := make([]int64, len(jobs))
	attempts := make([]int64, len(jobs))
	leaseEnd := jobs[0].claimed.Add(w.cfg.Lease)
	for i, j := range jobs {
		ids[i], attempts[i] = j.ID, int64(j.Attempts)
		leaseEnd = minTime(leaseEnd, j.claimed.Add(w.cfg.Lease))
	}
	var err error
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), dbWriteTimeout)
		_, err = w.db.ExecContext(ctx, q, pq.Array(ids), pq.Array(attempts))
		cancel()
		if err == nil {
			if try > 0 {
				w.log.Info("mail: delivery results recorded after the database came back", "rows", len(ids), "tries", try+1)
			}
			return
		}
		wait := min(time.Duration(try+1)*time.Second, 5*time.Second)
		if try >= 2 && (!postgres.IsUnavailable(err) || time.Until(leaseEnd) < wait+dbWriteTimeout || closed(stop)) {
			break
		}
		if try == 0 {
			w.log.Warn("mail: cannot record delivery results yet; trying again", "rows", len(ids), "err", err)
		}
		select {
		case <-time.After(wait):
		case <-stop:
		}
	}
	w.log.Error("mail: cannot record delivery results; the rows go out again when their lease ends",
		"ids", ids, "err", err)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// markOne records a retry, a deferral or a failure.
func (w *Worker) markOne(r result) {
	status, attemptDelta := StatusRetrying, 0
	switch r.outcome {
	case outcomeRetry:
		w.stats.retried.Add(1)
	case outcomeDefer:
		w.stats.deferred.Add(1)
		attemptDelta = -1
	case outcomeFail:
		w.stats.failed.Add(1)
		status = StatusFailed
	}
	w.log.Warn("mail: not delivered", "id", r.job.ID, "message_id", r.job.MessageID,
		"attempt", r.job.Attempts, "status", status, "retry_in", r.delay, "err", r.text)
	const q = `
UPDATE outgoing_mail
SET status = $3, attempts = attempts + $4, lease_until = NULL, last_error = $5, updated_at = now(),
    next_attempt_at = now() + make_interval(secs => $6)
WHERE id = $1 AND attempts = $2 AND status = 'sending'`
	ctx, cancel := context.WithTimeout(context.Background(), dbWriteTimeout)
	defer cancel()
	if _, err := w.db.ExecContext(ctx, q, r.job.ID, r.job.Attempts, status, attemptDelta, r.text, r.delay.Seconds()); err != nil {
		w.log.Error("mail: cannot record a delivery failure; the row is tried again when its lease ends",
			"id", r.job.ID, "err", err)
	}
}
