// Package audit keeps the append-only trail of who did what and when, for
// every change to meetings, agendas, invitations, registrations, accounts,
// the roster and mail. Entries hold ids, never personal data.
//
// Each service that changes something records its entry itself, in the
// transaction of the change: the change and its entry are kept or lost
// together, and no caller (page, API, command line) can forget the entry.
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

// Actor is who did something, as the trail tells it: auth.Actor. It is an
// interface because the packages whose services record here include auth
// and state, which this package therefore cannot import.
type Actor interface {
	// ID is the account that acted, 0 for none.
	ID() int64
	// Via says how Agora itself acted ("cli", "worker"), "" for a person.
	Via() string
	// Is reports whether the actor has one of the roles.
	Is(roles ...string) bool
}

// readerRole is the role that reads the trail: auth.RoleSecretariat
// (which admins have too).
const readerRole = "secretariat"

// linkActor is someone acting through a secret link, without an account.
type linkActor struct{}

func (linkActor) ID() int64         { return 0 }
func (linkActor) Via() string       { return "" }
func (linkActor) Is(...string) bool { return false }

// Link marks events done through a secret link (no account).
var Link Actor = linkActor{}

// Record appends an event done by a, inside the caller's transaction: an
// account, someone through a secret link (no account), or a system actor,
// recorded as a system entry with details.via telling how ("cli").
func Record(ctx context.Context, q sqlx.ExecerContext, a Actor, e Event) error {
	r, err := RowOf(a, e)
	if err != nil {
		return err
	}
	return insert(ctx, q, r, e)
}

// Row is how an event done by an actor is written: the columns of
// audit_log that Record derives from the actor. A service whose whole
// change is one statement (a check-in at the door) writes its entry in
// that statement with these values, so that the change and its entry
// still cannot part.
type Row struct {
	Actor   string // user, link or system
	UserID  *int64
	Details []byte // e.Details as JSON, with details.via for a system actor
}

// RowOf is the row Record writes for e done by a.
func RowOf(a Actor, e Event) (Row, error) {
	r := Row{Actor: "link"}
	details := e.Details
	if via := a.Via(); via != "" {
		r.Actor = "system"
		details = map[string]any{"via": via}
		for k, v := range e.Details {
			details[k] = v
		}
	} else if id := a.ID(); id != 0 {
		r.Actor, r.UserID = "user", &id
	}
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return Row{}, fmt.Errorf("audit: details: %w", err)
	}
	r.Details = b
	return r, nil
}

// RecordAll appends events done by a, in order, in one statement: what a
// run over many states records without a round trip each.
// The actor is recorded as Record records it.
func RecordAll(ctx context.Context, q sqlx.ExecerContext, a Actor, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	n := len(events)
	actions, states, types, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	meetings, subjects := make([]int64, n), make([]int64, n)
	var r Row
	for i, e := range events {
		var err error
		if r, err = RowOf(a, e); err != nil {
			return err
		}
		actions[i], meetings[i], states[i], types[i], subjects[i], details[i] = e.Action, e.MeetingID, e.State, e.SubjectType, e.SubjectID, string(r.Details)
	}
	_, err := q.ExecContext(ctx, `
		INSERT INTO audit_log (actor, user_id, action, meeting_id, state_code, subject_type, subject_id, details)
		SELECT $1, $2, action, nullif(meeting_id, 0), nullif(state_code, ''), subject_type, nullif(subject_id, 0), details::jsonb
		FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::text[])
			WITH ORDINALITY AS u(action, meeting_id, state_code, subject_type, subject_id, details, n)
		ORDER BY n`,
		r.Actor, r.UserID, pq.StringArray(actions), pq.Int64Array(meetings), pq.StringArray(states), pq.StringArray(types),
		pq.Int64Array(subjects), pq.StringArray(details))
	if err != nil {
		return fmt.Errorf("audit: record %d events: %w", n, err)
	}
	return nil
}

// RecordSystem appends an event Agora did by itself (retention, promotion).
func RecordSystem(ctx context.Context, q sqlx.ExecerContext, e Event) error {
	b, err := json.Marshal(e.Details)
	if e.Details == nil {
		b, err = []byte("{}"), nil
	}
	if err != nil {
		return fmt.Errorf("audit: details: %w", err)
	}
	return insert(ctx, q, Row{Actor: "system", Details: b}, e)
}

func insert(ctx context.Context, q sqlx.ExecerContext, r Row, e Event) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO audit_log (actor, user_id, action, meeting_id, state_code, subject_type, subject_id, details)
		VALUES ($1, $2, $3, nullif($4, 0), nullif($5, ''), $6, nullif($7, 0), $8)`,
		r.Actor, r.UserID, e.Action, e.MeetingID, e.State, e.SubjectType, e.SubjectID, r.Details)
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
func (t *Trail) List(ctx context.Context, a Actor, f Filter) ([]Entry, string, error) {
	if a.ID() == 0 && a.Via() == "" {
		return nil, "", apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_audit"))
	}
	if !a.Is(readerRole) {
		return nil, "", apperr.New(apperr.Forbidden, apperr.M("err.audit_secretariat"))
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 500 {
		return nil, "", apperr.InvalidField("limit", apperr.M("err.between", "A", 1, "B", 500))
	}
	before := int64(1<<63 - 1)
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", apperr.InvalidField("cursor", apperr.M("err.cursor"))
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
