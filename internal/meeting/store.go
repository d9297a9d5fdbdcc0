package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
)

// statusExpr derives the status shown from the stored lifecycle and the
// dates. Registration opens at registration_opens_at (or at publication)
// and closes at registration_closes_at (or when the meeting starts). The
// clock is the statement's, not the transaction's (now()): a registration
// checks the status after waiting for the meeting's lock, and must not
// find registration still open as it was when its transaction began.
const statusExpr = `CASE
	WHEN m.lifecycle <> 'published' THEN m.lifecycle
	WHEN statement_timestamp() >= m.ends_at THEN 'held'
	WHEN statement_timestamp() >= coalesce(m.registration_closes_at, m.starts_at) THEN 'registration_closed'
	WHEN m.registration_opens_at IS NULL OR statement_timestamp() >= m.registration_opens_at THEN 'registration_open'
	ELSE 'published' END`

const meetingColumns = `m.id, m.kind, m.title_en, m.title_fr, m.description_en, m.description_fr,
	m.starts_at, m.ends_at, m.timezone, m.format, m.venue_en, m.venue_fr, m.venue_en AS venue, m.online_url,
	m.languages, m.registration_opens_at, m.registration_closes_at, m.seats_per_state, m.funded_seats_per_state,
	m.capacity, m.audience, m.requires_approval, m.public, m.cancel_reason, m.cancel_reason_fr, m.sequence,
	m.created_at, m.updated_at, m.in_person_capacity, m.reminder_focal_points_days, m.reminder_participants_days,
	` + statusExpr + ` AS status,
	ARRAY(SELECT s.state_code FROM meeting_states s WHERE s.meeting_id = m.id ORDER BY s.state_code) AS invited_states,
	ARRAY(SELECT o.organisation_code FROM meeting_organisations o WHERE o.meeting_id = m.id ORDER BY o.organisation_code) AS invited_organisations,
	m.seats_per_organisation, m.funded_seats_per_organisation, m.quotas, m.funding_decision`

type queryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// Locks that getMeeting takes, held until the transaction ends.
const (
	noLock = ""
	// forEdit takes the meeting's lock exclusively (lockMeeting), then
	// the row FOR NO KEY UPDATE: it excludes other edits as FOR UPDATE
	// would, without blocking the KEY SHARE that the foreign keys of
	// emails and registrations take.
	forEdit = " FOR NO KEY UPDATE"
)

// getMeeting reads one meeting, taking the lock given (noLock or forEdit).
func getMeeting(ctx context.Context, q queryer, id int64, lock string) (Meeting, error) {
	if lock == forEdit {
		if err := lockMeeting(ctx, q, id, false); err != nil {
			return Meeting{}, err
		}
	}
	query := `SELECT ` + meetingColumns + ` FROM meetings m WHERE m.id = $1` + lock
	var m Meeting
	err := q.GetContext(ctx, &m, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, apperr.New(apperr.NotFound, apperr.M("err.no_meeting"))
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("meeting: get %d: %w", id, err)
	}
	return m, nil
}

// lockMeeting takes the meeting's lock until the transaction ends: seat
// decisions (registrations) hold it shared while they check the meeting
// and write (Service.LockForSeats), edits and lifecycle changes hold it
// exclusively (forEdit). So a registration never goes through on a
// meeting cancelled, archived, closed early or given a capacity while it
// was under way, and an edit that adds seats sees every registration made
// before it.
//
// It is a transaction-scoped advisory lock, keyed (id, -1): registration
// quotas use (id, 0) and (id, hashtext(state)), and no two-letter code
// hashes to 0 or -1 (registration's TestLockKeysStayApart). It is not a
// share lock on the row (FOR SHARE), which would do the same on paper: a
// new row share lock does not queue behind an edit waiting for the row,
// so a steady stream of registrations would hold off a cancellation for
// as long as it lasts, and a row shared by many registrations is a
// multixact that each new one copies and rewrites. A heavyweight lock
// queues fairly: registrations that come after a waiting edit wait
// behind it.
func lockMeeting(ctx context.Context, q queryer, id int64, shared bool) error {
	fn := "pg_advisory_xact_lock"
	if shared {
		fn = "pg_advisory_xact_lock_shared"
	}
	if _, err := q.ExecContext(ctx, `SELECT `+fn+`($1::int, -1)`, id); err != nil {
		return fmt.Errorf("meeting: lock %d: %w", id, err)
	}
	return nil
}

func setInvitedStates(ctx context.Context, q queryer, id int64, codes []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM meeting_states WHERE meeting_id = $1`, id); err != nil {
		return fmt.Errorf("meeting: clear invited states: %w", err)
	}
	if len(codes) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `
		INSERT INTO meeting_states (meeting_id, state_code) SELECT $1, unnest($2::text[])`, id, pq.Array(codes))
	if err != nil {
		return fmt.Errorf("meeting: set invited states: %w", err)
	}
	return nil
}

func insertMeeting(ctx context.Context, q queryer, f Fields, by int64) (int64, error) {
	var id int64
	err := q.GetContext(ctx, &id, `
		INSERT INTO meetings (kind, title_en, title_fr, description_en, description_fr, starts_at, ends_at,
			timezone, format, venue_en, online_url, languages, registration_opens_at, registration_closes_at,
			seats_per_state, funded_seats_per_state, capacity, audience, requires_approval, public, created_by, venue_fr,
			seats_per_organisation, funded_seats_per_organisation, quotas)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, nullif($21, 0), $22,
			$23, $24, $25)
		RETURNING id`,
		f.Kind, f.TitleEN, f.TitleFR, f.DescriptionEN, f.DescriptionFR, f.StartsAt, f.EndsAt,
		f.TimeZone, f.Format, f.VenueEN, f.OnlineURL, f.Languages, f.RegistrationOpensAt, f.RegistrationClosesAt,
		f.SeatsPerState, f.FundedSeatsPerState, f.Capacity, f.Audience, f.RequiresApproval, f.Public, by, f.VenueFR,
		f.SeatsPerOrganisation, f.FundedSeatsPerOrganisation, f.Quotas)
	if err != nil {
		return 0, fmt.Errorf("meeting: insert: %w", err)
	}
	if err := updateAttendanceSettings(ctx, q, id, f); err != nil {
		return 0, err
	}
	if err := updateFundingDecision(ctx, q, id, f); err != nil {
		return 0, err
	}
	return id, nil
}

func updateMeeting(ctx context.Context, q queryer, id int64, f Fields, bumpSequence bool) error {
	_, err := q.ExecContext(ctx, `
		UPDATE meetings SET kind = $2, title_en = $3, title_fr = $4, description_en = $5, description_fr = $6,
			starts_at = $7, ends_at = $8, timezone = $9, format = $10, venue_en = $11, online_url = $12,
			languages = $13, registration_opens_at = $14, registration_closes_at = $15, seats_per_state = $16,
			funded_seats_per_state = $17, capacity = $18, audience = $19, requires_approval = $20, public = $21,
			sequence = sequence + CASE WHEN $22 THEN 1 ELSE 0 END, updated_at = now(), venue_fr = $23,
			seats_per_organisation = $24, funded_seats_per_organisation = $25, quotas = $26
		WHERE id = $1`,
		id, f.Kind, f.TitleEN, f.TitleFR, f.DescriptionEN, f.DescriptionFR, f.StartsAt, f.EndsAt,
		f.TimeZone, f.Format, f.VenueEN, f.OnlineURL, f.Languages, f.RegistrationOpensAt, f.RegistrationClosesAt,
		f.SeatsPerState, f.FundedSeatsPerState, f.Capacity, f.Audience, f.RequiresApproval, f.Public, bumpSequence, f.VenueFR,
		f.SeatsPerOrganisation, f.FundedSeatsPerOrganisation, f.Quotas)
	if err != nil {
		return fmt.Errorf("meeting: update %d: %w", id, err)
	}
	if err := updateAttendanceSettings(ctx, q, id, f); err != nil {
		return err
	}
	return updateFundingDecision(ctx, q, id, f)
}

// setLifecycle moves the stored lifecycle on; every such move is a status
// change that calendars must see, so the sequence goes up.
func setLifecycle(ctx context.Context, q queryer, id int64, lifecycle string, reason Reason) error {
	_, err := q.ExecContext(ctx, `
		UPDATE meetings SET lifecycle = $2, cancel_reason = $3, cancel_reason_fr = $4, sequence = sequence + 1, updated_at = now()
		WHERE id = $1`, id, lifecycle, reason.EN, reason.FR)
	if err != nil {
		return fmt.Errorf("meeting: set lifecycle of %d: %w", id, err)
	}
	return nil
}
