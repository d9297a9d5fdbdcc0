package digest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/meeting"
)

// dueMeetings lists the meetings, oldest news first, that have changes not
// yet looked at and none newer than quiet.
func dueMeetings(ctx context.Context, db *sqlx.DB, quiet time.Duration, limit int) ([]int64, error) {
	var ids []int64
	err := db.SelectContext(ctx, &ids, `
		SELECT meeting_id FROM meeting_changes
		WHERE notified_at IS NULL
		GROUP BY meeting_id
		HAVING max(at) <= now() - make_interval(secs => $1)
		ORDER BY min(id)
		LIMIT $2`, quiet.Seconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("digest: meetings with news: %w", err)
	}
	return ids, nil
}

// lockedMeeting is a meeting read under lock, with what the digest needs
// to decide beyond the meeting itself.
type lockedMeeting struct {
	meeting.Meeting
	Lifecycle string    `db:"lifecycle"`
	Ended     bool      `db:"ended"`
	Now       time.Time `db:"now"` // the database's clock, which stamped the changes
}

// told reports whether delegates hear of this meeting's changes: it is
// published and has not ended. Drafts have no delegates yet; a cancelled
// meeting has its own email.
func (m lockedMeeting) told() bool { return m.Lifecycle == "published" && !m.Ended }

// lockMeeting reads a meeting and locks its row until tx ends; ok is false
// when another transaction holds it (another notifier, or an edit under
// way: its changes are then not committed yet) or it is gone.
//
// FOR NO KEY UPDATE excludes the meeting service (which edits under FOR
// NO KEY UPDATE too) and other notifiers as well as FOR UPDATE would, without
// stalling registrations and emails, whose foreign keys only take KEY
// SHARE on the meeting.
func lockMeeting(ctx context.Context, tx *sqlx.Tx, id int64) (m lockedMeeting, ok bool, err error) {
	err = tx.GetContext(ctx, &m, `
		SELECT m.id, m.kind, m.title_en, m.title_fr, m.description_en, m.description_fr,
			m.starts_at, m.ends_at, m.timezone, m.format, m.venue_en, m.venue_fr, m.venue_en AS venue, m.online_url,
			m.languages, m.registration_opens_at, m.registration_closes_at, m.seats_per_state, m.funded_seats_per_state,
			m.capacity, m.audience, m.requires_approval, m.public, m.cancel_reason, m.cancel_reason_fr, m.sequence,
			m.created_at, m.updated_at, m.lifecycle, now() >= m.ends_at AS ended, now() AS now
		FROM meetings m WHERE m.id = $1
		FOR NO KEY UPDATE SKIP LOCKED`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return lockedMeeting{}, false, nil
	}
	if err != nil {
		return lockedMeeting{}, false, fmt.Errorf("lock meeting: %w", err)
	}
	m.Status = m.Lifecycle
	return m, true, nil
}

// pendingChanges lists the changes of a meeting not yet looked at, oldest first.
func pendingChanges(ctx context.Context, tx *sqlx.Tx, meetingID int64) ([]meeting.Change, error) {
	var cs []meeting.Change
	err := tx.SelectContext(ctx, &cs, `
		SELECT id, at, action, field, agenda_item_id, coalesce(before, 'null') AS before, coalesce(after, 'null') AS after
		FROM meeting_changes WHERE meeting_id = $1 AND notified_at IS NULL ORDER BY id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("pending changes: %w", err)
	}
	return cs, nil
}

// lastPublication returns the id of the change that published the
// meeting (0 if none): what came before it was the draft's.
func lastPublication(ctx context.Context, tx *sqlx.Tx, meetingID int64) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `
		SELECT coalesce(max(id), 0) FROM meeting_changes WHERE meeting_id = $1 AND action = $2`,
		meetingID, meeting.ChangePublish)
	if err != nil {
		return 0, fmt.Errorf("publication: %w", err)
	}
	return id, nil
}

// markNotified marks the changes up to upTo as looked at.
func markNotified(ctx context.Context, tx *sqlx.Tx, meetingID, upTo int64) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE meeting_changes SET notified_at = now()
		WHERE meeting_id = $1 AND notified_at IS NULL AND id <= $2`, meetingID, upTo)
	if err != nil {
		return fmt.Errorf("mark changes notified: %w", err)
	}
	return nil
}

// recipient is a confirmed delegate.
type recipient struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	Email    string `db:"email"`
	Language string `db:"language"`
	Nonce    []byte `db:"manage_nonce"`
}

func confirmedDelegates(ctx context.Context, tx *sqlx.Tx, meetingID int64) ([]recipient, error) {
	var rs []recipient
	err := tx.SelectContext(ctx, &rs, `
		SELECT id, first_name || ' ' || last_name AS name, email, language, manage_nonce
		FROM registrations WHERE meeting_id = $1 AND status = 'confirmed' ORDER BY id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("confirmed delegates: %w", err)
	}
	return rs, nil
}

// agendaNow returns the meeting's agenda as it stands, by item id, each
// with its display number ("2.1"), numbered as the meeting pages number it.
func agendaNow(ctx context.Context, tx *sqlx.Tx, meetingID int64) (map[int64]meeting.Item, error) {
	var items []meeting.Item
	err := tx.SelectContext(ctx, &items, `
		SELECT id, meeting_id, parent_id, position, title_en, title_fr, notes_en, notes_fr, starts_at, ends_at, speakers
		FROM agenda_items WHERE meeting_id = $1`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("agenda: %w", err)
	}
	return numbered(items), nil
}

// numbered numbers items: top-level items by position (then id) 1, 2, 3 …,
// sub-items 2.1, 2.2 … under their parent.
func numbered(items []meeting.Item) map[int64]meeting.Item {
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Position != items[j].Position {
			return items[i].Position < items[j].Position
		}
		return items[i].ID < items[j].ID
	})
	out := make(map[int64]meeting.Item, len(items))
	top := 0
	for _, it := range items {
		if it.ParentID == nil {
			top++
			it.Number = strconv.Itoa(top)
			out[it.ID] = it
		}
	}
	kids := map[int64]int{}
	for _, it := range items {
		if it.ParentID == nil {
			continue
		}
		parent, ok := out[*it.ParentID]
		if !ok {
			continue
		}
		kids[parent.ID]++
		it.Number = fmt.Sprintf("%s.%d", parent.Number, kids[parent.ID])
		out[it.ID] = it
	}
	return out
}
