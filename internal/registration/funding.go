package registration

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
)

// DecideFunding grants or refuses a registration's funding request (the
// secretariat's decision, at meetings whose funding_decision is
// "secretariat", or to change an automatic one). A grant takes one of the
// invitee's funded seats (a guest has one when funding was offered) and is
// refused with a conflict when none is left: it is decided under the same
// locks as seats (lockSeats), so concurrent decisions never fund more
// people than the invitee has funded seats. The person is told by email,
// in their language. decision is the request's "funded" (nil: missing).
func (s *Service) DecideFunding(ctx context.Context, a auth.Actor, id int64, decision *bool) (Registration, error) {
	if a.Anonymous() {
		return Registration{}, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_funding"))
	}
	if !a.Is(auth.RoleSecretariat) {
		return Registration{}, apperr.New(apperr.Forbidden, apperr.M("err.funding_secretariat"))
	}
	if decision == nil {
		return Registration{}, apperr.InvalidField("funded", apperr.M("err.required"))
	}
	funded := *decision
	r, err := get(ctx, s.db, id, false)
	if err != nil {
		return Registration{}, err
	}
	var out Registration
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		m, err := s.lockSeats(ctx, tx, r.MeetingID, lockKey(r))
		if err != nil {
			return err
		}
		cur, err := get(ctx, tx, r.ID, true)
		if err != nil {
			return err
		}
		if !cur.FundingRequested {
			return apperr.New(apperr.Conflict, apperr.M("err.funding_not_requested"))
		}
		if funded {
			if cur.Status != StatusConfirmed {
				return apperr.New(apperr.Conflict, apperr.M("err.funding_not_confirmed", "RegStatus", cur.Status))
			}
			if !cur.Funded {
				u, err := usageOf(ctx, tx, cur)
				if err != nil {
					return err
				}
				if u.StateFunded >= u.FundedSeats {
					return apperr.New(apperr.Conflict, apperr.M("err.no_funded_seats", "N", u.FundedSeats))
				}
			}
		}
		decision := FundingRefused
		if funded {
			decision = FundingGranted
		}
		err = tx.GetContext(ctx, &out, `
			UPDATE registrations SET funded = $2, funding_decision = $3, funding_decided_at = now(), updated_at = now()
			WHERE id = $1 RETURNING `+regColumns, cur.ID, funded, decision)
		if err != nil {
			return fmt.Errorf("registration: decide funding: %w", err)
		}
		if err := s.notifyFunding(ctx, tx, m, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "registration.funding", MeetingID: m.ID, State: cur.State,
			SubjectType: "registration", SubjectID: cur.ID, Details: map[string]any{"funded": funded, "was_funded": cur.Funded}})
	})
	return out, err
}

// notifyFunding emails the person the secretariat's decision on their
// funding request, in their language.
func (s *Service) notifyFunding(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, r Registration) error {
	data := struct {
		Meeting   invitation.MeetingData
		Name      string
		Granted   bool
		ManageURL string
	}{invitation.MeetingDataFor(m.WithoutOnlineLink(), r.Language, s.cfg.BaseURL), r.Name(), r.Funded, s.ManageURL(r)}
	subject, text, html, err := s.renderer.Render("funding_decision", r.Language, data)
	msg := agoramail.Message{
		Kind: "funding_decision", To: r.Email, ToName: r.Name(), Language: r.Language,
		Subject: subject, Text: text, HTML: html, MeetingID: m.ID, RegistrationID: r.ID,
		DedupeKey: fmt.Sprintf("funding:%d:%d", r.ID, r.FundingDecidedAt.UnixNano()),
	}
	if err != nil {
		msg.Failed("content", err)
	}
	_, _, err = s.outbox.Enqueue(ctx, tx, msg)
	return err
}
