package mail

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/postgres"
)

// notifyChannel is the PostgreSQL channel that wakes workers when mail is
// queued. Notifications are delivered at commit, and only then.
const notifyChannel = "agora_mail"

// Outbox writes emails into outgoing_mail and manages them afterwards
// (the mail log, resend, release). Delivery is the [Worker]'s job.
type Outbox struct {
	db       *sqlx.DB
	domain   string // right-hand side of the Message-IDs
	withhold bool
}

// OutboxConfig configures an [Outbox].
type OutboxConfig struct {
	// From is the sender, e.g. "Agora <agora@example.org>"; its domain
	// ends every Message-ID.
	From string
	// SMTPConfigured is false when no SMTP server is configured: new mail
	// is then kept as withheld, and sent after [Outbox.Release].
	SMTPConfigured bool
}

// NewOutbox returns an outbox over db.
func NewOutbox(db *sqlx.DB, cfg OutboxConfig) (*Outbox, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", cfg.From, err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	return &Outbox{db: db, domain: strings.ToLower(domain), withhold: !cfg.SMTPConfigured}, nil
}

// Enqueue queues m inside tx, so it is sent if and only if tx commits.
// It returns the row's id and whether this call queued it: false when a
// message with the same dedupe key already exists, whose id is then
// returned, and false when m cannot be sent (it fails validation, or its
// Fault is set). Such a message is written as failed, as much of it as
// can be, with the reason as its last error: an email that cannot be built
// never undoes the change that caused it, and the mail log shows it. The
// message is withheld when no SMTP server is configured.
func (o *Outbox) Enqueue(ctx context.Context, tx *sqlx.Tx, m Message) (id int64, queued bool, err error) {
	status := StatusQueued
	if o.withhold {
		status = StatusWithheld
	}
	messageID := o.newMessageID()
	lastError := m.fault()
	if lastError != "" {
		m, status = m.salvage(messageID), StatusFailed
	}
	var calendar, method any // NULL unless set
	if len(m.Calendar) > 0 {
		calendar, method = m.Calendar, m.CalendarMethod
	}
	// pg_notify is deferred by PostgreSQL to the commit; it runs in the
	// same statement to keep the caller's transaction one round trip
	// shorter. Several notifications in one transaction are folded into one.
	const q = `
WITH ins AS (
    INSERT INTO outgoing_mail (kind, to_address, to_name, language, subject, text_body, html_body,
        calendar, calendar_method, meeting_id, registration_id, dedupe_key, message_id, status, last_error)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10::bigint, 0), NULLIF($11::bigint, 0), $12, $13, $14, $15)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id, status
)
SELECT id, CASE WHEN status = 'queued' THEN pg_notify('` + notifyChannel + `', '')::text END IS NULL
FROM ins`
	var ignored bool
	err = tx.QueryRowContext(ctx, q, m.Kind, m.To, m.ToName, m.Language, m.Subject, m.Text, m.HTML,
		calendar, method, m.MeetingID, m.RegistrationID, m.DedupeKey, messageID, status, lastError,
	).Scan(&id, &ignored)
	if err == nil {
		return id, status != StatusFailed, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("mail: enqueue: %w", err)
	}
	if err := tx.GetContext(ctx, &id, `SELECT id FROM outgoing_mail WHERE dedupe_key = $1`, m.DedupeKey); err != nil {
		return 0, false, fmt.Errorf("mail: enqueue: find duplicate: %w", err)
	}
	return id, false, nil
}

// EnqueueAll queues msgs inside tx as [Outbox.Enqueue] queues each — the
// same dedupe keys, the same failed rows for what cannot be sent — with
// one statement per enqueueRows emails: a run of invitations writes its
// hundreds of emails in a few round trips instead of one each. It returns
// how many it queued.
func (o *Outbox) EnqueueAll(ctx context.Context, tx *sqlx.Tx, msgs []Message) (int, error) {
	queued := 0
	for len(msgs) > 0 {
		n := min(len(msgs), enqueueRows)
		q, err := o.enqueueBatch(ctx, tx, msgs[:n])
		if err != nil {
			return queued, err
		}
		queued += q
		msgs = msgs[n:]
	}
	return queued, nil
}

// enqueueRows is how many emails one statement of EnqueueAll inserts: 50
// rows of 15 parameters. The values are bound as parameters, which
// PostgreSQL takes as they are, rather than sent as arrays, whose text it
// would parse character by character.
const enqueueRows = 50

func (o *Outbox) enqueueBatch(ctx context.Context, tx *sqlx.Tx, msgs []Message) (int, error) {
	status := StatusQueued
	if o.withhold {
		status = StatusWithheld
	}
	var q strings.Builder
	q.WriteString(`
WITH ins AS (
    INSERT INTO outgoing_mail (kind, to_address, to_name, language, subject, text_body, html_body,
        calendar, calendar_method, meeting_id, registration_id, dedupe_key, message_id, status, last_error)
    VALUES `)
	args := make([]any, 0, 15*len(msgs))
	for i, m := range msgs {
		messageID, rowStatus := o.newMessageID(), status
		lastError := m.fault()
		if lastError != "" {
			m, rowStatus = m.salvage(messageID), StatusFailed
		}
		var calendar, method any // NULL unless set
		if len(m.Calendar) > 0 {
			calendar, method = m.Calendar, m.CalendarMethod
		}
		if i > 0 {
			q.WriteString(", ")
		}
		p := 15 * i
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, NULLIF($%d::bigint, 0), NULLIF($%d::bigint, 0), $%d, $%d, $%d, $%d)",
			p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10, p+11, p+12, p+13, p+14, p+15)
		args = append(args, m.Kind, m.To, m.ToName, m.Language, m.Subject, m.Text, m.HTML, calendar, method,
			m.MeetingID, m.RegistrationID, m.DedupeKey, messageID, rowStatus, lastError)
	}
	// ON CONFLICT DO NOTHING also skips a second message of the batch with
	// the same key.
	q.WriteString(`
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING status
)
SELECT count(*) FILTER (WHERE status <> 'failed'),
    CASE WHEN bool_or(status = 'queued') THEN pg_notify('` + notifyChannel + `', '')::text END IS NULL
FROM ins`)
	var (
		queued  int
		ignored bool
	)
	if err := tx.QueryRowContext(ctx, q.String(), args...).Scan(&queued, &ignored); err != nil {
		return 0, fmt.Errorf("mail: enqueue %d emails: %w", len(msgs), err)
	}
	return queued, nil
}

// Release queues every withheld message, once an SMTP server is
// configured, and returns how many there were. The audit trail records who
// released them, in the same transaction.
func (o *Outbox) Release(ctx context.Context, a audit.Actor) (int64, error) {
	const q = `
WITH rel AS (
    UPDATE outgoing_mail
    SET status = 'queued', next_attempt_at = now(), queued_at = now(), updated_at = now()
    WHERE status = 'withheld'
    RETURNING 1
)
SELECT count(*), CASE WHEN count(*) > 0 THEN pg_notify('` + notifyChannel + `', '')::text END IS NULL
FROM rel`
	var n int64
	err := postgres.InTx(ctx, o.db, func(tx *sqlx.Tx) error {
		var ignored bool
		if err := tx.QueryRowContext(ctx, q).Scan(&n, &ignored); err != nil {
			return fmt.Errorf("mail: release withheld mail: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "mail.release", Details: map[string]any{"released": n}})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// messageIDEncoding spells the random part of Message-IDs: lower case so it
// survives case-folding mail systems.
var messageIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newMessageID returns a fresh Message-ID, without angle brackets:
// 120 random bits, which no two rows will ever share.
func (o *Outbox) newMessageID() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return "agora." + messageIDEncoding.EncodeToString(b) + "@" + o.domain
}
