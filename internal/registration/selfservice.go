package registration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/secret"
)

// ByManageToken finds the registration a manage link opens. A link that
// does not match is "not found", whatever the reason.
func (s *Service) ByManageToken(ctx context.Context, token string) (Registration, meeting.Meeting, error) {
	gone := apperr.New(apperr.NotFound, apperr.M("err.link_invalid"))
	if !strings.HasPrefix(token, "reg_") || len(token) > 100 {
		return Registration{}, meeting.Meeting{}, gone
	}
	var r Registration
	err := s.db.GetContext(ctx, &r, `SELECT `+regColumns+` FROM registrations WHERE manage_hash = $1`, secret.Hash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, meeting.Meeting{}, gone
	}
	if err != nil {
		return Registration{}, meeting.Meeting{}, fmt.Errorf("registration: by link: %w", err)
	}
	if !secret.Equal(s.keys.Token("reg", r.ID, r.ManageNonce), token) {
		return Registration{}, meeting.Meeting{}, gone
	}
	m, err := s.meetings.MeetingForLink(ctx, r.MeetingID)
	if apperr.Is(err, apperr.NotFound) {
		return Registration{}, meeting.Meeting{}, gone
	}
	if err != nil {
		return Registration{}, meeting.Meeting{}, fmt.Errorf("registration: meeting of the link: %w", err)
	}
	return r, m, nil
}

// UpdateOwn lets a person edit their details through their manage link
// until registration closes. A new funding request is granted while funded
// seats remain; withdrawing one frees the funded seat.
func (s *Service) UpdateOwn(ctx context.Context, token string, apply func(*Details) error) (Registration, error) {
	r, m, err := s.ByManageToken(ctx, token)
	if err != nil {
		return Registration{}, err
	}
	d := r.Details
	if err := apply(&d); err != nil {
		return Registration{}, err
	}
	d.normalize()
	if r.GuestID != nil { // a guest's link registered their address, in the role they were invited for
		d.DelegationRole = r.DelegationRole
		if d.Email != r.Email {
			return Registration{}, apperr.InvalidField("email", apperr.M("err.guest_email", "Email", r.Email))
		}
	}
	if d.Attendance == "" {
		d.Attendance = r.Attendance // a form without the choice (not a hybrid meeting) keeps it
	}
	if withdrawsConsentOnly(r.Details, d) {
		return s.WithdrawConsent(ctx, token) // allowed at any time, unlike the rest
	}
	if !r.Active() {
		return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.reg_is", "RegStatus", r.Status))
	}
	if err := checkOpenToSelfService(m); err != nil {
		return Registration{}, err // checked again under the lock; this spares the transaction
	}
	errs := apperr.Fields{}
	d.check(s.v, errs)
	if d.Attendance != r.Attendance {
		checkAttendance(m, &d, errs)
	}
	if err := errs.Err(); err != nil {
		return Registration{}, err
	}
	return s.change(ctx, auth.Actor{}, r, "registration.update_own", func(tx *sqlx.Tx, m meeting.Meeting, cur Registration) (Registration, error) {
		if !cur.Active() {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.reg_is", "RegStatus", cur.Status))
		}
		if err := checkOpenToSelfService(m); err != nil {
			return Registration{}, err
		}
		if d.Email != cur.Email {
			if err := s.checkNoDuplicate(ctx, tx, m.ID, d.Email); err != nil {
				return Registration{}, err
			}
		}
		if cur.Status == StatusConfirmed && d.Attendance != cur.Attendance {
			u, err := usageOf(ctx, tx, cur)
			if err != nil {
				return Registration{}, err
			}
			if u.roomFull(d.Attendance) {
				return Registration{}, errRoomFull()
			}
		}
		funded := cur.Funded && d.FundingRequested
		if cur.Status == StatusConfirmed && d.FundingRequested && !cur.Funded {
			u, err := usageOf(ctx, tx, cur)
			if err != nil {
				return Registration{}, err
			}
			funded = u.StateFunded < u.FundedSeats && u.FundingDecision != meeting.FundingSecretariat
		}
		var out Registration
		err := tx.GetContext(ctx, &out, `
			UPDATE registrations SET first_name = $2, last_name = $3, email = $4, function = $5, organisation = $6,
				delegation_role = $7, language = $8, funding_requested = $9, funded = $10, dietary = $11,
				accessibility = $12, list_consent = $13,
				consent_at = CASE WHEN $13 AND NOT list_consent THEN now() WHEN NOT $13 THEN NULL ELSE consent_at END,
				updated_at = now(), attendance = $14, gender = $15
			WHERE id = $1 RETURNING `+regColumns,
			cur.ID, d.FirstName, d.LastName, d.Email, d.Function, d.Organisation, d.DelegationRole, d.Language,
			d.FundingRequested, funded, d.Dietary, d.Accessibility, d.ListConsent, d.Attendance, d.Gender)
		if err != nil {
			if isDuplicate(err) {
				return Registration{}, duplicate()
			}
			return Registration{}, fmt.Errorf("registration: update: %w", err)
		}
		if leavesRoom(m, cur, out) {
			if err := s.promote(ctx, tx, m, ""); err != nil { // the place in the room goes to whoever waits for it
				return Registration{}, err
			}
		}
		return out, nil
	})
}

// withdrawsConsentOnly reports whether next differs from cur only by
// taking back the consent to appear on the list of participants.
func withdrawsConsentOnly(cur, next Details) bool {
	want := cur
	want.ListConsent = false
	return cur.ListConsent && next == want
}

// WithdrawConsent takes a person off the public list of participants
// through their manage link. The privacy notice promises it "at any time":
// whatever the registration's status and however long after registration
// closed or the meeting was held. Giving consent again is a change of
// details (UpdateOwn), open only while registration is.
func (s *Service) WithdrawConsent(ctx context.Context, token string) (Registration, error) {
	r, _, err := s.ByManageToken(ctx, token)
	if err != nil {
		return Registration{}, err
	}
	if !r.ListConsent {
		return r, nil // nothing to withdraw, nothing to record
	}
	return s.change(ctx, auth.Actor{}, r, "registration.withdraw_consent", func(tx *sqlx.Tx, _ meeting.Meeting, cur Registration) (Registration, error) {
		var out Registration
		err := tx.GetContext(ctx, &out, `
			UPDATE registrations SET list_consent = false, consent_at = NULL, updated_at = now()
			WHERE id = $1 RETURNING `+regColumns, cur.ID)
		if err != nil {
			return Registration{}, fmt.Errorf("registration: withdraw consent: %w", err)
		}
		return out, nil
	})
}

// CancelOwn lets a person cancel their registration through their manage
// link until the meeting has taken place; a seat they held goes to the
// first person waiting.
func (s *Service) CancelOwn(ctx context.Context, token string) (Registration, error) {
	r, _, err := s.ByManageToken(ctx, token)
	if err != nil {
		return Registration{}, err
	}
	return s.change(ctx, auth.Actor{}, r, "registration.cancel_own", func(tx *sqlx.Tx, m meeting.Meeting, cur Registration) (Registration, error) {
		if !cur.Active() {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.reg_already", "RegStatus", cur.Status))
		}
		if err := checkNotOver(m); err != nil {
			return Registration{}, err
		}
		return s.release(ctx, tx, m, cur, StatusCancelled, meeting.Reason{}, EventCancelled)
	})
}

// checkOpenToSelfService: people change their own registration only while
// registration is open; later, their focal point or the secretariat does.
func checkOpenToSelfService(m meeting.Meeting) error {
	if m.Status != meeting.StatusRegistrationOpen {
		return apperr.New(apperr.Conflict, apperr.M("err.closed_contact"))
	}
	return nil
}
