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

// FundingRequest is one person's funding request on the review page.
type FundingRequest struct {
	ID             int64   `db:"id" json:"id"`
	FirstName      string  `db:"first_name" json:"first_name"`
	LastName       string  `db:"last_name" json:"last_name"`
	DelegationRole string  `db:"delegation_role" json:"delegation_role"`
	Status         string  `db:"status" json:"status"`
	Funded         bool    `db:"funded" json:"funded"`
	FundingStatus  string  `db:"funding_status" json:"funding_status"`
	Invitee        string  `db:"invitee" json:"invitee"`
	InviteeName    string  `db:"invitee_name" json:"invitee_name"`
	Organisation   bool    `db:"is_organisation" json:"-"`
	GuestID        *int64  `db:"guest_id" json:"guest_id,omitempty"`
	GuestOffered   *bool   `db:"guest_offered" json:"-"`
	Language       string  `db:"language" json:"language"`
	Rank           *int    `db:"rank" json:"-"`
	DecidedAt      *string `db:"decided_at" json:"decided_at,omitempty"`
}

// FundingGroup is an invitee's (or a guest's) funded seats and the
// requests of its people.
type FundingGroup struct {
	Invitee     string           `json:"invitee"`
	Name        string           `json:"name"`
	Guest       bool             `json:"guest"`
	FundedSeats int              `json:"funded_seats"`
	Funded      int              `json:"funded"`
	Waiting     int              `json:"waiting"`
	Requests    []FundingRequest `json:"requests"`
}

// FundingReview lists the funding requests of a meeting's live
// registrations, by invitee in protocol order (guests last), with each
// invitee's funded seats and how many are taken: the secretariat's review
// page. Names are in lang.
func (s *Service) FundingReview(ctx context.Context, a auth.Actor, meetingID int64, lang string) ([]FundingGroup, error) {
	if a.Anonymous() {
		return nil, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_funding"))
	}
	if !a.Is(auth.RoleSecretariat) {
		return nil, apperr.New(apperr.Forbidden, apperr.M("err.funding_secretariat"))
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	name := "name_en"
	if lang == "fr" {
		name = "name_fr"
	}
	var rows []FundingRequest
	err = s.db.SelectContext(ctx, &rows, `
		SELECT r.id, r.first_name, r.last_name, r.delegation_role, r.status, r.funded, r.language,
		       `+computedColumns("r.")[1]+`,
		       coalesce(r.invitee, '') AS invitee, coalesce(i.`+name+`, '') AS invitee_name,
		       r.organisation_code IS NOT NULL AS is_organisation, r.guest_id, g.funding_offered AS guest_offered, i.rank,
		       to_char(r.funding_decided_at, 'YYYY-MM-DD') AS decided_at
		FROM registrations r LEFT JOIN invitees i ON i.code = r.invitee LEFT JOIN guests g ON g.id = r.guest_id
		WHERE r.meeting_id = $1 AND r.status IN ('pending', 'confirmed', 'waitlisted') AND (r.funding_requested OR r.funded)
		ORDER BY r.guest_id IS NOT NULL, i.rank, i.`+name+` COLLATE agora_names, r.invitee,
		         r.last_name COLLATE agora_names, r.first_name COLLATE agora_names, r.id`, m.ID)
	if err != nil {
		return nil, fmt.Errorf("registration: funding review: %w", err)
	}
	var out []FundingGroup
	for _, r := range rows {
		key := r.Invitee
		if r.GuestID != nil {
			key = fmt.Sprintf("guest:%d", *r.GuestID)
		}
		if len(out) == 0 || out[len(out)-1].Invitee != key {
			g := FundingGroup{Invitee: key, Name: r.InviteeName, Guest: r.GuestID != nil}
			if g.Guest {
				g.Name = r.FirstName + " " + r.LastName
				if r.GuestOffered != nil && *r.GuestOffered {
					g.FundedSeats = 1
				}
			} else {
				_, g.FundedSeats = m.SeatsOf(r.Invitee, r.Organisation)
			}
			out = append(out, g)
		}
		g := &out[len(out)-1]
		g.Requests = append(g.Requests, r)
		if r.Funded {
			g.Funded++
		}
		if r.FundingStatus == FundingRequested {
			g.Waiting++
		}
	}
	return out, nil
}
