package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/validate"
)

// Mail is one row of the mail log: an email and where its delivery stands.
// Bodies are left out; the log is about delivery.
type Mail struct {
	ID             int64      `db:"id" json:"id"`
	Kind           string     `db:"kind" json:"kind"`
	To             string     `db:"to_address" json:"to"`
	ToName         string     `db:"to_name" json:"to_name"`
	Language       string     `db:"language" json:"language"`
	Subject        string     `db:"subject" json:"subject"`
	Status         string     `db:"status" json:"status"`
	Attempts       int        `db:"attempts" json:"attempts"`
	LastError      string     `db:"last_error" json:"last_error"`
	MessageID      string     `db:"message_id" json:"message_id"`
	MeetingID      *int64     `db:"meeting_id" json:"meeting_id"`
	RegistrationID *int64     `db:"registration_id" json:"registration_id"`
	HasCalendar    bool       `db:"has_calendar" json:"has_calendar"`
	QueuedAt       time.Time  `db:"queued_at" json:"queued_at"`
	NextAttemptAt  *time.Time `db:"next_attempt_at" json:"next_attempt_at"` // only while retrying
	SentAt         *time.Time `db:"sent_at" json:"sent_at"`
}

const mailColumns = `id, kind, to_address, to_name, language, subject, status, attempts, last_error,
    message_id, meeting_id, registration_id, calendar IS NOT NULL AS has_calendar, queued_at,
    CASE WHEN status = 'retrying' THEN next_attempt_at END AS next_attempt_at, sent_at`

// Filter selects rows of the mail log. Zero values select everything.
type Filter struct {
	MeetingID int64
	Status    string
	// To matches the recipient address, ignoring case.
	To string
	// Limit is the page size: 50 when zero, at most 500.
	Limit int
	// Cursor is the Next value of the previous page.
	Cursor string
}

// Page limits of [Outbox.List].
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// List returns the mail log, newest first, and the cursor of the next page
// ("" on the last page).
func (o *Outbox) List(ctx context.Context, f Filter) (mails []Mail, next string, err error) {
	where, args, limit, err := f.sql()
	if err != nil {
		return nil, "", err
	}
	// The limit is a parameter, not part of the text: one prepared
	// statement per filter shape, whatever the page size.
	args = append(args, limit+1)
	q := `SELECT ` + mailColumns + ` FROM outgoing_mail` + where +
		fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	if err := o.db.SelectContext(ctx, &mails, q, args...); err != nil {
		return nil, "", fmt.Errorf("mail: list: %w", err)
	}
	if len(mails) > limit {
		mails = mails[:limit]
		next = strconv.FormatInt(mails[limit-1].ID, 10)
	}
	return mails, next, nil
}

// sql turns the filter into a WHERE clause with its arguments.
func (f Filter) sql() (where string, args []any, limit int, err error) {
	fields := apperr.Fields{}
	var conds []string
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.MeetingID < 0 {
		fields.Add("meeting_id", apperr.M("err.meeting_id"))
	} else if f.MeetingID > 0 {
		add("meeting_id = $%d", f.MeetingID)
	}
	switch f.Status {
	case "":
	case StatusQueued, StatusSending, StatusSent, StatusRetrying, StatusFailed, StatusWithheld:
		add("status = $%d", f.Status)
	default:
		fields.Add("status", apperr.M("err.one_of", "Values", "queued, sending, sent, retrying, failed, withheld"))
	}
	if f.To != "" {
		add("lower(to_address) = $%d", validate.NormalizeEmail(f.To))
	}
	if f.Cursor != "" {
		id, perr := strconv.ParseInt(f.Cursor, 10, 64)
		if perr != nil || id <= 0 {
			fields.Add("cursor", apperr.M("err.cursor_list"))
		} else {
			add("id < $%d", id)
		}
	}
	switch {
	case f.Limit == 0:
		limit = DefaultListLimit
	case f.Limit < 0 || f.Limit > MaxListLimit:
		fields.Add("limit", apperr.M("err.between", "A", 1, "B", MaxListLimit))
	default:
		limit = f.Limit
	}
	if err := fields.Err(); err != nil {
		return "", nil, 0, err
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return where, args, limit, nil
}

// Get returns one row of the mail log (apperr.NotFound when there is none).
func (o *Outbox) Get(ctx context.Context, id int64) (Mail, error) {
	var m Mail
	err := o.db.GetContext(ctx, &m, `SELECT `+mailColumns+` FROM outgoing_mail WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Mail{}, apperr.New(apperr.NotFound, apperr.M("err.no_email"))
	}
	if err != nil {
		return Mail{}, fmt.Errorf("mail: get %d: %w", id, err)
	}
	return m, nil
}

// Resend queues a failed or sent email again, with its attempts reset, and
// returns it. A sent email gets a new Message-ID: it is a deliberate second
// copy, which receiving clients must not discard as a duplicate. An email
// still on its way (queued, sending, retrying) or withheld is an
// apperr.Conflict. The audit trail records who asked, in the same
// transaction.
func (o *Outbox) Resend(ctx context.Context, a audit.Actor, id int64) (Mail, error) {
	status := StatusQueued
	if o.withhold {
		status = StatusWithheld
	}
	const q = `
UPDATE outgoing_mail
SET status = $2, attempts = 0, last_error = '', next_attempt_at = now(), queued_at = now(),
    sent_at = NULL, updated_at = now(),
    message_id = CASE WHEN status = 'sent' THEN $3 ELSE message_id END
WHERE id = $1 AND status IN ('failed', 'sent')
RETURNING coalesce(meeting_id, 0), (SELECT pg_notify('` + notifyChannel + `', '')::text WHERE $2 = 'queued') IS NULL`
	err := postgres.InTx(ctx, o.db, func(tx *sqlx.Tx) error {
		var (
			meetingID int64
			ignored   bool
		)
		err := tx.QueryRowContext(ctx, q, id, status, o.newMessageID()).Scan(&meetingID, &ignored)
		if errors.Is(err, sql.ErrNoRows) {
			m, gerr := o.Get(ctx, id)
			if gerr != nil {
				return gerr
			}
			return apperr.New(apperr.Conflict, apperr.M("err.resend", "MailStatus", m.Status))
		}
		if err != nil {
			return fmt.Errorf("mail: resend %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "mail.resend", MeetingID: meetingID, SubjectType: "mail", SubjectID: id})
	})
	if err != nil {
		return Mail{}, err
	}
	return o.Get(ctx, id)
}

// CountByStatus returns how many emails are in each status, for metrics
// and the admin page. Statuses with no email are present with 0.
func (o *Outbox) CountByStatus(ctx context.Context) (map[string]int64, error) {
	rows, err := o.db.QueryContext(ctx, `SELECT status, count(*) FROM outgoing_mail GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("mail: count by status: %w", err)
	}
	defer rows.Close()
	counts := map[string]int64{
		StatusQueued: 0, StatusSending: 0, StatusSent: 0, StatusRetrying: 0, StatusFailed: 0, StatusWithheld: 0,
	}
	for rows.Next() {
		var (
			status string
			n      int64
		)
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("mail: count by status: %w", err)
		}
		counts[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mail: count by status: %w", err)
	}
	return counts, nil
}
