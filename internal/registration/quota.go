package registration

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
)

// LockTimeout bounds the wait for a state's quota lock; past it the request
// fails with "busy, try again" rather than piling up.
const LockTimeout = "5s"

// lockSeats takes the locks a decision about seats of (meeting, state)
// needs, for the rest of the transaction, and returns the meeting as it
// is under them: what was read before may predate a cancellation, a
// closed window or a new capacity. Every path takes them in one order, so
// they never deadlock: the meeting's lock first (shared; an edit or a
// cancellation of the meeting holds it exclusively, see
// meeting.Service.LockForSeats), then the quota (lockQuota), which an
// edit that adds seats takes after the meeting's lock too (SeatsAdded).
func (s *Service) lockSeats(ctx context.Context, tx *sqlx.Tx, meetingID int64, state string) (meeting.Meeting, error) {
	if err := limitLockWait(ctx, tx); err != nil {
		return meeting.Meeting{}, err
	}
	m, err := s.meetings.LockForSeats(ctx, tx, meetingID)
	if timedOut(err) {
		return meeting.Meeting{}, busy(err)
	}
	if err != nil {
		return meeting.Meeting{}, err
	}
	return m, lockQuota(ctx, tx, m, state)
}

func limitLockWait(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '`+LockTimeout+`'`); err != nil {
		return fmt.Errorf("registration: lock timeout: %w", err)
	}
	return nil
}

// lockQuota serialises every decision about seats of (meeting, invitee) for
// the rest of the transaction, across all processes: a transaction-scoped
// advisory lock. A meeting with an overall capacity is locked as a whole
// first (always in that order, so locks never deadlock). m must have been
// read under the meeting's lock (lockSeats, or an edit's), so that its
// capacity cannot change before the transaction ends. The keys (id, 0)
// and (id, hashtext(state)) stay clear of the meeting's own (id, -1). The
// invitee is a state or an organisation: their codes share one namespace
// (migrations/00019), so an organisation's lock is keyed exactly as a
// state's, by its code, and two invitees never share a key but by a
// collision of hashtext, which only makes them wait for each other.
func lockQuota(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, state string) error {
	if m.Capacity > 0 || m.RoomLimited() { // the room of a hybrid meeting is shared by every state too
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1::int, 0)`, m.ID); err != nil {
			return lockError(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, m.ID, state); err != nil {
		return lockError(err)
	}
	return nil
}

func lockError(err error) error {
	if timedOut(err) {
		return busy(err)
	}
	return fmt.Errorf("registration: lock quota: %w", err)
}

func timedOut(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "55P03"
}

func busy(err error) error {
	return apperr.Wrap(err, apperr.Unavailable, apperr.M("err.busy"))
}

// usage is how many seats are taken and how many the meeting gives the
// invitee (its override in meetings.quotas, else the default of its kind:
// per state or per organisation), both
// read under the lock in one statement: quotas read before the lock may
// predate an edit that raised them and committed while the transaction
// waited for the lock (see Service.SeatsAdded).
type usage struct {
	StateConfirmed int `db:"state_confirmed"`
	StateFunded    int `db:"state_funded"`
	TotalConfirmed int `db:"total_confirmed"`
	Seats          int `db:"seats_per_state"`
	FundedSeats    int `db:"funded_seats_per_state"`
	Capacity       int `db:"capacity"`
	// People confirmed in the room, and the room's size at a hybrid
	// meeting that limits it (0: no limit).
	InPersonConfirmed int `db:"in_person_confirmed"`
	InPersonCapacity  int `db:"in_person_capacity"`
	// FundingDecision is the meeting's: with "secretariat" no request is
	// granted here; it waits for DecideFunding.
	FundingDecision string `db:"funding_decision"`
}

func countUsage(ctx context.Context, tx *sqlx.Tx, meetingID int64, state string) (usage, error) {
	var u usage
	err := tx.GetContext(ctx, &u, `
		SELECT u.*,
		       coalesce((m.quotas -> $2::text ->> 'seats')::int,
		                CASE WHEN o.organisation THEN m.seats_per_organisation ELSE m.seats_per_state END) AS seats_per_state,
		       coalesce((m.quotas -> $2::text ->> 'funded_seats')::int,
		                CASE WHEN o.organisation THEN m.funded_seats_per_organisation ELSE m.funded_seats_per_state END) AS funded_seats_per_state,
		       m.capacity, m.funding_decision,
		       CASE WHEN m.format = 'hybrid' THEN m.in_person_capacity ELSE 0 END AS in_person_capacity
		FROM meetings m, LATERAL (
			SELECT count(*) FILTER (WHERE invitee = $2) AS state_confirmed,
			       count(*) FILTER (WHERE invitee = $2 AND funded) AS state_funded,
			       count(*) AS total_confirmed,
			       count(*) FILTER (WHERE attendance = 'in_person') AS in_person_confirmed
			FROM registrations WHERE meeting_id = m.id AND status = 'confirmed') u,
		     LATERAL (SELECT EXISTS (SELECT 1 FROM organisations WHERE code = $2) AS organisation) o
		WHERE m.id = $1`, meetingID, state)
	if err != nil {
		return usage{}, fmt.Errorf("registration: count seats: %w", err)
	}
	return u, nil
}

// seat decides, under the lock, what a person asking for a seat gets:
// confirmed when the state has a seat left (and the meeting room, when it
// has a capacity), else waitlisted. A funding request is granted while the
// state has funded seats left; beyond that the person is confirmed without
// funding (funded=false, funding_requested stays true so the secretariat
// sees the request).
func seat(u usage, fundingRequested bool) (status string, funded bool) {
	if u.StateConfirmed >= u.Seats || (u.Capacity > 0 && u.TotalConfirmed >= u.Capacity) {
		return StatusWaitlisted, false
	}
	if u.FundingDecision == meeting.FundingSecretariat {
		return StatusConfirmed, false // the request waits for the secretariat's decision
	}
	return StatusConfirmed, fundingRequested && u.StateFunded < u.FundedSeats
}

// roomFull reports whether a person asking to attend so would need a
// place in a room that has none left (a hybrid meeting's in-person
// capacity, read under the meeting-wide lock that lockQuota takes for it).
func (u usage) roomFull(attendance string) bool {
	return attendance == meeting.AttendanceInPerson && u.InPersonCapacity > 0 && u.InPersonConfirmed >= u.InPersonCapacity
}
