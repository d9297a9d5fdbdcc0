package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// speakerMatch tells the person's speaker entries: linked to one of their
// registrations, or unlinked and bearing exactly one of their names. An
// entry linked to someone else's registration is someone else, whatever
// its name.
type speakerMatch struct {
	regIDs map[int64]bool
	names  map[string]bool
}

func newSpeakerMatch(regIDs []int64, names []string) speakerMatch {
	m := speakerMatch{regIDs: map[int64]bool{}, names: map[string]bool{}}
	for _, id := range regIDs {
		m.regIDs[id] = true
	}
	for _, n := range names {
		m.names[n] = true
	}
	return m
}

// matches reports whether a JSON object is a speaker entry of the person.
// Speakers look like {"name", "function", "registration_id"}.
func (m speakerMatch) matches(obj map[string]any) bool {
	name, ok := obj["name"].(string)
	reg, hasReg := obj["registration_id"]
	if !ok || !hasReg {
		return false
	}
	if reg == nil {
		return m.names[name]
	}
	num, ok := reg.(json.Number)
	if !ok {
		return false
	}
	id, err := num.Int64()
	return err == nil && m.regIDs[id]
}

// rewrite anonymises the person's speaker entries wherever they sit in a
// JSON document (an agenda's speaker list, or the before and after of a
// recorded agenda change) and returns the new document and how many
// entries changed; the document is returned unchanged when none did.
func (m speakerMatch) rewrite(doc []byte) ([]byte, int, error) {
	if len(doc) == 0 {
		return doc, 0, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // ids and numbers come back exactly as they were
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, 0, err
	}
	n := m.walk(v)
	if n == 0 {
		return doc, 0, nil
	}
	out, err := json.Marshal(v)
	return out, n, err
}

func (m speakerMatch) walk(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if _, isStr := x["name"].(string); isStr && m.matches(x) {
			x["name"] = anonymisedSpeaker
			if _, ok := x["function"]; ok {
				x["function"] = ""
			}
			n++
		}
		for _, child := range x {
			n += m.walk(child)
		}
	case []any:
		for _, child := range x {
			n += m.walk(child)
		}
	}
	return n
}

// eraseSpeakers anonymises the person's speaker entries in the agendas of
// the meetings they were registered for, and in the recorded changes of
// those agendas. Agenda items keep their updated_at, and no change is
// recorded: this is not an edit delegates should be told about.
func eraseSpeakers(ctx context.Context, tx *sqlx.Tx, meetingIDs, regIDs []int64, names []string) (speakers, history int, err error) {
	if len(meetingIDs) == 0 {
		return 0, 0, nil
	}
	match := newSpeakerMatch(regIDs, names)
	var items []struct {
		ID       int64  `db:"id"`
		Speakers []byte `db:"speakers"`
	}
	err = tx.SelectContext(ctx, &items, `
		SELECT id, speakers FROM agenda_items WHERE meeting_id = ANY($1) AND speakers <> '[]' ORDER BY id FOR UPDATE`,
		pq.Array(meetingIDs))
	if err != nil {
		return 0, 0, fmt.Errorf("privacy: agenda speakers: %w", err)
	}
	for _, it := range items {
		out, n, err := match.rewrite(it.Speakers)
		if err != nil {
			return 0, 0, fmt.Errorf("privacy: speakers of agenda item %d: %w", it.ID, err)
		}
		if n == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET speakers = $2 WHERE id = $1`, it.ID, string(out)); err != nil {
			return 0, 0, fmt.Errorf("privacy: anonymise speakers of agenda item %d: %w", it.ID, err)
		}
		speakers += n
	}
	history, err = eraseSpeakerHistory(ctx, tx, meetingIDs, match)
	return speakers, history, err
}

// eraseSpeakerHistory rewrites the recorded agenda changes that name the
// person: the record of the change stays, with the name pseudonymised.
func eraseSpeakerHistory(ctx context.Context, tx *sqlx.Tx, meetingIDs []int64, match speakerMatch) (int, error) {
	var changes []struct {
		ID     int64  `db:"id"`
		Before []byte `db:"before"`
		After  []byte `db:"after"`
	}
	err := tx.SelectContext(ctx, &changes, `
		SELECT id, before, after FROM meeting_changes
		WHERE meeting_id = ANY($1) AND (before IS NOT NULL OR after IS NOT NULL) ORDER BY id FOR UPDATE`, pq.Array(meetingIDs))
	if err != nil {
		return 0, fmt.Errorf("privacy: agenda history: %w", err)
	}
	rewritten := 0
	for _, c := range changes {
		before, nb, err := match.rewrite(c.Before)
		if err != nil {
			return 0, fmt.Errorf("privacy: agenda change %d: %w", c.ID, err)
		}
		after, na, err := match.rewrite(c.After)
		if err != nil {
			return 0, fmt.Errorf("privacy: agenda change %d: %w", c.ID, err)
		}
		if nb+na == 0 {
			continue
		}
		_, err = tx.ExecContext(ctx, `UPDATE meeting_changes SET before = $2, after = $3 WHERE id = $1`,
			c.ID, nullJSON(before), nullJSON(after))
		if err != nil {
			return 0, fmt.Errorf("privacy: rewrite agenda change %d: %w", c.ID, err)
		}
		rewritten++
	}
	return rewritten, nil
}

// nullJSON keeps a NULL before or after NULL.
func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
