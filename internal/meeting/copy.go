package meeting

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/postgres"
)

// Copy makes a new draft out of a meeting (next year's plenary out of
// this year's): its settings, its audience and its agenda, but none of its
// people — no registrations, invitations or emails, and speakers keep
// their names and functions without their links to this meeting's
// registrations. The copy starts at startsAt; every other time (the end,
// the registration window, the agenda's times) moves by as much as the
// start, so the meeting keeps its shape.
func (s *Service) Copy(ctx context.Context, a auth.Actor, id int64, startsAt time.Time) (Meeting, error) {
	if err := s.requireManager(a); err != nil {
		return Meeting{}, err
	}
	if startsAt.IsZero() {
		return Meeting{}, apperr.InvalidField("starts_at", apperr.M("err.required"))
	}
	var m Meeting
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		src, err := getMeeting(ctx, tx, id, noLock)
		if err != nil {
			return err
		}
		items, err := agendaItems(ctx, tx, id)
		if err != nil {
			return err
		}
		shift := startsAt.Sub(src.StartsAt)
		f := src.Fields.clone()
		f.StartsAt = startsAt
		for _, t := range []*time.Time{&f.EndsAt, f.RegistrationOpensAt, f.RegistrationClosesAt} {
			if t != nil {
				*t = t.Add(shift)
			}
		}
		f.normalize()
		if err := s.check(ctx, tx, f); err != nil {
			return err
		}
		newID, err := insertMeeting(ctx, tx, f, a.ID())
		if err != nil {
			return err
		}
		if err := setInvitedStates(ctx, tx, newID, f.InvitedStates); err != nil {
			return err
		}
		if err := setInvitedOrganisations(ctx, tx, newID, f.InvitedOrganisations); err != nil {
			return err
		}
		if err := copyItems(ctx, tx, newID, items, shift); err != nil {
			return err
		}
		if err := record(ctx, tx, newID, a.ID(), change{what: ChangeCopy, after: map[string]int64{"from": id}}); err != nil {
			return err
		}
		m, err = getMeeting(ctx, tx, newID, noLock)
		return err
	})
	return m, err
}

// copyItems adds items (in display order: each parent before its
// children) to the meeting newID, their times moved by shift.
func copyItems(ctx context.Context, q queryer, newID int64, items []Item, shift time.Duration) error {
	newIDs := map[int64]int64{}
	for _, it := range items {
		f := it.ItemFields.clone()
		if f.ParentID != nil {
			parent, ok := newIDs[*f.ParentID]
			if !ok {
				return fmt.Errorf("meeting: copy item %d: parent %d not copied first", it.ID, *f.ParentID)
			}
			f.ParentID = &parent
		}
		for _, t := range []*time.Time{f.StartsAt, f.EndsAt} {
			if t != nil {
				*t = t.Add(shift).UTC()
			}
		}
		for i := range f.Speakers {
			// A link names a registration of the meeting copied from:
			// nobody is registered for the copy yet.
			f.Speakers[i].RegistrationID = nil
		}
		var id int64
		err := q.GetContext(ctx, &id, `
			INSERT INTO agenda_items (meeting_id, parent_id, position, title_en, title_fr, notes_en, notes_fr, starts_at, ends_at, speakers)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			newID, f.ParentID, f.Position, f.TitleEN, f.TitleFR, f.NotesEN, f.NotesFR, f.StartsAt, f.EndsAt, f.Speakers)
		if err != nil {
			return fmt.Errorf("meeting: copy item %d: %w", it.ID, err)
		}
		newIDs[it.ID] = id
	}
	return nil
}

// Delete removes a draft with its agenda. A meeting once published has
// been seen (invitations, registrations, calendars): it is cancelled or
// archived, never deleted.
func (s *Service) Delete(ctx context.Context, a auth.Actor, id int64) error {
	if err := s.requireManager(a); err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := getMeeting(ctx, tx, id, forEdit)
		if err != nil {
			return err
		}
		if cur.Status != StatusDraft {
			return apperr.New(apperr.Conflict, apperr.M("err.delete_meeting", "Status", cur.Status))
		}
		// The agenda, invited states and history go with the row (ON
		// DELETE CASCADE); the audit trail keeps the entry below.
		if _, err := tx.ExecContext(ctx, `DELETE FROM meetings WHERE id = $1`, id); err != nil {
			return fmt.Errorf("meeting: delete %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "meeting.delete", MeetingID: id,
			SubjectType: "meeting", SubjectID: id})
	})
}
