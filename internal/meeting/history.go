package meeting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
)

// Change is one recorded change to a meeting or its agenda. Changes are
// structured (field, before, after) so that summaries for delegates can be
// built from them later.
type Change struct {
	ID           int64           `db:"id" json:"id"`
	At           time.Time       `db:"at" json:"at"`
	By           *ChangeAuthor   `db:"-" json:"by"`
	UserID       *int64          `db:"user_id" json:"-"`
	UserName     *string         `db:"user_name" json:"-"`
	What         string          `db:"action" json:"what"`
	Field        string          `db:"field" json:"field,omitempty"`
	AgendaItemID *int64          `db:"agenda_item_id" json:"agenda_item_id,omitempty"`
	Before       json.RawMessage `db:"before" json:"before"`
	After        json.RawMessage `db:"after" json:"after"`
}

// ChangeAuthor is who made a change.
type ChangeAuthor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// The kinds of change recorded.
const (
	ChangeCreate        = "create"
	ChangeUpdate        = "update"
	ChangePublish       = "publish"
	ChangeCancel        = "cancel"
	ChangeArchive       = "archive"
	ChangeCopy          = "copy" // a new draft copied from another meeting
	ChangeAgendaAdd     = "agenda.add"
	ChangeAgendaUpdate  = "agenda.update"
	ChangeAgendaDelete  = "agenda.delete"
	ChangeAgendaReorder = "agenda.reorder"
)

type change struct {
	what   string
	field  string
	itemID *int64
	before any
	after  any
}

func record(ctx context.Context, q queryer, meetingID, by int64, changes ...change) error {
	if len(changes) > 0 {
		if err := auditChanges(ctx, q, meetingID, by, changes); err != nil {
			return err
		}
	}
	for _, c := range changes {
		before, err := jsonOrNull(c.before)
		if err != nil {
			return err
		}
		after, err := jsonOrNull(c.after)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `
			INSERT INTO meeting_changes (meeting_id, user_id, action, field, agenda_item_id, before, after)
			VALUES ($1, nullif($2, 0), $3, $4, $5, $6, $7)`,
			meetingID, by, c.what, c.field, c.itemID, before, after)
		if err != nil {
			return fmt.Errorf("meeting: record change: %w", err)
		}
	}
	return nil
}

func jsonOrNull(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("meeting: encode change: %w", err)
	}
	return b, nil
}

// diff returns one change per JSON field that differs between a and b.
func diff(what string, itemID *int64, a, b any) ([]change, error) {
	am, err := fieldsOf(a)
	if err != nil {
		return nil, err
	}
	bm, err := fieldsOf(b)
	if err != nil {
		return nil, err
	}
	var out []change
	for _, k := range orderedKeys(b) {
		if !bytes.Equal(am[k], bm[k]) {
			out = append(out, change{what: what, field: k, itemID: itemID, before: am[k], after: bm[k]})
		}
	}
	return out, nil
}

func fieldsOf(v any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("meeting: diff: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("meeting: diff: %w", err)
	}
	return m, nil
}

// orderedKeys lists the JSON names of a struct's fields in declaration
// order, so changes read in the order of the form.
func orderedKeys(v any) []string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// history lists the changes of a meeting, oldest first.
func history(ctx context.Context, q queryer, meetingID int64) ([]Change, error) {
	var cs []Change
	err := q.SelectContext(ctx, &cs, `
		SELECT c.id, c.at, c.user_id, u.name AS user_name, c.action, c.field, c.agenda_item_id, coalesce(c.before, 'null') AS before, coalesce(c.after, 'null') AS after
		FROM meeting_changes c LEFT JOIN users u ON u.id = c.user_id
		WHERE c.meeting_id = $1 ORDER BY c.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("meeting: history of %d: %w", meetingID, err)
	}
	for i := range cs {
		if cs[i].UserID != nil {
			name := ""
			if cs[i].UserName != nil {
				name = *cs[i].UserName
			}
			cs[i].By = &ChangeAuthor{ID: *cs[i].UserID, Name: name}
		}
	}
	return cs, nil
}

// auditChanges adds one entry to the audit trail for a set of changes
// made together (the history above keeps the field-level detail).
func auditChanges(ctx context.Context, q queryer, meetingID, by int64, changes []change) error {
	action := "meeting." + changes[0].what
	if strings.HasPrefix(changes[0].what, "agenda.") {
		action = changes[0].what
	}
	var fields []string
	for _, c := range changes {
		if c.field != "" {
			fields = append(fields, c.field)
		}
	}
	details := map[string]any{"fields": fields}
	if changes[0].itemID != nil {
		details["agenda_item_id"] = *changes[0].itemID
	}
	e := audit.Event{Action: action, MeetingID: meetingID, SubjectType: "meeting", SubjectID: meetingID, Details: details}
	if by == 0 {
		return audit.RecordSystem(ctx, q, e)
	}
	return audit.Record(ctx, q, auth.Actor{User: &auth.User{ID: by}}, e)
}
