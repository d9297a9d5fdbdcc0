package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/postgres"
)

// DefaultRetentionMonths is how long delegates' personal data is kept
// after their meeting ends, unless configured otherwise.
const DefaultRetentionMonths = 24

// ApplyRetention anonymises the registrations of meetings that ended more
// than months months before now, with the emails to those delegates about
// those meetings and the notices about them to others, as Erase does; the
// statistics (state, role, status, funding, check-in) stay. It returns how
// many registrations it anonymised. Running it again changes nothing
// (anonymised registrations are marked), so it may run as often as wanted.
// Each meeting is done in its own transaction, so a first run over years
// of meetings holds no lock for long; an error stops the run, and what was
// done stays done. Each meeting's anonymisation is recorded in the audit
// trail in its transaction, as done by a (the worker or the command line).
func (s *Service) ApplyRetention(ctx context.Context, a auth.Actor, months int, now time.Time) (int, error) {
	if !CanManage(a) {
		return 0, errNotAdmin
	}
	if months < 1 {
		return 0, apperr.InvalidField("months", apperr.M("err.min", "N", 1))
	}
	// Passport data given for visa letters go first, shortly after their
	// meeting, long before the rest.
	if err := s.applyVisaRetention(ctx, a, now); err != nil {
		return 0, err
	}
	cutoff := now.AddDate(0, -months, 0)
	var meetingIDs []int64
	err := s.db.SelectContext(ctx, &meetingIDs, `
		SELECT DISTINCT r.meeting_id FROM registrations r JOIN meetings m ON m.id = r.meeting_id
		WHERE m.ends_at < $1 AND r.anonymised_at IS NULL ORDER BY r.meeting_id`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("privacy: meetings past retention: %w", err)
	}
	total := 0
	for _, id := range meetingIDs {
		var n int
		err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
			var err error
			if n, err = anonymiseMeeting(ctx, tx, id, cutoff); err != nil || n == 0 {
				return err
			}
			return audit.Record(ctx, tx, a, audit.Event{Action: "privacy.retention", MeetingID: id,
				Details: map[string]any{"registrations": n, "months": months}})
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// anonymiseMeeting anonymises one meeting's registrations not anonymised
// yet, if the meeting still ended before the cutoff.
func anonymiseMeeting(ctx context.Context, tx *sqlx.Tx, meetingID int64, cutoff time.Time) (int, error) {
	var regIDs []int64
	err := tx.SelectContext(ctx, &regIDs, `
		SELECT r.id FROM registrations r JOIN meetings m ON m.id = r.meeting_id
		WHERE r.meeting_id = $1 AND m.ends_at < $2 AND r.anonymised_at IS NULL
		ORDER BY r.id FOR UPDATE OF r`, meetingID, cutoff)
	if err != nil {
		return 0, fmt.Errorf("privacy: registrations of meeting %d: %w", meetingID, err)
	}
	if len(regIDs) == 0 {
		return 0, nil
	}
	// Emails to the delegates about this meeting: those of their
	// registration, and the meeting's others to their address (such as
	// its cancellation). Found before the addresses are anonymised.
	toIDs, aboutIDs := []int64{}, []int64{} // never NULL: NOT (id = ANY(NULL)) would match nothing
	err = tx.SelectContext(ctx, &toIDs, `
		SELECT DISTINCT m.id FROM outgoing_mail m JOIN registrations r ON r.id = ANY($1)
		WHERE lower(m.to_address) = r.email AND (m.registration_id = r.id OR m.meeting_id = r.meeting_id)
		ORDER BY m.id`, pq.Array(regIDs))
	if err != nil {
		return 0, fmt.Errorf("privacy: emails of meeting %d: %w", meetingID, err)
	}
	err = tx.SelectContext(ctx, &aboutIDs, `
		SELECT id FROM outgoing_mail WHERE registration_id = ANY($1) AND NOT (id = ANY($2)) ORDER BY id`,
		pq.Array(regIDs), pq.Array(toIDs))
	if err != nil {
		return 0, fmt.Errorf("privacy: emails about registrations of meeting %d: %w", meetingID, err)
	}
	if _, err := eraseMail(ctx, tx, toIDs, true); err != nil {
		return 0, err
	}
	if _, err := eraseMail(ctx, tx, aboutIDs, false); err != nil {
		return 0, err
	}
	return anonymiseRegistrations(ctx, tx, regIDs)
}
