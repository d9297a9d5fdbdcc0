package document

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
)

// The kinds of change recorded in a meeting's history (meeting_changes),
// which the change digest reads.
const (
	ChangeCreate   = "document.create"
	ChangeUpdate   = "document.update"
	ChangePublish  = "document.publish" // a document's first file in a language
	ChangeReplace  = "document.replace" // a new version of a file
	ChangeWithdraw = "document.withdraw"
	ChangeReorder  = "document.reorder"
)

// Documents lists what r may read of the meeting's documents, in order.
// Readers below the secretariat see only documents that have a file.
func (s *Service) Documents(ctx context.Context, r Reader, meetingID int64) ([]Document, Level, error) {
	_, level, err := s.Level(ctx, r, meetingID)
	if err != nil {
		return nil, None, err
	}
	all, err := meetingDocuments(ctx, s.db, meetingID)
	if err != nil {
		return nil, None, err
	}
	if err := attachFiles(ctx, s.db, all, level == ReadAll); err != nil {
		return nil, None, err
	}
	out := make([]Document, 0, len(all))
	for _, d := range all {
		if level.allows(d.Access) && (level == ReadAll || len(d.Files) > 0) {
			out = append(out, d)
		}
	}
	return out, level, nil
}

// Document returns one document r may read; others are not found.
func (s *Service) Document(ctx context.Context, r Reader, id int64) (Document, Level, error) {
	d, err := getDocument(ctx, s.db, id, "")
	if err != nil {
		return Document{}, None, err
	}
	_, level, err := s.Level(ctx, r, d.MeetingID)
	if apperr.Is(err, apperr.NotFound) || err == nil && !level.allows(d.Access) {
		return Document{}, None, errNoDocument()
	}
	if err != nil {
		return Document{}, None, err
	}
	one := []Document{d}
	if err := attachFiles(ctx, s.db, one, level == ReadAll); err != nil {
		return Document{}, None, err
	}
	return one[0], level, nil
}

// check validates fields for a document of meeting m.
func (s *Service) check(ctx context.Context, q sqlx.QueryerContext, meetingID int64, f *Fields) error {
	f.Symbol, f.TitleEN, f.TitleFR = strings.TrimSpace(f.Symbol), strings.TrimSpace(f.TitleEN), strings.TrimSpace(f.TitleFR)
	errs := apperr.Fields{}
	s.v.Struct(f, errs)
	switch f.Access {
	case Public, Participants, Secretariat:
	default:
		errs.Add("access", apperr.M("err.doc_access"))
	}
	if f.TitleEN == "" && f.TitleFR == "" {
		errs.Add("title_en", apperr.M("err.doc_title"))
	}
	if f.AgendaItemID != nil {
		var n int
		if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM agenda_items WHERE id = $1 AND meeting_id = $2`,
			*f.AgendaItemID, meetingID); err != nil {
			return fmt.Errorf("document: agenda item: %w", err)
		}
		if n == 0 {
			errs.Add("agenda_item_id", apperr.M("err.doc_item"))
		}
	}
	return errs.Err()
}

// Create adds a document, without files yet, at the end of the meeting's list.
func (s *Service) Create(ctx context.Context, a auth.Actor, meetingID int64, f Fields) (Document, error) {
	if err := requireManager(a); err != nil {
		return Document{}, err
	}
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return Document{}, err
	}
	var d Document
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := s.check(ctx, tx, meetingID, &f); err != nil {
			return err
		}
		// Positions are given under the meeting's lock, as the agenda's are.
		if err := meeting.LockForChange(ctx, tx, meetingID); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &d, `
			INSERT INTO documents (meeting_id, agenda_item_id, symbol, title_en, title_fr, access, position, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(max(position), 0) + 1 FROM documents WHERE meeting_id = $1), nullif($7, 0))
			RETURNING `+docColumns, meetingID, f.AgendaItemID, f.Symbol, f.TitleEN, f.TitleFR, f.Access, a.ID())
		if err != nil {
			return fmt.Errorf("document: insert: %w", err)
		}
		return s.record(ctx, tx, a, d, ChangeCreate, "", nil, docJSON(d), nil)
	})
	d.Files = []File{}
	return d, err
}

// Update changes a document's fields; apply edits the current ones.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, apply func(*Fields) error) (Document, error) {
	if err := requireManager(a); err != nil {
		return Document{}, err
	}
	var d Document
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := getDocument(ctx, tx, id, " FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		f := cur.fields()
		if err := apply(&f); err != nil {
			return err
		}
		if err := s.check(ctx, tx, cur.MeetingID, &f); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &d, `
			UPDATE documents SET symbol = $2, title_en = $3, title_fr = $4, agenda_item_id = $5, access = $6, updated_at = now()
			WHERE id = $1 RETURNING `+docColumns, id, f.Symbol, f.TitleEN, f.TitleFR, f.AgendaItemID, f.Access); err != nil {
			return fmt.Errorf("document: update: %w", err)
		}
		var fields []string
		before, after := cur.fields(), d.fields()
		if before.Access != after.Access {
			// The digest reads this one: a document opened to participants is news.
			if err := s.change(ctx, tx, a, d, ChangeUpdate, "access", before.Access, after.Access); err != nil {
				return err
			}
		}
		for name, changed := range map[string]bool{"symbol": before.Symbol != after.Symbol, "title_en": before.TitleEN != after.TitleEN,
			"title_fr": before.TitleFR != after.TitleFR, "access": before.Access != after.Access,
			"agenda_item_id": !equalID(before.AgendaItemID, after.AgendaItemID)} {
			if changed {
				fields = append(fields, name)
			}
		}
		slices.Sort(fields)
		return audit.Record(ctx, tx, a, audit.Event{Action: ChangeUpdate, MeetingID: d.MeetingID, SubjectType: "document",
			SubjectID: d.ID, Details: map[string]any{"fields": fields}})
	})
	if err != nil {
		return Document{}, err
	}
	one := []Document{d}
	err = attachFiles(ctx, s.db, one, true)
	return one[0], err
}

// Withdraw takes a document away from every reader. Its files are kept,
// for the record.
func (s *Service) Withdraw(ctx context.Context, a auth.Actor, id int64) error {
	if err := requireManager(a); err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		d, err := getDocument(ctx, tx, id, " FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET withdrawn_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("document: withdraw: %w", err)
		}
		return s.record(ctx, tx, a, d, ChangeWithdraw, "", docJSON(d), nil, nil)
	})
}

// Reorder sets the order of the meeting's documents: ids lists every one
// of them, each once.
func (s *Service) Reorder(ctx context.Context, a auth.Actor, meetingID int64, ids []int64) ([]Document, error) {
	if err := requireManager(a); err != nil {
		return nil, err
	}
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return nil, err
	}
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := meeting.LockForChange(ctx, tx, meetingID); err != nil {
			return err
		}
		cur, err := meetingDocuments(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		have := make([]int64, len(cur))
		for i, d := range cur {
			have[i] = d.ID
		}
		want := slices.Clone(ids)
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			return apperr.InvalidField("ids", apperr.M("err.doc_order"))
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE documents d SET position = o.n, updated_at = now()
			FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, n) WHERE d.id = o.id AND d.position <> o.n`, pq.Array(ids)); err != nil {
			return fmt.Errorf("document: reorder: %w", err)
		}
		return s.record(ctx, tx, a, Document{MeetingID: meetingID}, ChangeReorder, "", nil, ids, map[string]any{"ids": ids})
	})
	if err != nil {
		return nil, err
	}
	ds, _, err := s.Documents(ctx, Reader{Actor: a}, meetingID)
	return ds, err
}

// record writes a change of a document to the meeting's history and to
// the audit trail, in tx.
func (s *Service) record(ctx context.Context, tx *sqlx.Tx, a auth.Actor, d Document, what, field string, before, after any, details map[string]any) error {
	if err := s.change(ctx, tx, a, d, what, field, before, after); err != nil {
		return err
	}
	e := audit.Event{Action: what, MeetingID: d.MeetingID, SubjectType: "document", SubjectID: d.ID, Details: details}
	if d.ID == 0 {
		e.SubjectType, e.SubjectID = "meeting", d.MeetingID
	}
	return audit.Record(ctx, tx, a, e)
}

// change writes one line of the meeting's history. Its time is the
// clock's, not the transaction's start: an upload's transaction lasts as
// long as the upload, and the digest waits for a quiet meeting by it.
func (s *Service) change(ctx context.Context, tx *sqlx.Tx, a auth.Actor, d Document, what, field string, before, after any) error {
	b, err := jsonOrNull(before)
	if err != nil {
		return err
	}
	af, err := jsonOrNull(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO meeting_changes (meeting_id, at, user_id, action, field, before, after)
		VALUES ($1, clock_timestamp(), nullif($2, 0), $3, $4, $5, $6)`, d.MeetingID, a.ID(), what, field, b, af)
	if err != nil {
		return fmt.Errorf("document: record change: %w", err)
	}
	return nil
}

// docJSON is a document as its history lines hold it.
func docJSON(d Document) map[string]any {
	return map[string]any{"document_id": d.ID, "symbol": d.Symbol, "title_en": d.TitleEN, "title_fr": d.TitleFR, "access": d.Access}
}

func jsonOrNull(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("document: encode change: %w", err)
	}
	return b, nil
}

func equalID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
