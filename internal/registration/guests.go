package registration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/secret"
	"github.com/coe-agora/agora/internal/validate"
)

// GuestRoles are the roles of a personal invitation.
var GuestRoles = []string{"expert", "speaker", "chair", "rapporteur", "observer"}

// GuestInput is a personal invitation as the secretariat writes it.
type GuestInput struct {
	FirstName      string `json:"first_name" validate:"required,singleline"`
	LastName       string `json:"last_name" validate:"required,singleline"`
	Email          string `json:"email" validate:"required,max=254,email"`
	Language       string `json:"language" validate:"required,oneof=en fr"`
	Role           string `json:"role" validate:"required,oneof=expert speaker chair rapporteur observer"`
	FundingOffered bool   `json:"funding_offered"`
}

// Guest is a personal invitation: a person invited by name and email,
// who holds one seat (their own) and, when funding is offered, may ask
// for their travel to be covered.
type Guest struct {
	ID             int64      `db:"id" json:"id"`
	MeetingID      int64      `db:"meeting_id" json:"meeting_id"`
	FirstName      string     `db:"first_name" json:"first_name"`
	LastName       string     `db:"last_name" json:"last_name"`
	Email          string     `db:"email" json:"email"`
	Language       string     `db:"language" json:"language"`
	Role           string     `db:"role" json:"role"`
	FundingOffered bool       `db:"funding_offered" json:"funding_offered"`
	Status         string     `db:"status" json:"status"` // active, revoked
	Rounds         int        `db:"rounds" json:"rounds"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	Nonce          []byte     `db:"nonce" json:"-"`
	// The guest's live registration, if any.
	RegistrationID     *int64  `db:"registration_id" json:"registration_id"`
	RegistrationStatus *string `db:"registration_status" json:"registration_status"`
	FundingStatus      *string `db:"funding_status" json:"funding_status"`
	// RegistrationURL is the guest's personal link.
	RegistrationURL string `db:"-" json:"registration_url"`
}

// Name is "First Last".
func (g Guest) Name() string { return g.FirstName + " " + g.LastName }

// GuestTokenPrefix starts the token of a guest's link (an invitation's
// starts with "inv_").
const GuestTokenPrefix = "gst_"

const guestColumns = `g.id, g.meeting_id, g.first_name, g.last_name, g.email, g.language, g.role, g.funding_offered,
	g.status, g.rounds, g.sent_at, g.created_at, g.nonce, r.id AS registration_id, r.status AS registration_status,
	(CASE WHEN r.id IS NULL THEN NULL WHEN r.funded THEN 'granted' WHEN r.funding_decision = 'refused' THEN 'refused'
		WHEN r.funding_requested THEN 'requested' ELSE 'none' END) AS funding_status`

const guestFrom = ` FROM guests g LEFT JOIN registrations r
	ON r.guest_id = g.id AND r.status NOT IN ('cancelled', 'declined') `

// GuestURL is the guest's personal registration link.
func (s *Service) GuestURL(g Guest) string {
	return s.cfg.BaseURL + "/register/" + s.keys.Token(strings.TrimSuffix(GuestTokenPrefix, "_"), g.ID, g.Nonce)
}

func (s *Service) withURL(g Guest) Guest {
	g.RegistrationURL = s.GuestURL(g)
	return g
}

func requireGuestSecretariat(a auth.Actor) error {
	if a.Anonymous() {
		return apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_guests"))
	}
	if !a.Is(auth.RoleSecretariat) {
		return apperr.New(apperr.Forbidden, apperr.M("err.guests_secretariat"))
	}
	return nil
}

func (in *GuestInput) normalize() {
	in.FirstName = collapseSpaces(strings.TrimSpace(in.FirstName))
	in.LastName = collapseSpaces(strings.TrimSpace(in.LastName))
	in.Email = validate.NormalizeEmail(in.Email)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	in.Role = strings.ToLower(strings.TrimSpace(in.Role))
}

func (in GuestInput) check(v *validate.Validator) error {
	errs := apperr.Fields{}
	v.Struct(in, errs)
	for field, name := range map[string]string{"first_name": in.FirstName, "last_name": in.LastName} {
		if name != "" && strings.IndexFunc(name, unicode.IsLetter) < 0 {
			errs.Add(field, apperr.M("err.letters"))
		}
		if utf8.RuneCountInString(name) > MaxNameLength {
			errs.Add(field, apperr.M("err.max_chars", "N", MaxNameLength))
		}
	}
	if in.Email != "" {
		if msg := auth.CheckEmail(in.Email); msg.Key != "" {
			errs.Add("email", msg)
		}
	}
	return errs.Err()
}

// InviteGuest invites a person by name and email to a published meeting
// whose registration has not closed, and emails them their personal link
// in their language.
func (s *Service) InviteGuest(ctx context.Context, a auth.Actor, meetingID int64, in GuestInput) (Guest, error) {
	if err := requireGuestSecretariat(a); err != nil {
		return Guest{}, err
	}
	in.normalize()
	if err := in.check(s.v); err != nil {
		return Guest{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return Guest{}, err
	}
	if m.Status != meeting.StatusPublished && m.Status != meeting.StatusRegistrationOpen {
		return Guest{}, apperr.New(apperr.Conflict, apperr.M("err.invite", "Status", m.Status))
	}
	var g Guest
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT nextval('guests_id_seq')`); err != nil {
			return fmt.Errorf("guest: id: %w", err)
		}
		nonce, err := secret.Nonce()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO guests (id, meeting_id, first_name, last_name, email, language, role, funding_offered, nonce, token_hash, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nullif($11, 0))`,
			id, m.ID, in.FirstName, in.LastName, in.Email, in.Language, in.Role, in.FundingOffered,
			nonce, secret.Hash(s.keys.Token("gst", id, nonce)), a.ID())
		if postgres.IsUniqueViolation(err, "guests_meeting_email_key") {
			return apperr.InvalidField("email", apperr.M("err.guest_already_invited"))
		}
		if err != nil {
			return fmt.Errorf("guest: insert: %w", err)
		}
		if g, err = guestByID(ctx, tx, id, true); err != nil {
			return err
		}
		if err := s.sendGuestInvitation(ctx, tx, m, &g); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "guest.invite", MeetingID: m.ID, SubjectType: "guest", SubjectID: g.ID,
			Details: map[string]any{"role": g.Role, "funding_offered": g.FundingOffered}})
	})
	return s.withURL(g), err
}

// sendGuestInvitation queues the invitation email of g (one more round).
func (s *Service) sendGuestInvitation(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, g *Guest) error {
	if _, err := tx.ExecContext(ctx, `UPDATE guests SET rounds = rounds + 1, sent_at = now() WHERE id = $1`, g.ID); err != nil {
		return fmt.Errorf("guest: mark sent: %w", err)
	}
	g.Rounds++
	data := struct {
		Meeting         invitation.MeetingData
		Name            string
		Role            string
		FundingOffered  bool
		RegistrationURL string
	}{invitation.MeetingDataFor(m.WithoutOnlineLink(), g.Language, s.cfg.BaseURL), g.Name(), RoleLabel(g.Role, g.Language),
		g.FundingOffered, s.GuestURL(*g)}
	subject, text, html, err := s.renderer.Render("guest_invitation", g.Language, data)
	msg := agoramail.Message{
		Kind: "guest_invitation", To: g.Email, ToName: g.Name(), Language: g.Language,
		Subject: subject, Text: text, HTML: html, MeetingID: m.ID,
		DedupeKey: fmt.Sprintf("guest:%d:%d", g.ID, g.Rounds),
	}
	if err != nil {
		msg.Failed("content", err)
	}
	_, _, err = s.outbox.Enqueue(ctx, tx, msg)
	return err
}

// Guests lists a meeting's personal invitations, by name.
func (s *Service) Guests(ctx context.Context, a auth.Actor, meetingID int64) ([]Guest, error) {
	if err := requireGuestSecretariat(a); err != nil {
		return nil, err
	}
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return nil, err
	}
	out := []Guest{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+guestColumns+guestFrom+`WHERE g.meeting_id = $1
		ORDER BY g.last_name COLLATE agora_names, g.first_name COLLATE agora_names, g.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("guest: list: %w", err)
	}
	for i := range out {
		out[i] = s.withURL(out[i])
	}
	return out, nil
}

func guestByID(ctx context.Context, q sqlx.QueryerContext, id int64, forUpdate bool) (Guest, error) {
	query := `SELECT ` + guestColumns + guestFrom + `WHERE g.id = $1`
	if forUpdate {
		query += ` FOR UPDATE OF g`
	}
	var g Guest
	err := sqlx.GetContext(ctx, q, &g, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Guest{}, apperr.New(apperr.NotFound, apperr.M("err.no_guest"))
	}
	if err != nil {
		return Guest{}, fmt.Errorf("guest: get %d: %w", id, err)
	}
	return g, nil
}

// ResendGuest emails a guest their link again (a revoked invitation is
// renewed: it becomes active again, with the same link).
func (s *Service) ResendGuest(ctx context.Context, a auth.Actor, guestID int64) (Guest, error) {
	return s.changeGuest(ctx, a, guestID, "guest.resend", func(tx *sqlx.Tx, m meeting.Meeting, g *Guest) error {
		if m.Status != meeting.StatusPublished && m.Status != meeting.StatusRegistrationOpen {
			return apperr.New(apperr.Conflict, apperr.M("err.invite", "Status", m.Status))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE guests SET status = 'active' WHERE id = $1`, g.ID); err != nil {
			return fmt.Errorf("guest: renew: %w", err)
		}
		g.Status = "active"
		return s.sendGuestInvitation(ctx, tx, m, g)
	})
}

// RevokeGuest closes a guest's link: it registers nobody any more. A
// registration made through it stays (cancel it on its own).
func (s *Service) RevokeGuest(ctx context.Context, a auth.Actor, guestID int64) (Guest, error) {
	return s.changeGuest(ctx, a, guestID, "guest.revoke", func(tx *sqlx.Tx, _ meeting.Meeting, g *Guest) error {
		if _, err := tx.ExecContext(ctx, `UPDATE guests SET status = 'revoked' WHERE id = $1`, g.ID); err != nil {
			return fmt.Errorf("guest: revoke: %w", err)
		}
		g.Status = "revoked"
		return nil
	})
}

func (s *Service) changeGuest(ctx context.Context, a auth.Actor, guestID int64, action string,
	change func(tx *sqlx.Tx, m meeting.Meeting, g *Guest) error) (Guest, error) {
	if err := requireGuestSecretariat(a); err != nil {
		return Guest{}, err
	}
	var g Guest
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if g, err = guestByID(ctx, tx, guestID, true); err != nil {
			return err
		}
		m, err := s.meetings.Meeting(ctx, a, g.MeetingID)
		if err != nil {
			return err
		}
		if err := change(tx, m, &g); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: action, MeetingID: m.ID, SubjectType: "guest", SubjectID: g.ID,
			Details: map[string]any{"status": g.Status, "rounds": g.Rounds}})
	})
	return s.withURL(g), err
}

// GuestByToken returns the guest whose link this is, and its meeting;
// the same answer as an invitation link's when the link is unknown,
// revoked, or its meeting no longer takes registrations.
func (s *Service) GuestByToken(ctx context.Context, token string) (Guest, meeting.Meeting, error) {
	gone := invitation.LinkGone()
	if !strings.HasPrefix(token, GuestTokenPrefix) || len(token) > 100 {
		return Guest{}, meeting.Meeting{}, gone
	}
	var g Guest
	err := s.db.GetContext(ctx, &g, `SELECT `+guestColumns+guestFrom+`WHERE g.token_hash = $1 AND g.status = 'active'`, secret.Hash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return Guest{}, meeting.Meeting{}, gone
	}
	if err != nil {
		return Guest{}, meeting.Meeting{}, fmt.Errorf("guest: by token: %w", err)
	}
	if !secret.Equal(s.keys.Token("gst", g.ID, g.Nonce), token) {
		return Guest{}, meeting.Meeting{}, gone
	}
	m, err := s.meetings.MeetingForLink(ctx, g.MeetingID)
	if apperr.Is(err, apperr.NotFound) {
		return Guest{}, meeting.Meeting{}, gone
	}
	if err != nil {
		return Guest{}, meeting.Meeting{}, fmt.Errorf("guest: meeting of the link: %w", err)
	}
	if m.Status == meeting.StatusDraft || !time.Now().Before(m.RegistrationCloses()) {
		return Guest{}, meeting.Meeting{}, gone
	}
	return s.withURL(g), m, nil
}

// guestInvitee is what emails and lists call a guest's "invitee".
func guestInvitee() invitee.Invitee {
	return invitee.Invitee{NameEN: "personal invitation", NameFR: "invitation personnelle", Kind: "guest"}
}

// guestStillActive: the guest's link may have been revoked since it was read.
func guestStillActive(ctx context.Context, tx *sqlx.Tx, guestID int64) error {
	var status string
	if err := tx.GetContext(ctx, &status, `SELECT status FROM guests WHERE id = $1 FOR SHARE`, guestID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return invitation.LinkGone()
		}
		return fmt.Errorf("guest: still active: %w", err)
	}
	if status != "active" {
		return invitation.LinkGone()
	}
	return nil
}

// guestKey is the quota lock key of a guest's seat (state and
// organisation codes are upper case letters, digits and "-": never this).
func guestKey(id int64) string { return fmt.Sprintf("guest:%d", id) }

// countGuestUsage is countUsage for a guest: one seat, their own, and a
// funded seat when funding was offered.
func countGuestUsage(ctx context.Context, tx *sqlx.Tx, meetingID, guestID int64) (usage, error) {
	var u usage
	err := tx.GetContext(ctx, &u, `
		SELECT u.*, 1 AS seats_per_state, (CASE WHEN g.funding_offered THEN 1 ELSE 0 END) AS funded_seats_per_state,
		       m.capacity, m.funding_decision,
		       CASE WHEN m.format = 'hybrid' THEN m.in_person_capacity ELSE 0 END AS in_person_capacity
		FROM meetings m JOIN guests g ON g.meeting_id = m.id AND g.id = $2, LATERAL (
			SELECT count(*) FILTER (WHERE guest_id = $2) AS state_confirmed,
			       count(*) FILTER (WHERE guest_id = $2 AND funded) AS state_funded,
			       count(*) AS total_confirmed,
			       count(*) FILTER (WHERE attendance = 'in_person') AS in_person_confirmed
			FROM registrations WHERE meeting_id = m.id AND status = 'confirmed') u
		WHERE m.id = $1`, meetingID, guestID)
	if err != nil {
		return usage{}, fmt.Errorf("registration: count guest seats: %w", err)
	}
	return u, nil
}

// usageOf is the usage of the seats r's invitee (or guest) holds, under
// the lock of lockKey(r).
func usageOf(ctx context.Context, tx *sqlx.Tx, r Registration) (usage, error) {
	if r.GuestID != nil {
		return countGuestUsage(ctx, tx, r.MeetingID, *r.GuestID)
	}
	return countUsage(ctx, tx, r.MeetingID, r.State)
}

// lockKey is the key of the quota lock of r's seats.
func lockKey(r Registration) string {
	if r.GuestID != nil {
		return guestKey(*r.GuestID)
	}
	return r.State
}

// RegistrationState is the status of the guest's live registration, ""
// when there is none.
func (g Guest) RegistrationState() string {
	if g.RegistrationStatus == nil {
		return ""
	}
	return *g.RegistrationStatus
}

// FundingState is the funding status of the guest's live registration,
// "" when there is none.
func (g Guest) FundingState() string {
	if g.FundingStatus == nil {
		return ""
	}
	return *g.FundingStatus
}

// GuestOf returns the personal invitation r was made through (nil for a
// state's or an organisation's registration).
func (s *Service) GuestOf(ctx context.Context, r Registration) (*Guest, error) {
	if r.GuestID == nil {
		return nil, nil
	}
	g, err := guestByID(ctx, s.db, *r.GuestID, false)
	if err != nil {
		return nil, err
	}
	return &g, nil
}
