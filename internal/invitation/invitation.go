package invitation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/secret"
)

// Invitation is a state's or an organisation's invitation to a meeting.
type Invitation struct {
	ID        int64 `db:"id" json:"-"`
	MeetingID int64 `db:"meeting_id" json:"meeting_id"`
	// State is the code of the invitee: a state's or an organisation's
	// (JSON "invitee", with "invitee_kind"); JSON "state" keeps the
	// state's code for the clients that knew only states.
	State       string     `db:"invitee" json:"invitee"`
	InviteeKind string     `db:"invitee_kind" json:"invitee_kind"`
	StateCode   *string    `db:"state_code" json:"state,omitempty"`
	Status      string     `db:"status" json:"status"`
	Rounds      int        `db:"rounds" json:"rounds"`
	SentAt      *time.Time `db:"sent_at" json:"sent_at"`
	RemindedAt  *time.Time `db:"reminded_at" json:"reminded_at"`
	Nonce       []byte     `db:"nonce" json:"-"`
	// RegistrationURL is the secret link that lets people register for
	// this state; shown to the secretariat and the state's focal points.
	RegistrationURL string `db:"-" json:"registration_url,omitempty"`
}

const invColumns = `id, meeting_id, invitee, state_code,
	CASE WHEN organisation_code IS NULL THEN 'state' ELSE 'organisation' END AS invitee_kind,
	status, rounds, sent_at, reminded_at, nonce`

// Config is what the invitation service needs from the configuration.
type Config struct {
	BaseURL  string
	MailFrom string // the ORGANIZER of calendar invitations
}

// Service invites states and sends what goes with it.
type Service struct {
	db       *sqlx.DB
	meetings *meeting.Service
	outbox   *mail.Outbox
	renderer *mail.Renderer
	keys     *secret.Keys
	cfg      Config
	// letters renders invitation letters (SetLetters); nil: none.
	// attachLetters has the invitation emails carry them.
	letters        LetterFunc
	attachLetters  bool
	lettersVersion string
}

// NewService returns the invitation service.
func NewService(db *sqlx.DB, meetings *meeting.Service, outbox *mail.Outbox, renderer *mail.Renderer, keys *secret.Keys, cfg Config) *Service {
	return &Service{db: db, meetings: meetings, outbox: outbox, renderer: renderer, keys: keys, cfg: cfg}
}

// Result says what an invitation run did.
type Result struct {
	Invited      int `json:"invited"`
	EmailsQueued int `json:"emails_queued"`
	// WithoutFocalPoint lists invited states that have no focal point to
	// write to: someone must send them their link another way.
	WithoutFocalPoint []string `json:"without_focal_point"`
}

// Request says whom to invite.
type Request struct {
	// States and Organisations to invite; both empty: the meeting's
	// audience (its states and its invited organisations).
	States        []string `json:"states"`
	Organisations []string `json:"organisations"`
	// Resend sends the invitation again to states already invited.
	Resend bool `json:"resend"`
}

// Invite invites states to a published meeting and emails each state's
// focal points, each in their language, with the registration link and a
// calendar invitation. A state invited before is not emailed again unless
// Resend is set.
func (s *Service) Invite(ctx context.Context, a auth.Actor, meetingID int64, req Request) (Result, error) {
	if err := requireSecretariat(a, apperr.M("err.sign_in_send_invitations"), apperr.M("err.secretariat_send_invitations")); err != nil {
		return Result{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return Result{}, err
	}
	if m.Status != meeting.StatusPublished && m.Status != meeting.StatusRegistrationOpen {
		return Result{}, apperr.New(apperr.Conflict, apperr.M("err.invite", "Status", m.Status))
	}
	states, err := s.targets(ctx, m, req)
	if err != nil {
		return Result{}, err
	}
	var res Result
	// A run is a handful of statements whatever its size: the
	// invitations, their rounds, the audit trail and the emails are each
	// written in one, so that the first emails leave as soon as possible.
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		res = Result{WithoutFocalPoint: []string{}} // InTx may run this twice
		codes, kinds := make([]string, len(states)), make(map[string]string, len(states))
		for i, st := range states {
			codes[i], kinds[st.Code] = st.Code, st.Kind
		}
		fps, err := FocalPointsOf(ctx, tx, codes)
		if err != nil {
			return err
		}
		invs, created, err := s.upsertAll(ctx, tx, m.ID, codes, kinds, a.ID())
		if err != nil {
			return err
		}
		var (
			sent   []int64
			events []audit.Event
			emails = newInvitationEmails(s, m)
		)
		for _, st := range states {
			inv := invs[st.Code]
			if created[st.Code] {
				res.Invited++
			}
			if !created[st.Code] && !req.Resend {
				continue
			}
			if len(fps[st.Code]) == 0 {
				res.WithoutFocalPoint = append(res.WithoutFocalPoint, st.Code)
			}
			sent = append(sent, inv.ID)
			events = append(events, audit.Event{Action: "invitation.send", MeetingID: m.ID, State: st.Code,
				SubjectType: "invitation", SubjectID: inv.ID, Details: map[string]any{"round": inv.Rounds + 1, "focal_points": len(fps[st.Code])}})
			url := s.URL(inv)
			for _, fp := range fps[st.Code] {
				emails.add(st, inv, fp, url, inv.Rounds+1)
			}
		}
		if len(sent) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET rounds = rounds + 1, sent_at = now() WHERE id = ANY($1)`, pq.Array(sent)); err != nil {
			return fmt.Errorf("invitation: mark sent: %w", err)
		}
		if err := audit.RecordAll(ctx, tx, a, events); err != nil {
			return err
		}
		if res.EmailsQueued, err = s.outbox.EnqueueAll(ctx, tx, emails.msgs); err != nil {
			return err
		}
		return emails.attachLetters(ctx, tx)
	})
	return res, err
}

// targets resolves the requested states and organisations, or the
// meeting's audience when the request names none.
func (s *Service) targets(ctx context.Context, m meeting.Meeting, req Request) ([]invitee.Invitee, error) {
	if len(req.States) == 0 && len(req.Organisations) == 0 {
		return s.meetings.Audience(ctx, m, "en")
	}
	errs := apperr.Fields{}
	if len(req.States) > 300 {
		errs.Add("states", apperr.M("err.max_states", "N", 300))
	}
	if len(req.Organisations) > 300 {
		errs.Add("organisations", apperr.M("err.max_states", "N", 300))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var all []string
	for _, list := range [][]string{req.States, req.Organisations} {
		for _, c := range list {
			all = append(all, strings.ToUpper(strings.TrimSpace(c)))
		}
	}
	known, err := invitee.ByCode(ctx, s.db, all)
	if err != nil {
		return nil, err
	}
	var out []invitee.Invitee
	seen := map[string]bool{}
	for _, t := range []struct {
		field, kind string
		codes       []string
		unknown     func(string) apperr.Msg
		inactive    func(string) apperr.Msg
	}{
		{"states", invitee.KindState, req.States,
			func(c string) apperr.Msg { return apperr.M("err.unknown_state", "Code", c) },
			func(c string) apperr.Msg { return apperr.M("err.inactive_state", "Code", c) }},
		{"organisations", invitee.KindOrganisation, req.Organisations,
			func(c string) apperr.Msg { return apperr.M("err.unknown_organisation", "Code", c) },
			func(c string) apperr.Msg { return apperr.M("err.inactive_organisation", "Code", c) }},
	} {
		for _, c := range t.codes {
			c = strings.ToUpper(strings.TrimSpace(c))
			if seen[c] {
				continue
			}
			seen[c] = true
			iv, ok := known[c]
			switch {
			case !ok || iv.Kind != t.kind:
				errs.Add(t.field, t.unknown(c))
			case iv.Inactive():
				errs.Add(t.field, t.inactive(c))
			default:
				out = append(out, iv)
			}
		}
	}
	return out, errs.Err()
}

// upsertAll returns the states' invitations to the meeting by state,
// creating those that do not exist (each with a fresh link) and renewing
// revoked ones, and which of them are new or renewed.
func (s *Service) upsertAll(ctx context.Context, tx *sqlx.Tx, meetingID int64, codes []string, kinds map[string]string, by int64) (map[string]Invitation, map[string]bool, error) {
	var existing []Invitation
	err := tx.SelectContext(ctx, &existing, `
		SELECT `+invColumns+` FROM invitations
		WHERE meeting_id = $1 AND invitee = ANY($2) ORDER BY invitee FOR UPDATE`, meetingID, pq.Array(codes))
	if err != nil {
		return nil, nil, fmt.Errorf("invitation: find: %w", err)
	}
	invs, created := map[string]Invitation{}, map[string]bool{}
	for _, inv := range existing {
		if inv.Status == "revoked" {
			if inv, _, err = s.renew(ctx, tx, inv); err != nil {
				return nil, nil, err
			}
			created[inv.State] = true
		}
		invs[inv.State] = inv
	}
	var missing []string
	for _, code := range codes {
		if _, ok := invs[code]; !ok {
			missing = append(missing, code)
		}
	}
	if len(missing) == 0 {
		return invs, created, nil
	}
	// The ids are needed for the tokens, so take them from the sequence first.
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('invitations_id_seq') FROM generate_series(1, $1)`, len(missing)); err != nil {
		return nil, nil, fmt.Errorf("invitation: ids: %w", err)
	}
	nonces, hashes := make(pq.ByteaArray, len(missing)), make(pq.ByteaArray, len(missing))
	for i, code := range missing {
		if nonces[i], err = secret.Nonce(); err != nil {
			return nil, nil, err
		}
		hashes[i] = secret.Hash(s.keys.Token("inv", ids[i], nonces[i]))
		invs[code] = Invitation{ID: ids[i], MeetingID: meetingID, State: code, InviteeKind: kinds[code], Status: "active", Nonce: nonces[i]}
		created[code] = true
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO invitations (id, meeting_id, state_code, organisation_code, nonce, token_hash, created_by)
		SELECT id, $2, s.code, o.code, nonce, token_hash, nullif($6, 0)
		FROM unnest($1::bigint[], $3::text[], $4::bytea[], $5::bytea[]) AS u(id, code, nonce, token_hash)
		LEFT JOIN states s ON s.code = u.code LEFT JOIN organisations o ON o.code = u.code`,
		pq.Array(ids), meetingID, pq.Array(missing), nonces, hashes, by)
	if err != nil {
		return nil, nil, fmt.Errorf("invitation: create: %w", err)
	}
	return invs, created, nil
}

// renew gives a revoked invitation a new link; the old one stays dead.
func (s *Service) renew(ctx context.Context, tx *sqlx.Tx, inv Invitation) (Invitation, bool, error) {
	nonce, err := secret.Nonce()
	if err != nil {
		return Invitation{}, false, err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE invitations SET nonce = $2, token_hash = $3, status = 'active', revoked_at = NULL WHERE id = $1`,
		inv.ID, nonce, secret.Hash(s.keys.Token("inv", inv.ID, nonce)))
	if err != nil {
		return Invitation{}, false, fmt.Errorf("invitation: renew: %w", err)
	}
	inv.Nonce, inv.Status = nonce, "active"
	return inv, true, nil
}

// URL is the registration link of an invitation.
func (s *Service) URL(inv Invitation) string {
	return s.cfg.BaseURL + "/register/" + s.keys.Token("inv", inv.ID, inv.Nonce)
}

// Invitations lists a meeting's invitations: all of them for the
// secretariat, their own state's for a focal point.
func (s *Service) Invitations(ctx context.Context, a auth.Actor, meetingID int64) ([]Invitation, error) {
	if a.Anonymous() {
		return nil, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_invitations"))
	}
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return nil, err
	}
	query := `SELECT ` + invColumns + ` FROM invitations WHERE meeting_id = $1`
	args := []any{meetingID}
	switch {
	case a.Is(auth.RoleSecretariat):
	case a.FocalPointInvitee() != "":
		query += ` AND invitee = $2`
		args = append(args, a.FocalPointInvitee())
	default:
		return nil, apperr.New(apperr.Forbidden, apperr.M("err.invitations_forbidden"))
	}
	invs := []Invitation{}
	if err := s.db.SelectContext(ctx, &invs, query+` ORDER BY organisation_code IS NOT NULL, invitee`, args...); err != nil {
		return nil, fmt.Errorf("invitation: list: %w", err)
	}
	for i := range invs {
		if invs[i].Status == "active" {
			invs[i].RegistrationURL = s.URL(invs[i])
		}
	}
	return invs, nil
}

// Revoke kills a state's registration link; inviting the state again
// gives it a new one.
func (s *Service) Revoke(ctx context.Context, a auth.Actor, meetingID int64, code string) error {
	if err := requireSecretariat(a, apperr.M("err.sign_in_revoke_invitations"), apperr.M("err.secretariat_revoke_invitations")); err != nil {
		return err
	}
	code = strings.ToUpper(code)
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		// Registrations through the link hold the meeting's lock shared
		// and check the link again under it: one under way finishes
		// first, and none starts on the revoked link after this commits.
		if err := meeting.LockForChange(ctx, tx, meetingID); err != nil {
			return err
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			UPDATE invitations SET status = 'revoked', revoked_at = now()
			WHERE meeting_id = $1 AND invitee = $2 AND status = 'active' RETURNING id`, meetingID, code)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, apperr.M("err.no_invitation", "Code", code))
		}
		if err != nil {
			return fmt.Errorf("invitation: revoke: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "invitation.revoke", MeetingID: meetingID, State: code,
			SubjectType: "invitation", SubjectID: id})
	})
}

// LinkGone is the one answer to a registration link that does not work.
func LinkGone() error {
	return apperr.New(apperr.NotFound, apperr.M("err.reg_link_invalid"))
}

// StillActive tells, inside a transaction holding the meeting's lock
// (shared), whether the invitation is still active; LinkGone if not.
func StillActive(ctx context.Context, tx *sqlx.Tx, id int64) error {
	var active bool
	if err := tx.GetContext(ctx, &active, `SELECT status = 'active' FROM invitations WHERE id = $1`, id); err != nil {
		return fmt.Errorf("invitation: check %d: %w", id, err)
	}
	if !active {
		return LinkGone()
	}
	return nil
}

// ByToken finds the active invitation a registration link carries. Unknown,
// revoked and expired links are all "not found" with one message, so a
// link reveals nothing about others.
func (s *Service) ByToken(ctx context.Context, token string) (Invitation, meeting.Meeting, error) {
	gone := LinkGone()
	if !strings.HasPrefix(token, "inv_") || len(token) > 100 {
		return Invitation{}, meeting.Meeting{}, gone
	}
	var inv Invitation
	err := s.db.GetContext(ctx, &inv, `
		SELECT `+invColumns+` FROM invitations
		WHERE token_hash = $1 AND status = 'active'`, secret.Hash(token))
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, meeting.Meeting{}, gone
	}
	if err != nil {
		return Invitation{}, meeting.Meeting{}, fmt.Errorf("invitation: by token: %w", err)
	}
	// The hash matched; compare the derived token too, in constant time.
	if !secret.Equal(s.keys.Token("inv", inv.ID, inv.Nonce), token) {
		return Invitation{}, meeting.Meeting{}, gone
	}
	// The link opens its meeting even when the meeting is not public.
	m, err := s.meetings.MeetingForLink(ctx, inv.MeetingID)
	if apperr.Is(err, apperr.NotFound) {
		return Invitation{}, meeting.Meeting{}, gone
	}
	if err != nil {
		return Invitation{}, meeting.Meeting{}, fmt.Errorf("invitation: meeting of the link: %w", err)
	}
	if m.Status == meeting.StatusDraft || !time.Now().Before(m.RegistrationCloses()) {
		return Invitation{}, meeting.Meeting{}, gone
	}
	return inv, m, nil
}
