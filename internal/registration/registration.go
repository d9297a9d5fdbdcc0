// Package registration holds the people who attend meetings for their
// states: registering through an invitation link or by a focal point or the
// secretariat, per-state quotas and funded seats that hold under any
// concurrency, the waiting list, approvals, self-service through a secret
// link, check-in, and the emails that go with each step.
package registration

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/validate"
)

// Statuses of a registration.
const (
	StatusPending    = "pending"    // awaiting the focal point's or the secretariat's approval
	StatusConfirmed  = "confirmed"  // holds one of the state's seats
	StatusWaitlisted = "waitlisted" // waiting for a seat, in arrival order
	StatusDeclined   = "declined"   // refused by the focal point or the secretariat
	StatusCancelled  = "cancelled"  // withdrawn by the person, the focal point or the secretariat
)

// Statuses lists them all, for filters.
var Statuses = []string{StatusPending, StatusConfirmed, StatusWaitlisted, StatusDeclined, StatusCancelled}

// Roles in a delegation.
var Roles = []string{"head", "delegate", "expert", "adviser", "observer"}

// Sources: who made a registration.
const (
	SourceLink        = "link"
	SourceFocalPoint  = "focal_point"
	SourceSecretariat = "secretariat"
)

// MaxNameLength is the longest first name, and the longest last name, in
// characters: the forms, the API and the database (registrations'
// CHECK) all hold names to it.
const MaxNameLength = 100

// A person's emails go to "First Last": this fails to compile if the
// outbox could not take the longest such name.
const _ = uint(agoramail.MaxNameLength - (2*MaxNameLength + 1))

// Details are what a person tells about themselves; they can edit them
// through their manage link until registration closes.
type Details struct {
	FirstName        string `db:"first_name" json:"first_name" validate:"required,singleline"`
	LastName         string `db:"last_name" json:"last_name" validate:"required,singleline"`
	Email            string `db:"email" json:"email" validate:"required,max=254,email"`
	Function         string `db:"function" json:"function" validate:"max=200,singleline"`
	Organisation     string `db:"organisation" json:"organisation" validate:"max=200,singleline"`
	DelegationRole   string `db:"delegation_role" json:"delegation_role" validate:"required,oneof=head delegate expert adviser observer speaker chair rapporteur"`
	Language         string `db:"language" json:"language" validate:"required,oneof=en fr"`
	FundingRequested bool   `db:"funding_requested" json:"funding_requested"`
	Dietary          string `db:"dietary" json:"dietary" validate:"max=500,text"`
	Accessibility    string `db:"accessibility" json:"accessibility" validate:"max=500,text"`
	ListConsent      bool   `db:"list_consent" json:"list_consent"`
	// Attendance is how the person attends: in_person or online (chosen
	// at a hybrid meeting; else as the meeting is held). Empty on input
	// means the meeting's default (meeting.Fields.DefaultAttendance).
	Attendance string `db:"attendance" json:"attendance" validate:"omitempty,oneof=in_person online"`
	// Gender is self-declared and optional: shown to the person and in
	// aggregate statistics only, never per person on lists (see
	// HideGender).
	Gender string `db:"gender" json:"gender,omitempty" validate:"omitempty,oneof=woman man other undisclosed"`
}

// Genders are the answers a person may give about their gender ("" is no answer).
var Genders = []string{"woman", "man", "other", "undisclosed"}

// HideGender drops the self-declared gender from a registration shown to
// someone other than the person: it is for aggregate statistics only.
func (r *Registration) HideGender() { r.Gender = "" }

// Input is a registration request.
type Input struct {
	// InvitationToken is the secret of the invitation link (public path).
	InvitationToken string `json:"invitation_token"`
	// State is the state the person attends for; fixed by the link on the
	// public path. Past Register's checks it holds the code of the invitee
	// (state or organisation) whatever the field the request used.
	State string `json:"state"`
	// OrganisationCode is the organisation the person attends for,
	// instead of State (fixed by the link on the public path too).
	OrganisationCode string `json:"organisation_code"`
	Details
	// guest is the personal invitation whose link (InvitationToken)
	// registers the person, if it is one.
	guest *Guest
}

// Registration is a registration as stored and shown.
type Registration struct {
	ID        int64 `db:"id" json:"id"`
	MeetingID int64 `db:"meeting_id" json:"meeting_id"`
	// State is the code of the invitee the person attends for: a state
	// or an organisation (codes of both kinds never collide). JSON calls
	// it "invitee"; "state" or "organisation_code" tells the kind.
	State            string  `db:"invitee" json:"invitee"`
	StateCode        *string `db:"state_code" json:"state,omitempty"`
	OrganisationCode *string `db:"organisation_code" json:"organisation_code,omitempty"`
	Details
	Status        string `db:"status" json:"status"`
	Funded        bool   `db:"funded" json:"funded"`
	DeclineReason string `db:"decline_reason" json:"decline_reason,omitempty"` // in English
	// DeclineReasonFR is the decline reason in French.
	DeclineReasonFR string     `db:"decline_reason_fr" json:"decline_reason_fr,omitempty"`
	Source          string     `db:"source" json:"source"`
	ConsentAt       *time.Time `db:"consent_at" json:"consent_at"`
	WaitlistedAt    *time.Time `db:"waitlisted_at" json:"waitlisted_at,omitempty"`
	CheckedInAt     *time.Time `db:"checked_in_at" json:"checked_in_at"`
	ReplacesID      *int64     `db:"replaces_id" json:"replaces_id,omitempty"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at" json:"updated_at"`
	ManageNonce     []byte     `db:"manage_nonce" json:"-"`
	// GuestID is the personal invitation the person registered through
	// (a guest has no invitee: State is empty).
	GuestID *int64 `db:"guest_id" json:"guest_id,omitempty"`
	// FundingDecision is the secretariat's decision on the funding
	// request (granted, refused; nil while none); FundingStatus sums it up.
	FundingDecision  *string    `db:"funding_decision" json:"-"`
	FundingDecidedAt *time.Time `db:"funding_decided_at" json:"funding_decided_at,omitempty"`
	// FundingState is FundingStatus as read (JSON funding_status).
	FundingState string `db:"funding_status" json:"funding_status"`
}

// Funding statuses of a registration.
const (
	FundingNone      = "none"      // no request
	FundingRequested = "requested" // waiting for a decision (or a funded seat)
	FundingGranted   = "granted"   // holds a funded seat
	FundingRefused   = "refused"   // refused by the secretariat
)

// FundingStatus sums up the funding of a registration: none, requested,
// granted or refused.
func (r Registration) FundingStatus() string {
	switch {
	case r.Funded:
		return FundingGranted
	case r.FundingDecision != nil && *r.FundingDecision == FundingRefused:
		return FundingRefused
	case r.FundingRequested:
		return FundingRequested
	}
	return FundingNone
}

// InviteeKind is "organisation" for an organisation's delegate, "state"
// otherwise.
func (r Registration) InviteeKind() string {
	if r.OrganisationCode != nil {
		return invitee.KindOrganisation
	}
	return invitee.KindState
}

// Name is "First Last".
func (r Registration) Name() string { return r.FirstName + " " + r.LastName }

// DeclineReasonIn returns why the registration was declined, in lang,
// falling back to the other language.
func (r Registration) DeclineReasonIn(lang string) string {
	return meeting.Reason{EN: r.DeclineReason, FR: r.DeclineReasonFR}.In(lang)
}

// Active reports whether the registration still counts (not declined or cancelled).
func (r Registration) Active() bool {
	return r.Status == StatusPending || r.Status == StatusConfirmed || r.Status == StatusWaitlisted
}

// normalize trims what people type and lower-cases the email.
func (d *Details) normalize() {
	for _, s := range []*string{&d.FirstName, &d.LastName, &d.Function, &d.Organisation, &d.Dietary, &d.Accessibility} {
		*s = strings.TrimSpace(*s)
	}
	d.Email = validate.NormalizeEmail(d.Email)
	d.Attendance = strings.ToLower(strings.TrimSpace(d.Attendance))
	d.Gender = strings.ToLower(strings.TrimSpace(d.Gender))
	d.FirstName = collapseSpaces(d.FirstName)
	d.LastName = collapseSpaces(d.LastName)
}

// check validates the details: tags, and names that hold at least one
// letter in any script (Ελένη, Коваленко, O'Brien, N'Diaye).
func (d Details) check(v *validate.Validator, errs apperr.Fields) {
	v.Struct(d, errs)
	for field, name := range map[string]string{"first_name": d.FirstName, "last_name": d.LastName} {
		if name != "" && strings.IndexFunc(name, unicode.IsLetter) < 0 {
			errs.Add(field, apperr.M("err.letters"))
		}
		if utf8.RuneCountInString(name) > MaxNameLength {
			errs.Add(field, apperr.M("err.max_chars", "N", MaxNameLength))
		}
	}
	if d.Email != "" {
		if msg := auth.CheckEmail(d.Email); msg.Key != "" {
			errs.Add("email", msg)
		}
	}
}

// collapseSpaces turns runs of spaces into one; other whitespace (a line
// break) is left for validation to refuse.
func collapseSpaces(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}
