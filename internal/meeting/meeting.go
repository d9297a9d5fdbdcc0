// Package meeting holds meetings and their bilingual agendas: the rules
// for scheduling and publishing them, their lifecycle, and the history of
// every change.
package meeting

import (
	"time"

	"github.com/lib/pq"
)

// Kinds of meeting.
var Kinds = []string{"plenary", "bureau", "ministerial", "expert_group", "forum", "training", "webinar"}

// Statuses as clients see them. Draft, published, cancelled and archived are
// stored; the others are derived from the dates of a published meeting.
const (
	StatusDraft              = "draft"
	StatusPublished          = "published"
	StatusRegistrationOpen   = "registration_open"
	StatusRegistrationClosed = "registration_closed"
	StatusHeld               = "held"
	StatusCancelled          = "cancelled"
	StatusArchived           = "archived"
)

// Statuses lists every status a meeting can show, for filters.
var Statuses = []string{StatusDraft, StatusPublished, StatusRegistrationOpen, StatusRegistrationClosed,
	StatusHeld, StatusCancelled, StatusArchived}

// Audiences: which states a meeting invites.
const (
	AudienceMembers            = "members"
	AudienceMembersAndPartners = "members_and_partners"
	AudienceCustom             = "custom"
)

// DefaultTimeZone is where the secretariat sits.
const DefaultTimeZone = "Europe/Paris"

// Fields are the editable fields of a meeting, as the API names them.
type Fields struct {
	Kind                 string         `db:"kind" json:"kind" validate:"required,oneof=plenary bureau ministerial expert_group forum training webinar"`
	TitleEN              string         `db:"title_en" json:"title_en" validate:"max=300,singleline"`
	TitleFR              string         `db:"title_fr" json:"title_fr" validate:"max=300,singleline"`
	DescriptionEN        string         `db:"description_en" json:"description_en" validate:"max=10000,text"`
	DescriptionFR        string         `db:"description_fr" json:"description_fr" validate:"max=10000,text"`
	StartsAt             time.Time      `db:"starts_at" json:"starts_at" validate:"required"`
	EndsAt               time.Time      `db:"ends_at" json:"ends_at" validate:"required"`
	TimeZone             string         `db:"timezone" json:"timezone" validate:"required,max=64"`
	Format               string         `db:"format" json:"format" validate:"required,oneof=in_person online hybrid"`
	VenueEN              string         `db:"venue_en" json:"venue_en" validate:"max=300,singleline"`
	VenueFR              string         `db:"venue_fr" json:"venue_fr" validate:"max=300,singleline"`
	OnlineURL            string         `db:"online_url" json:"online_url" validate:"omitempty,max=500,http_url,singleline"`
	Languages            pq.StringArray `db:"languages" json:"languages" validate:"min=1,max=2,unique,dive,oneof=en fr"`
	RegistrationOpensAt  *time.Time     `db:"registration_opens_at" json:"registration_opens_at"`
	RegistrationClosesAt *time.Time     `db:"registration_closes_at" json:"registration_closes_at"`
	SeatsPerState        int            `db:"seats_per_state" json:"seats_per_state" validate:"gte=0,lte=1000"`
	FundedSeatsPerState  int            `db:"funded_seats_per_state" json:"funded_seats_per_state" validate:"gte=0,lte=1000"`
	Capacity             int            `db:"capacity" json:"capacity" validate:"gte=0,lte=100000"`
	Audience             string         `db:"audience" json:"audience" validate:"required,oneof=members members_and_partners custom"`
	InvitedStates        pq.StringArray `db:"invited_states" json:"invited_states" validate:"max=300,unique"`
	RequiresApproval     bool           `db:"requires_approval" json:"requires_approval"`
	Public               bool           `db:"public" json:"public"`

	// InvitedOrganisations are the organisations invited next to the
	// states of the audience (codes).
	InvitedOrganisations       pq.StringArray `db:"invited_organisations" json:"invited_organisations" validate:"max=300,unique"`
	SeatsPerOrganisation       int            `db:"seats_per_organisation" json:"seats_per_organisation" validate:"gte=0,lte=1000"`
	FundedSeatsPerOrganisation int            `db:"funded_seats_per_organisation" json:"funded_seats_per_organisation" validate:"gte=0,lte=1000"`
	// Quotas override the seats of single invitees (states or
	// organisations): {"FR": {"seats": 4, "funded_seats": 2}}.
	Quotas Quotas `db:"quotas" json:"quotas"`
	// InPersonCapacity limits the people in the room of a hybrid meeting
	// (0: no limit); online attendance has no limit (see hybrid.go).
	InPersonCapacity int `db:"in_person_capacity" json:"in_person_capacity" validate:"gte=0,lte=100000"`
	// ReminderFocalPointsDays: how many days before registration closes
	// the focal points of invitees with nobody confirmed are reminded
	// (0: never).
	ReminderFocalPointsDays int `db:"reminder_focal_points_days" json:"reminder_focal_points_days" validate:"gte=0,lte=90"`
	// ReminderParticipantsDays: how many days before the meeting its
	// confirmed participants get the practical reminder (0: never).
	ReminderParticipantsDays int `db:"reminder_participants_days" json:"reminder_participants_days" validate:"gte=0,lte=90"`
	// FundingDecision says who grants funding requests: "automatic"
	// (granted at once while the invitee has funded seats left) or
	// "secretariat" (requests wait for the secretariat's decision).
	FundingDecision string `db:"funding_decision" json:"funding_decision" validate:"omitempty,oneof=automatic secretariat"`
}

// Ways funding requests are decided.
const (
	FundingAutomatic   = "automatic"
	FundingSecretariat = "secretariat"
)

// FundingBySecretariat reports whether funding requests wait for the
// secretariat's decision.
func (f Fields) FundingBySecretariat() bool { return f.FundingDecision == FundingSecretariat }

// DefaultFields are what a new meeting starts from before the request's
// fields are applied.
func DefaultFields() Fields {
	return Fields{
		TimeZone:      DefaultTimeZone,
		Languages:     pq.StringArray{"en", "fr"},
		SeatsPerState: 2,
		Audience:      AudienceMembers,
		Format:        "in_person",
		InvitedStates: pq.StringArray{},

		InvitedOrganisations: pq.StringArray{},
		SeatsPerOrganisation: 1,
		Quotas:               Quotas{},

		FundingDecision: FundingAutomatic,
	}
}

// Meeting is a meeting as stored and shown.
type Meeting struct {
	ID int64 `db:"id" json:"id"`
	Fields
	// Venue is the English venue under the name API clients knew before
	// venue_en and venue_fr (read-only; pages and emails use VenueIn).
	Venue          string    `db:"venue" json:"venue"`
	Status         string    `db:"status" json:"status"`
	CancelReason   string    `db:"cancel_reason" json:"cancel_reason,omitempty"` // in English
	CancelReasonFR string    `db:"cancel_reason_fr" json:"cancel_reason_fr,omitempty"`
	Sequence       int       `db:"sequence" json:"sequence"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
}

// Title returns the title in lang, falling back to the other language.
func (m Meeting) Title(lang string) string { return inLang(lang, m.TitleEN, m.TitleFR) }

// Description returns the description in lang, falling back to the other language.
func (m Meeting) Description(lang string) string {
	return inLang(lang, m.DescriptionEN, m.DescriptionFR)
}

// VenueIn returns the venue in lang, falling back to the other language.
func (f Fields) VenueIn(lang string) string { return inLang(lang, f.VenueEN, f.VenueFR) }

// CancelReasonIn returns why the meeting was cancelled, in lang, falling
// back to the other language.
func (m Meeting) CancelReasonIn(lang string) string {
	return inLang(lang, m.CancelReason, m.CancelReasonFR)
}

// Reason is a reason given in English and French (either may be empty),
// shown to each reader in their language.
type Reason struct {
	EN, FR string
}

// In returns the reason in lang, falling back to the other language.
func (r Reason) In(lang string) string { return inLang(lang, r.EN, r.FR) }

// inLang picks the French or English text for lang, falling back to the
// other when the one asked for is empty.
func inLang(lang, en, fr string) string {
	if lang == "fr" && fr != "" || en == "" {
		return fr
	}
	return en
}

// Location returns where the meeting takes place, in words, in lang.
func (m Meeting) Location(lang string) string {
	venue := m.VenueIn(lang)
	switch {
	case venue != "" && m.OnlineURL != "":
		return venue + " / " + m.OnlineURL
	case venue != "":
		return venue
	default:
		return m.OnlineURL
	}
}

// Zone returns the meeting's time zone (UTC when it cannot be loaded,
// which validation prevents).
func (f Fields) Zone() *time.Location {
	loc, err := time.LoadLocation(f.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// RegistrationCloses is when registration closes: the set date, else the start.
func (f Fields) RegistrationCloses() time.Time {
	if f.RegistrationClosesAt != nil {
		return *f.RegistrationClosesAt
	}
	return f.StartsAt
}

// Editable reports whether the meeting may still be changed.
func (m Meeting) Editable() bool {
	return m.Status != StatusCancelled && m.Status != StatusArchived
}

// Over reports whether the meeting has taken place: held or archived, or
// past its end whatever its status. From then on what people did is a
// record (attendance), which only the secretariat corrects.
func (m Meeting) Over() bool {
	return m.Status == StatusHeld || m.Status == StatusArchived || (!m.EndsAt.IsZero() && !time.Now().Before(m.EndsAt))
}

// StatusChangesAfter returns the first moment after t at which the status
// a published meeting shows may change by the clock alone — registration
// opening or closing, the meeting ending — or false when none is left.
// (For other lifecycles the dates change nothing; the answer is then only
// cautious.)
func (m Meeting) StatusChangesAfter(t time.Time) (time.Time, bool) {
	var next time.Time
	for _, b := range []*time.Time{m.RegistrationOpensAt, ptrTo(m.RegistrationCloses()), ptrTo(m.EndsAt)} {
		if b != nil && b.After(t) && (next.IsZero() || b.Before(next)) {
			next = *b
		}
	}
	return next, !next.IsZero()
}

func ptrTo(t time.Time) *time.Time { return &t }
