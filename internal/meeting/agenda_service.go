package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/postgres"
)

const itemColumns = `id, meeting_id, parent_id, position, title_en, title_fr, notes_en, notes_fr, starts_at, ends_at, speakers`

func agendaItems(ctx context.Context, q queryer, meetingID int64) ([]Item, error) {
	var items []Item
	if err := q.SelectContext(ctx, &items, `SELECT `+itemColumns+` FROM agenda_items WHERE meeting_id = $1`, meetingID); err != nil {
		return nil, fmt.Errorf("meeting: agenda of %d: %w", meetingID, err)
	}
	return displayOrder(items), nil
}

// Agenda returns a meeting's agenda in display order, numbered.
func (s *Service) Agenda(ctx context.Context, a auth.Actor, meetingID int64) ([]Item, error) {
	if _, err := s.Meeting(ctx, a, meetingID); err != nil {
		return nil, err
	}
	return agendaItems(ctx, s.db, meetingID)
}

// AgendaOf returns the agenda of a meeting the caller has already read
// (and so was allowed to see), saving a second read of the meeting.
func (s *Service) AgendaOf(ctx context.Context, m Meeting) ([]Item, error) {
	return agendaItems(ctx, s.db, m.ID)
}

// editAgenda runs fn with the meeting locked: agenda edits of one meeting
// happen one at a time, so positions never collide.
func (s *Service) editAgenda(ctx context.Context, a auth.Actor, meetingID int64,
	fn func(tx *sqlx.Tx, m Meeting, items []Item) error) error {
	if err := s.requireManager(a); err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		m, err := getMeeting(ctx, tx, meetingID, forEdit)
		if err != nil {
			return err
		}
		if !m.Editable() {
			return apperr.New(apperr.Conflict, apperr.M("err.edit_agenda", "Status", m.Status))
		}
		items, err := agendaItems(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		return fn(tx, m, items)
	})
}

// checkItemFields checks an item's fields against the agenda, and the
// speakers linked to a registration that the item did not link before
// (linked is what it linked; nil for a new item) against the meeting.
func (s *Service) checkItemFields(ctx context.Context, tx *sqlx.Tx, m Meeting, items []Item, id int64, f ItemFields, linked Speakers) error {
	errs := apperr.Fields{}
	s.v.Struct(f, errs)
	checkItem(m, items, id, f, errs)
	if err := checkSpeakerLinks(ctx, tx, m.ID, f.Speakers, linked, errs); err != nil {
		return err
	}
	return errs.Err()
}

// checkSpeakerLinks refuses a speaker linked to a registration that is not
// one of the meeting's: the link says who the speaker is (erasing that
// person's data rewrites the entry), so a link to a registration of another
// meeting would tie the agenda to a stranger. Links the item already had
// are left alone, so an item whose linked registration was since erased
// stays editable.
func checkSpeakerLinks(ctx context.Context, tx *sqlx.Tx, meetingID int64, speakers, linked Speakers, errs apperr.Fields) error {
	had := map[int64]bool{}
	for _, sp := range linked {
		if sp.RegistrationID != nil {
			had[*sp.RegistrationID] = true
		}
	}
	var ids []int64
	for _, sp := range speakers {
		if sp.RegistrationID != nil && !had[*sp.RegistrationID] {
			ids = append(ids, *sp.RegistrationID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var known []int64
	if err := tx.SelectContext(ctx, &known, `SELECT id FROM registrations WHERE meeting_id = $1 AND id = ANY($2)`,
		meetingID, pq.Array(ids)); err != nil {
		return fmt.Errorf("meeting: check speakers' registrations: %w", err)
	}
	for i, sp := range speakers {
		if sp.RegistrationID != nil && !had[*sp.RegistrationID] && !slices.Contains(known, *sp.RegistrationID) {
			errs.Add(fmt.Sprintf("speakers[%d].registration_id", i), apperr.M("err.not_registration_of_meeting"))
		}
	}
	return nil
}

// AddItem adds an item to a meeting's agenda, last among its siblings
// unless a position is given.
func (s *Service) AddItem(ctx context.Context, a auth.Actor, meetingID int64, f ItemFields) (Item, error) {
	f.normalize()
	var it Item
	err := s.editAgenda(ctx, a, meetingID, func(tx *sqlx.Tx, m Meeting, items []Item) error {
		if err := s.checkItemFields(ctx, tx, m, items, 0, f, nil); err != nil {
			return err
		}
		sibs := siblingIDs(items, f.ParentID, 0)
		if f.Position > len(sibs)+1 {
			return apperr.InvalidField("position", apperr.M("err.between", "A", 1, "B", len(sibs)+1))
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO agenda_items (meeting_id, parent_id, position, title_en, title_fr, notes_en, notes_fr, starts_at, ends_at, speakers)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			meetingID, f.ParentID, len(sibs)+1, f.TitleEN, f.TitleFR, f.NotesEN, f.NotesFR, f.StartsAt, f.EndsAt, f.Speakers)
		if err != nil {
			return fmt.Errorf("meeting: add agenda item: %w", err)
		}
		if err := setPositions(ctx, tx, insertAt(sibs, id, f.Position)); err != nil {
			return err
		}
		f.Position = 0
		if err := record(ctx, tx, meetingID, a.ID(), change{what: ChangeAgendaAdd, itemID: &id, after: f}); err != nil {
			return err
		}
		it, err = itemIn(ctx, tx, meetingID, id)
		return err
	})
	return it, err
}

// UpdateItem changes an agenda item; apply edits the current fields. A new
// parent or position moves the item.
func (s *Service) UpdateItem(ctx context.Context, a auth.Actor, itemID int64, apply func(*ItemFields) error) (Item, error) {
	meetingID, err := s.itemMeeting(ctx, itemID)
	if err != nil {
		return Item{}, err
	}
	var it Item
	err = s.editAgenda(ctx, a, meetingID, func(tx *sqlx.Tx, m Meeting, items []Item) error {
		cur, ok := find(items, itemID)
		if !ok {
			return apperr.New(apperr.NotFound, apperr.M("err.no_agenda_item"))
		}
		next := cur.ItemFields.clone() // see Update
		if err := apply(&next); err != nil {
			return err
		}
		next.normalize()
		if err := s.checkItemFields(ctx, tx, m, items, itemID, next, cur.Speakers); err != nil {
			return err
		}
		moved := !sameParent(cur.ParentID, next.ParentID) || next.Position != cur.Position
		if moved {
			sibs := siblingIDs(items, next.ParentID, itemID)
			if !sameParent(cur.ParentID, next.ParentID) && next.Position == cur.Position && next.Position > len(sibs)+1 {
				next.Position = 0 // a new parent and no position asked for that fits: last among the new siblings
			}
			if next.Position > len(sibs)+1 {
				return apperr.InvalidField("position", apperr.M("err.between", "A", 1, "B", len(sibs)+1))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET parent_id = $2 WHERE id = $1`, itemID, next.ParentID); err != nil {
				return fmt.Errorf("meeting: move agenda item: %w", err)
			}
			if err := setPositions(ctx, tx, siblingIDs(items, cur.ParentID, itemID)); err != nil {
				return err
			}
			if err := setPositions(ctx, tx, insertAt(sibs, itemID, next.Position)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE agenda_items SET title_en = $2, title_fr = $3, notes_en = $4, notes_fr = $5,
				starts_at = $6, ends_at = $7, speakers = $8, updated_at = now()
			WHERE id = $1`, itemID, next.TitleEN, next.TitleFR, next.NotesEN, next.NotesFR, next.StartsAt, next.EndsAt, next.Speakers)
		if err != nil {
			return fmt.Errorf("meeting: update agenda item: %w", err)
		}
		if it, err = itemIn(ctx, tx, meetingID, itemID); err != nil {
			return err
		}
		changes, err := diff(ChangeAgendaUpdate, &itemID, cur.ItemFields, it.ItemFields)
		if err != nil {
			return err
		}
		return record(ctx, tx, meetingID, a.ID(), changes...)
	})
	return it, err
}

// DeleteItem removes an agenda item and its sub-items.
func (s *Service) DeleteItem(ctx context.Context, a auth.Actor, itemID int64) error {
	meetingID, err := s.itemMeeting(ctx, itemID)
	if err != nil {
		return err
	}
	return s.editAgenda(ctx, a, meetingID, func(tx *sqlx.Tx, m Meeting, items []Item) error {
		cur, ok := find(items, itemID)
		if !ok {
			return apperr.New(apperr.NotFound, apperr.M("err.no_agenda_item"))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agenda_items WHERE id = $1`, itemID); err != nil {
			return fmt.Errorf("meeting: delete agenda item: %w", err)
		}
		if err := setPositions(ctx, tx, siblingIDs(items, cur.ParentID, itemID)); err != nil {
			return err
		}
		return record(ctx, tx, meetingID, a.ID(), change{what: ChangeAgendaDelete, itemID: &itemID, before: cur})
	})
}

// Reorder sets the order of the whole agenda at once: ids names every item
// in the new display order. Sub-items keep their parent and take the order
// in which they are listed among their siblings.
func (s *Service) Reorder(ctx context.Context, a auth.Actor, meetingID int64, ids []int64) ([]Item, error) {
	var out []Item
	err := s.editAgenda(ctx, a, meetingID, func(tx *sqlx.Tx, m Meeting, items []Item) error {
		if msg := samePermutation(items, ids); msg.Key != "" {
			return apperr.InvalidField("ids", msg)
		}
		before := make([]int64, len(items))
		for i, it := range items {
			before[i] = it.ID
		}
		groups := map[int64][]int64{} // parent id (0: top level) → children in the new order
		for _, id := range ids {
			it, _ := find(items, id)
			var p int64
			if it.ParentID != nil {
				p = *it.ParentID
			}
			groups[p] = append(groups[p], id)
		}
		for _, g := range groups {
			if err := setPositions(ctx, tx, g); err != nil {
				return err
			}
		}
		var err error
		if out, err = agendaItems(ctx, tx, meetingID); err != nil {
			return err
		}
		after := make([]int64, len(out))
		for i, it := range out {
			after[i] = it.ID
		}
		return record(ctx, tx, meetingID, a.ID(), change{what: ChangeAgendaReorder, field: "order", before: before, after: after})
	})
	return out, err
}

func samePermutation(items []Item, ids []int64) apperr.Msg {
	if len(ids) != len(items) {
		return apperr.M("err.agenda_every", "Items", len(items), "Given", len(ids))
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if _, ok := find(items, id); !ok {
			return apperr.M("err.agenda_item_unknown", "ID", id)
		}
		if seen[id] {
			return apperr.M("err.agenda_item_twice", "ID", id)
		}
		seen[id] = true
	}
	return apperr.Msg{}
}

// setPositions numbers the given sibling ids 1, 2, 3 … in order.
func setPositions(ctx context.Context, tx *sqlx.Tx, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE agenda_items SET position = $2 WHERE id = $1 AND position <> $2`, id, i+1); err != nil {
			return fmt.Errorf("meeting: set position: %w", err)
		}
	}
	return nil
}

func itemIn(ctx context.Context, q queryer, meetingID, id int64) (Item, error) {
	items, err := agendaItems(ctx, q, meetingID)
	if err != nil {
		return Item{}, err
	}
	it, ok := find(items, id)
	if !ok {
		return Item{}, apperr.New(apperr.NotFound, apperr.M("err.no_agenda_item"))
	}
	return it, nil
}

func (s *Service) itemMeeting(ctx context.Context, itemID int64) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT meeting_id FROM agenda_items WHERE id = $1`, itemID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, apperr.M("err.no_agenda_item"))
	}
	if err != nil {
		return 0, fmt.Errorf("meeting: agenda item %d: %w", itemID, err)
	}
	return id, nil
}
