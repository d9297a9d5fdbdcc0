package registration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/secret"
	"github.com/coe-agora/agora/internal/validate"
)

// Config is what the registration service needs from the configuration.
type Config struct {
	BaseURL  string
	MailFrom string
}

// Service registers people and manages their registrations.
type Service struct {
	db          *sqlx.DB
	v           *validate.Validator
	meetings    *meeting.Service
	invitations *invitation.Service
	outbox      *mail.Outbox
	renderer    *mail.Renderer
	keys        *secret.Keys
	cfg         Config
	// visaLetters renders visa support letters (SetVisaLetters).
	visaLetters VisaLetterFunc
}

// NewService returns the registration service.
func NewService(db *sqlx.DB, v *validate.Validator, meetings *meeting.Service, invitations *invitation.Service,
	outbox *mail.Outbox, renderer *mail.Renderer, keys *secret.Keys, cfg Config) *Service {
	return &Service{db: db, v: v, meetings: meetings, invitations: invitations, outbox: outbox,
		renderer: renderer, keys: keys, cfg: cfg}
}

// CanManageState reports whether the actor may act on a state's
// registrations: the secretariat (and admins), or that state's focal point.
func CanManageState(a auth.Actor, code string) bool {
	return a.Is(auth.RoleSecretariat) || a.FocalPointOf(code)
}

// Result is what registering returns.
type Result struct {
	Registration
	ManageURL string `json:"manage_url"`
}

// computedColumns are the registration columns that are expressions:
// the invitee, ” for a guest's (whose invitee is NULL), and the funding
// status (see Registration.FundingStatus). Each is written without a comma
// so that prefixed can split the columns, and takes the table's prefix.
func computedColumns(p string) []string {
	return []string{
		`(CASE WHEN ` + p + `invitee IS NULL THEN '' ELSE ` + p + `invitee END) AS invitee`,
		`(CASE WHEN ` + p + `funded THEN 'granted' WHEN ` + p + `funding_decision = 'refused' THEN 'refused'
			WHEN ` + p + `funding_requested THEN 'requested' ELSE 'none' END) AS funding_status`,
	}
}

var regColumns = `id, meeting_id, ` + strings.Join(computedColumns(""), ", ") + `, state_code, organisation_code, first_name, last_name, email, function, organisation,
	delegation_role, language, funding_requested, dietary, accessibility, list_consent, status, funded,
	decline_reason, decline_reason_fr, source, consent_at, waitlisted_at, checked_in_at, replaces_id, created_at, updated_at, manage_nonce,
	attendance, gender, guest_id, funding_decision, funding_decided_at`

// Register registers a person for a state at a meeting. Who may: anyone
// holding the state's invitation link (the link fixes the state), the
// state's focal point, or the secretariat. The seat is decided under the
// meeting's and the state's locks: confirmed, waitlisted, or pending when
// the meeting needs approval of self-registrations.
func (s *Service) Register(ctx context.Context, a auth.Actor, meetingID int64, in Input) (Result, error) {
	m, source, inv, err := s.authorizeRegister(ctx, a, meetingID, &in)
	if err != nil {
		return Result{}, err
	}
	in.Details.normalize()
	errs := apperr.Fields{}
	if g := in.guest; g != nil { // the link registers its guest's address only, in the role they were invited for
		if in.Email == "" {
			in.Email = g.Email
		}
		if in.Email != g.Email {
			errs.Add("email", apperr.M("err.guest_email", "Email", g.Email))
		}
		in.DelegationRole = g.Role
		in.FundingRequested = in.FundingRequested && g.FundingOffered
	}
	in.Details.check(s.v, errs)
	checkAttendance(m, &in.Details, errs)
	if err := errs.Err(); err != nil {
		return Result{}, err
	}
	if err := s.checkOpen(m, source); err != nil {
		return Result{}, err // checked again under the lock; this spares the transaction
	}
	// What the emails need is read before the transaction, so that the
	// locks are held only for the seat decision and the writes.
	st, key := guestInvitee(), ""
	if in.guest != nil {
		key = guestKey(in.guest.ID)
	} else if st, err = invitee.Lookup(ctx, s.db, in.State); err != nil {
		return Result{}, err
	}
	var fps []invitation.FocalPoint
	if source == SourceLink && in.guest == nil {
		byState, err := invitation.FocalPointsOf(ctx, s.db, []string{in.State})
		if err != nil {
			return Result{}, err
		}
		fps = byState[in.State]
	}
	var res Result
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		// The meeting as it is under the locks: it may have been
		// cancelled, closed or given a capacity since it was read.
		lock := in.State
		if key != "" {
			lock = key
		}
		m, err := s.lockSeats(ctx, tx, meetingID, lock)
		if err != nil {
			return err
		}
		if err := s.checkOpen(m, source); err != nil {
			return err
		}
		if inv != nil { // the link may have been revoked since it was read
			if err := invitation.StillActive(ctx, tx, *inv); err != nil {
				return err
			}
		}
		if in.guest != nil {
			if err := guestStillActive(ctx, tx, in.guest.ID); err != nil {
				return err
			}
		}
		// No duplicate check here: the unique index refuses a second live
		// registration of the address, and insert reports it as such.
		status, funded := StatusPending, false
		if !(m.RequiresApproval && source == SourceLink && in.guest == nil) { // a guest was invited by the secretariat itself
			u, err := countUsage(ctx, tx, m.ID, in.State)
			if in.guest != nil {
				u, err = countGuestUsage(ctx, tx, m.ID, in.guest.ID)
			}
			if err != nil {
				return err
			}
			if u.roomFull(in.Attendance) {
				return errRoomFull()
			}
			status, funded = seat(u, in.FundingRequested)
		}
		r, err := s.insert(ctx, tx, m.ID, in, inv, status, funded, source, a.ID(), nil)
		if err != nil {
			return err
		}
		if err := s.notifyAs(ctx, tx, m, r, eventFor(status), st); err != nil {
			return err
		}
		if source == SourceLink && in.guest == nil {
			if err := s.tellFocalPoints(ctx, tx, m, r, st, fps); err != nil {
				return err
			}
		}
		res = Result{Registration: r, ManageURL: s.ManageURL(r)}
		return audit.Record(ctx, tx, a, audit.Event{Action: "registration.create", MeetingID: m.ID, State: r.State,
			SubjectType: "registration", SubjectID: r.ID, Details: map[string]any{"status": r.Status, "funded": r.Funded, "source": source}})
	})
	return res, err
}

// authorizeRegister works out who registers for which state, and fixes
// in.State accordingly.
func (s *Service) authorizeRegister(ctx context.Context, a auth.Actor, meetingID int64, in *Input) (meeting.Meeting, string, *int64, error) {
	in.State = strings.ToUpper(strings.TrimSpace(in.State))
	if org := strings.ToUpper(strings.TrimSpace(in.OrganisationCode)); org != "" {
		if in.State != "" && in.State != org {
			return meeting.Meeting{}, "", nil, apperr.InvalidField("organisation_code", apperr.M("err.state_or_organisation"))
		}
		in.State = org
	}
	if strings.HasPrefix(in.InvitationToken, GuestTokenPrefix) {
		g, m, err := s.GuestByToken(ctx, in.InvitationToken)
		if err != nil {
			return meeting.Meeting{}, "", nil, err
		}
		if m.ID != meetingID {
			return meeting.Meeting{}, "", nil, apperr.New(apperr.NotFound, apperr.M("err.link_other_meeting"))
		}
		in.State, in.guest = "", &g
		return m, SourceLink, nil, nil
	}
	if in.InvitationToken != "" {
		inv, m, err := s.invitations.ByToken(ctx, in.InvitationToken)
		if err != nil {
			return meeting.Meeting{}, "", nil, err
		}
		if m.ID != meetingID {
			return meeting.Meeting{}, "", nil, apperr.New(apperr.NotFound, apperr.M("err.link_other_meeting"))
		}
		if in.State != "" && in.State != inv.State {
			return meeting.Meeting{}, "", nil, apperr.InvalidField("state", apperr.M("err.link_for_state", "Code", inv.State))
		}
		in.State = inv.State
		return m, SourceLink, &inv.ID, nil
	}
	if a.Anonymous() {
		return meeting.Meeting{}, "", nil, apperr.New(apperr.Unauthorized, apperr.M("err.register_how"))
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return meeting.Meeting{}, "", nil, err
	}
	if in.State == "" {
		in.State = a.FocalPointInvitee()
	}
	if !invitee.ValidCode(in.State) {
		return meeting.Meeting{}, "", nil, apperr.InvalidField("state", apperr.M("err.state_required"))
	}
	if !CanManageState(a, in.State) {
		return meeting.Meeting{}, "", nil, apperr.New(apperr.Forbidden, apperr.M("err.own_state_register"))
	}
	invited, err := s.stateInvited(ctx, m, in.State)
	if err != nil {
		return meeting.Meeting{}, "", nil, err
	}
	if !invited {
		return meeting.Meeting{}, "", nil, apperr.InvalidField("state", apperr.M("err.not_invited", "Code", in.State))
	}
	source := SourceFocalPoint
	if a.Is(auth.RoleSecretariat) {
		source = SourceSecretariat
	}
	return m, source, nil, nil
}

// stateInvited reports whether a state is in the meeting's audience or
// holds an invitation to it.
func (s *Service) stateInvited(ctx context.Context, m meeting.Meeting, code string) (bool, error) {
	states, err := s.meetings.Audience(ctx, m, "en")
	if err != nil {
		return false, err
	}
	for _, st := range states {
		if st.Code == code {
			return true, nil
		}
	}
	var n int
	err = s.db.GetContext(ctx, &n, `SELECT count(*) FROM invitations WHERE meeting_id = $1 AND invitee = $2 AND status = 'active'`, m.ID, code)
	if err != nil {
		return false, fmt.Errorf("registration: invitation of %s: %w", code, err)
	}
	return n > 0, nil
}

// checkOpen: registration happens on a published meeting while its window
// is open. The secretariat may still register people after the window
// closes (late changes happen), but never for a cancelled or held meeting.
func (s *Service) checkOpen(m meeting.Meeting, source string) error {
	switch m.Status {
	case meeting.StatusCancelled:
		return apperr.New(apperr.Conflict, apperr.M("err.meeting_cancelled"))
	case meeting.StatusHeld, meeting.StatusArchived:
		return apperr.New(apperr.Conflict, apperr.M("err.meeting_held"))
	case meeting.StatusDraft:
		return apperr.New(apperr.Conflict, apperr.M("err.not_published"))
	case meeting.StatusPublished:
		if source != SourceSecretariat {
			return apperr.New(apperr.Conflict, apperr.M("err.reg_not_open"))
		}
	case meeting.StatusRegistrationClosed:
		if source != SourceSecretariat {
			return apperr.New(apperr.Conflict, apperr.M("err.reg_closed"))
		}
	}
	return nil
}

func (s *Service) checkNoDuplicate(ctx context.Context, tx *sqlx.Tx, meetingID int64, email string) error {
	var n int
	err := tx.GetContext(ctx, &n, `
		SELECT count(*) FROM registrations
		WHERE meeting_id = $1 AND email = $2 AND status NOT IN ('cancelled', 'declined')`, meetingID, email)
	if err != nil {
		return fmt.Errorf("registration: duplicate check: %w", err)
	}
	if n > 0 {
		return duplicate()
	}
	return nil
}

func duplicate() error {
	return &apperr.Error{Code: apperr.Conflict, Msg: apperr.M("err.email_registered"),
		Fields: apperr.Fields{"email": apperr.M("err.already_registered")}}
}

func (s *Service) insert(ctx context.Context, tx *sqlx.Tx, meetingID int64, in Input, inv *int64,
	status string, funded bool, source string, by int64, replaces *int64) (Registration, error) {
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT nextval('registrations_id_seq')`); err != nil {
		return Registration{}, fmt.Errorf("registration: id: %w", err)
	}
	nonce, err := secret.Nonce()
	if err != nil {
		return Registration{}, err
	}
	var r Registration
	err = tx.GetContext(ctx, &r, `
		INSERT INTO registrations (id, meeting_id, state_code, organisation_code, invitation_id, first_name, last_name, email, function,
			organisation, delegation_role, language, funding_requested, funded, dietary, accessibility, list_consent,
			consent_at, status, waitlisted_at, manage_nonce, manage_hash, source, created_by, replaces_id, attendance, gender, guest_id)
		VALUES ($1, $2, (SELECT code FROM states WHERE code = $3), (SELECT code FROM organisations WHERE code = $3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
			CASE WHEN $16 THEN now() END, $17, CASE WHEN $17 = 'waitlisted' THEN clock_timestamp() END,
			$18, $19, $20, nullif($21, 0), $22, $23, $24, $25)
		RETURNING `+regColumns,
		id, meetingID, in.State, inv, in.FirstName, in.LastName, in.Email, in.Function,
		in.Organisation, in.DelegationRole, in.Language, in.FundingRequested, funded, in.Dietary, in.Accessibility, in.ListConsent,
		status, nonce, secret.Hash(s.keys.Token("reg", id, nonce)), source, by, replaces, in.Attendance, in.Gender, guestIDOf(in))
	if postgres.IsUniqueViolation(err, "registrations_meeting_email_key") {
		return Registration{}, duplicate()
	}
	if err != nil {
		return Registration{}, fmt.Errorf("registration: insert: %w", err)
	}
	return r, nil
}

// ManageURL is the person's secret link to see, edit or cancel their registration.
func (s *Service) ManageURL(r Registration) string {
	return s.cfg.BaseURL + "/registrations/manage/" + s.keys.Token("reg", r.ID, r.ManageNonce)
}

// get reads a registration; forUpdate locks its row.
func get(ctx context.Context, q sqlx.QueryerContext, id int64, forUpdate bool) (Registration, error) {
	query := `SELECT ` + regColumns + ` FROM registrations WHERE id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var r Registration
	err := sqlx.GetContext(ctx, q, &r, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, errNoSuchRegistration()
	}
	if err != nil {
		return Registration{}, fmt.Errorf("registration: get %d: %w", id, err)
	}
	return r, nil
}

func isDuplicate(err error) bool {
	return postgres.IsUniqueViolation(err, "registrations_meeting_email_key")
}

// errNoSuchRegistration is the one answer to a registration id that does
// not exist or that the caller may not see.
func errNoSuchRegistration() error {
	return apperr.New(apperr.NotFound, apperr.M("err.no_registration"))
}

// guestIDOf is the id of the guest registering through their link, else nil.
func guestIDOf(in Input) *int64 {
	if in.guest == nil {
		return nil
	}
	return &in.guest.ID
}
