package privacy

import (
	"encoding/json"
	"time"
)

// Report is everything Agora holds about one email address, as the person
// may ask for it (right of access). Lists are never null in JSON.
type Report struct {
	Email       string    `json:"email"`
	GeneratedAt time.Time `json:"generated_at"`
	// Accounts are sign-in accounts with this address (at most one).
	Accounts []Account `json:"accounts"`
	// FocalPoints are the contacts of states for invitations.
	FocalPoints []FocalPoint `json:"focal_points"`
	// Registrations are the meetings the person was registered for.
	Registrations []Registration `json:"registrations"`
	// Emails are the emails sent (or queued) to the address, with their content.
	Emails []Email `json:"emails"`
	// EmailsAbout are notices about the person's registrations sent to
	// someone else (their state's focal points); recipient and content are
	// left out, as they hold the other person's data too.
	EmailsAbout []EmailAbout `json:"emails_about"`
	// SpeakerMentions are the agenda items naming the person as a speaker.
	SpeakerMentions []SpeakerMention `json:"speaker_mentions"`
	// LoginFailures are failed sign-ins with this address and where they came from.
	LoginFailures []LoginFailure `json:"login_failures"`
	// VisaRequests are requests for visa support letters, with the
	// passport data given (kept until shortly after the meeting).
	VisaRequests []VisaRequest `json:"visa_requests"`
}

// Account is a sign-in account, without its password hash.
type Account struct {
	ID             int64           `db:"id" json:"id"`
	Email          string          `db:"email" json:"email"`
	Name           string          `db:"name" json:"name"`
	Role           string          `db:"role" json:"role"`
	State          *string         `db:"state_code" json:"state"`
	Language       string          `db:"language" json:"language"`
	CreatedAt      time.Time       `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time       `db:"updated_at" json:"updated_at"`
	Tokens         []Token         `db:"-" json:"api_tokens"`
	PasswordResets []PasswordReset `db:"-" json:"password_resets"`
}

// Token describes an API token of an account; the secret is never stored.
type Token struct {
	ID         int64      `db:"id" json:"id"`
	Name       string     `db:"name" json:"name"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
}

// PasswordReset is a password reset link asked for; only a hash of it is stored.
type PasswordReset struct {
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt    *time.Time `db:"used_at" json:"used_at"`
}

// FocalPoint is a state's contact for invitations.
type FocalPoint struct {
	ID        int64     `db:"id" json:"id"`
	State     string    `db:"state_code" json:"state"`
	Name      string    `db:"name" json:"name"`
	Email     string    `db:"email" json:"email"`
	Language  string    `db:"language" json:"language"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Registration is a registration with every stored field but the manage
// link's secrets, and the meeting it is for.
type Registration struct {
	ID               int64      `db:"id" json:"id"`
	MeetingID        int64      `db:"meeting_id" json:"meeting_id"`
	MeetingTitleEN   string     `db:"meeting_title_en" json:"meeting_title_en"`
	MeetingTitleFR   string     `db:"meeting_title_fr" json:"meeting_title_fr"`
	MeetingStartsAt  time.Time  `db:"meeting_starts_at" json:"meeting_starts_at"`
	MeetingEndsAt    time.Time  `db:"meeting_ends_at" json:"meeting_ends_at"`
	State            string     `db:"state_code" json:"state"`
	InvitationID     *int64     `db:"invitation_id" json:"invitation_id"`
	FirstName        string     `db:"first_name" json:"first_name"`
	LastName         string     `db:"last_name" json:"last_name"`
	Email            string     `db:"email" json:"email"`
	Function         string     `db:"function" json:"function"`
	Organisation     string     `db:"organisation" json:"organisation"`
	DelegationRole   string     `db:"delegation_role" json:"delegation_role"`
	Language         string     `db:"language" json:"language"`
	FundingRequested bool       `db:"funding_requested" json:"funding_requested"`
	Funded           bool       `db:"funded" json:"funded"`
	Dietary          string     `db:"dietary" json:"dietary"`
	Accessibility    string     `db:"accessibility" json:"accessibility"`
	ListConsent      bool       `db:"list_consent" json:"list_consent"`
	ConsentAt        *time.Time `db:"consent_at" json:"consent_at"`
	Status           string     `db:"status" json:"status"`
	DeclineReason    string     `db:"decline_reason" json:"decline_reason"`
	DeclineReasonFR  string     `db:"decline_reason_fr" json:"decline_reason_fr"`
	WaitlistedAt     *time.Time `db:"waitlisted_at" json:"waitlisted_at"`
	CheckedInAt      *time.Time `db:"checked_in_at" json:"checked_in_at"`
	Source           string     `db:"source" json:"source"`
	CreatedBy        *int64     `db:"created_by" json:"created_by"`
	ReplacesID       *int64     `db:"replaces_id" json:"replaces_id"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at" json:"updated_at"`
	Attendance       string     `db:"attendance" json:"attendance"`
	// Gender as the person declared it ("" when they did not).
	Gender string `db:"gender" json:"gender"`
}

// Email is an email sent or queued to the address, as the mail log holds it.
type Email struct {
	ID             int64      `db:"id" json:"id"`
	Kind           string     `db:"kind" json:"kind"`
	To             string     `db:"to_address" json:"to"`
	ToName         string     `db:"to_name" json:"to_name"`
	Language       string     `db:"language" json:"language"`
	Subject        string     `db:"subject" json:"subject"`
	Text           string     `db:"text_body" json:"text_body"`
	HTML           string     `db:"html_body" json:"html_body"`
	Calendar       *string    `db:"calendar" json:"calendar"`
	CalendarMethod *string    `db:"calendar_method" json:"calendar_method"`
	MeetingID      *int64     `db:"meeting_id" json:"meeting_id"`
	RegistrationID *int64     `db:"registration_id" json:"registration_id"`
	MessageID      string     `db:"message_id" json:"message_id"`
	Status         string     `db:"status" json:"status"`
	Attempts       int        `db:"attempts" json:"attempts"`
	LastError      string     `db:"last_error" json:"last_error"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	QueuedAt       time.Time  `db:"queued_at" json:"queued_at"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

// EmailAbout is an email about one of the person's registrations sent to
// someone else.
type EmailAbout struct {
	ID             int64      `db:"id" json:"id"`
	Kind           string     `db:"kind" json:"kind"`
	MeetingID      *int64     `db:"meeting_id" json:"meeting_id"`
	RegistrationID int64      `db:"registration_id" json:"registration_id"`
	Status         string     `db:"status" json:"status"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	SentAt         *time.Time `db:"sent_at" json:"sent_at"`
}

// SpeakerMention is a speaker entry of an agenda item naming the person:
// linked to one of their registrations, or by exactly the same name (which
// may be someone else of that name; MatchedBy tells which).
type SpeakerMention struct {
	MeetingID      int64           `db:"meeting_id" json:"meeting_id"`
	MeetingTitleEN string          `db:"meeting_title_en" json:"meeting_title_en"`
	MeetingTitleFR string          `db:"meeting_title_fr" json:"meeting_title_fr"`
	AgendaItemID   int64           `db:"agenda_item_id" json:"agenda_item_id"`
	ItemTitleEN    string          `db:"item_title_en" json:"item_title_en"`
	ItemTitleFR    string          `db:"item_title_fr" json:"item_title_fr"`
	Speaker        json.RawMessage `db:"speaker" json:"speaker"`
	MatchedBy      string          `db:"matched_by" json:"matched_by"` // "registration" or "name"
}

// LoginFailure is a failed sign-in with the address.
type LoginFailure struct {
	At      time.Time `db:"at" json:"at"`
	Address string    `db:"address" json:"address"`
}
