// Package audit keeps the append-only trail of who did what and when, for
// every change to meetings, agendas, invitations, registrations, accounts,
// the roster and mail. Entries hold ids, never personal data.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

// Entry is one line of the trail.
type Entry struct {
	ID          int64           `db:"id" json:"id"`
	At          time.Time       `db:"at" json:"at"`
	Actor       string          `db:"actor" json:"actor"` // user, link or system
	UserID      *int64          `db:"user_id" json:"user_id,omitempty"`
	UserName    *string         `db:"user_name" json:"user_name,omitempty"`
	Action      string          `db:"action" json:"action"`
	MeetingID   *int64          `db:"meeting_id" json:"meeting_id,omitempty"`
	State       *string         `db:"state_code" json:"state,omitempty"`
	SubjectType string          `db:"subject_type" json:"subject_type,omitempty"`
	SubjectID   *int64          `db:"subject_id" json:"subject_id,omitempty"`
	Details     json.RawMessage `db:"details" json:"details"`
}

// Event is what a service records.
type Event struct {
	Action      string // "registration.approve"
	MeetingID   int64
	State       string
	SubjectType string // "registration", "meeting", "user" …
	SubjectID   int64
	Details     map[string]any // ids and statuses only, never names or emails
}

// Link marks events done through a secret link (no account).
var Link = auth.Actor{}

// Record appends an event done by a (the zero Actor: through a link, or
// pass system=true via RecordSystem), inside the caller's transaction.
func Record(ctx context.Context, q sqlx.ExecerContext, a auth.Actor, e Event) error {
	actor := "user"
	var userID *int64
	if a.Anonymous() {
		actor = "link"
	} else {
		id := a.ID()
		userID = &id
	}
	return insert(ctx, q, actor, userID, e)
}

// RecordAll appends events done by a, in order, in one statement: what a
// run over many states records without a round trip each.
func RecordAll(ctx context.Context, q sqlx.ExecerContext, a auth.Actor, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	actor := "user"
	var userID *int64
	if a.Anonymous() {
		actor = "link"
	} else {
		id := a.ID()
		userID = &id
	}
	n := len(events)
	actions, states, types, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	meetings, subjects := make([]int64, n), make([]int64, n)
	for i, e := range events {
		d := e.Details
		if d == nil {
			d = map[string]any{}
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("audit: details: %w", err)
		}
		actions[i], meetings[i], states[i], types[i], subjects[i], details[i] = e.Action, e.MeetingID, e.State, e.SubjectType, e.SubjectID, string(b)
	}
	_, err := q.ExecContext(ctx, `
		INSERT INTO audit_log (actor, user_id, action, meeting_id, state_code, subject_type, subject_id, details)
		SELECT $1, $2, action, nullif(meeting_id, 0), nullif(state_code, ''), subject_type, nullif(subject_id, 0), details::jsonb
		FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[])
			WITH ORDINALITY AS u(action, meeting_id, state_code, subject_type, subject_id, details, n)
		ORDER BY n`,
		actor, userID, pq.StringArray(actions), pq.Int64Array(meetings), pq.StringArray(states), pq.StringArray(types),
		pq.Int64Array(subjects), pq.StringArray(details))
	if err != nil {
		return fmt.Errorf("audit: record %d events: %w", n, err)
	}
	return nil
}

// RecordSystem appends an event Agora did by itself (retention, promotion).
func RecordSystem(ctx context.Context, q sqlx.ExecerContext, e Event) error {
	return insert(ctx, q, "system", nil, e)
}

func insert(ctx context.Context, q sqlx.ExecerContext, actor string, userID *int64, e Event) error {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit: details: %w", err)
	}
	_, err = q.ExecContext(ctx, `
		INSERT INTO audit_log (actor, user_id, action, meeting_id, state_code, subject_type, subject_id, details)
		VALUES ($1, $2, $3, nullif($4, 0), nullif($5, ''), $6, nullif($7, 0), $8)`,
		actor, userID, e.Action, e.MeetingID, e.State, e.SubjectType, e.SubjectID, b)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// Filter selects entries: per meeting, per account (what they did), or per
// subject (e.g. one registration — a person's history).
type Filter struct {
	MeetingID   int64
	UserID      int64
	SubjectType string
	SubjectID   int64
	Limit       int
	Cursor      string
}

// Trail reads the audit trail (secretariat only), newest first.
type Trail struct {
	db *sqlx.DB
}

// NewTrail returns the reader of the trail.
func NewTrail(db *sqlx.DB) *Trail { return &Trail{db: db} }

// List returns entries matching f, newest first, and the next page's cursor.
func (t *Trail) List(ctx context.Context, a auth.Actor, f Filter) ([]Entry, string, error) {
	if a.Anonymous() {
		return nil, "", apperr.New(apperr.Unauthorized, "sign in to read the audit trail")
	}
	if !a.Is(auth.RoleSecretariat) {
		return nil, "", apperr.New(apperr.Forbidden, "only the secretariat reads the audit trail")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 500 {
		return nil, "", apperr.InvalidField("limit", "must be between 1 and 500")
	}
	before := int64(1<<63 - 1)
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", apperr.InvalidField("cursor", "is not a cursor this API returned")
		}
		before = n
	}
	entries := []Entry{}
	err := t.db.SelectContext(ctx, &entries, `
		SELECT l.id, l.at, l.actor, l.user_id, u.name AS user_name, l.action, l.meeting_id, l.state_code,
		       l.subject_type, l.subject_id, l.details
		FROM audit_log l LEFT JOIN users u ON u.id = l.user_id
		WHERE l.id < $1 AND ($2 = 0 OR l.meeting_id = $2) AND ($3 = 0 OR l.user_id = $3)
		  AND ($4 = '' OR l.subject_type = $4) AND ($5 = 0 OR l.subject_id = $5)
		ORDER BY l.id DESC LIMIT $6`, before, f.MeetingID, f.UserID, f.SubjectType, f.SubjectID, f.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("audit: list: %w", err)
	}
	next := ""
	if len(entries) > f.Limit {
		entries = entries[:f.Limit]
		next = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return entries, next, nil
}
