package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/postgres"
)

// VisaRetention is how long after its meeting ends a visa request's
// passport data are kept: long enough for a late question from a
// consulate, no longer.
const VisaRetention = 14 * 24 * time.Hour

// VisaRequest is a visa support letter request in an export.
type VisaRequest struct {
	RegistrationID  int64      `db:"registration_id" json:"registration_id"`
	MeetingID       int64      `db:"meeting_id" json:"meeting_id"`
	PassportNumber  string     `db:"passport_number" json:"passport_number"`
	Nationality     string     `db:"nationality" json:"nationality"`
	DateOfBirth     time.Time  `db:"date_of_birth" json:"date_of_birth"`
	PassportExpires time.Time  `db:"passport_expires" json:"passport_expires"`
	Status          string     `db:"status" json:"status"`
	RequestedAt     time.Time  `db:"requested_at" json:"requested_at"`
	ApprovedAt      *time.Time `db:"approved_at" json:"approved_at"`
}

func exportVisaRequests(ctx context.Context, tx *sqlx.Tx, email string, r *Report) error {
	err := tx.SelectContext(ctx, &r.VisaRequests, `
		SELECT v.registration_id, r.meeting_id, v.passport_number, v.nationality, v.date_of_birth, v.passport_expires,
			v.status, v.requested_at, v.approved_at
		FROM visa_requests v JOIN registrations r ON r.id = v.registration_id
		WHERE r.email = $1 ORDER BY v.registration_id`, email)
	if err != nil {
		return fmt.Errorf("privacy: export visa requests: %w", err)
	}
	return nil
}

// eraseVisaData deletes the visa requests of registrations, and the
// letters emailed for them (which carry the passport data): the emails
// stay in the log without their attachment.
func eraseVisaData(ctx context.Context, tx *sqlx.Tx, regIDs []int64) (int, error) {
	if len(regIDs) == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM mail_attachments WHERE id IN (
			SELECT attachment_id FROM outgoing_mail WHERE kind = 'visa_letter' AND registration_id = ANY($1) AND attachment_id IS NOT NULL)`,
		pq.Array(regIDs)); err != nil {
		return 0, fmt.Errorf("privacy: erase visa letters: %w", err)
	}
	n, err := exec(ctx, tx, `DELETE FROM visa_requests WHERE registration_id = ANY($1)`, pq.Array(regIDs))
	if err != nil {
		return 0, fmt.Errorf("privacy: erase visa requests: %w", err)
	}
	return n, nil
}

// applyVisaRetention erases the visa data of meetings that ended more than
// VisaRetention before now, per meeting, each with its audit entry.
func (s *Service) applyVisaRetention(ctx context.Context, a auth.Actor, now time.Time) error {
	var meetings []int64
	err := s.db.SelectContext(ctx, &meetings, `
		SELECT DISTINCT r.meeting_id FROM visa_requests v JOIN registrations r ON r.id = v.registration_id
		JOIN meetings m ON m.id = r.meeting_id WHERE m.ends_at < $1 ORDER BY r.meeting_id`, now.Add(-VisaRetention))
	if err != nil {
		return fmt.Errorf("privacy: visa requests past retention: %w", err)
	}
	for _, id := range meetings {
		err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
			var regIDs []int64
			if err := tx.SelectContext(ctx, &regIDs, `
				SELECT v.registration_id FROM visa_requests v JOIN registrations r ON r.id = v.registration_id
				WHERE r.meeting_id = $1 FOR UPDATE OF v`, id); err != nil {
				return fmt.Errorf("privacy: visa requests of meeting %d: %w", id, err)
			}
			n, err := eraseVisaData(ctx, tx, regIDs)
			if err != nil || n == 0 {
				return err
			}
			return audit.Record(ctx, tx, a, audit.Event{Action: "privacy.visa_retention", MeetingID: id,
				Details: map[string]any{"visa_requests": n}})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
