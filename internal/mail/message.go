package mail

import (
	"bytes"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coe-agora/agora/internal/apperr"
)

// The statuses of an outgoing email.
const (
	StatusQueued   = "queued"   // waiting for a worker
	StatusSending  = "sending"  // claimed by a worker, under a lease
	StatusSent     = "sent"     // accepted by the SMTP server
	StatusRetrying = "retrying" // a temporary failure; due again at next_attempt_at
	StatusFailed   = "failed"   // given up; last_error says why
	StatusWithheld = "withheld" // kept because no SMTP server is configured
)

// The iCalendar methods an email's calendar part may carry (RFC 5546).
const (
	CalendarRequest = "REQUEST" // an invitation or an update of one
	CalendarCancel  = "CANCEL"  // the event is cancelled
	CalendarPublish = "PUBLISH" // information only, no reply expected
)

// MaxNameLength is the longest display name of a recipient (ToName), in
// characters: a delegate's first and last names, of at most 100 characters
// each, and the space between them. The names of accounts and focal points
// (200) fit too. outgoing_mail's CHECK on to_name is the same limit
// (migration 00017), and the registration package refuses to build if its
// names could outgrow it.
const MaxNameLength = 201

// The longest subject and dedupe key: outgoing_mail's CHECKs.
const (
	maxSubjectLength   = 400
	maxDedupeKeyLength = 300
	maxAddressLength   = 254
)

// Message is one email to queue: who receives it, its rendered content and
// what it is about. Render the content with a [Renderer].
type Message struct {
	// Kind names the email for the log and for metrics, e.g. "invitation",
	// "confirmation", "test": lower case letters, digits and underscores.
	Kind string
	// To is a plain address ("x@example.org"); ToName its display name.
	To     string
	ToName string
	// Language is the recipient's language: "en" or "fr".
	Language string
	Subject  string
	Text     string
	HTML     string
	// Calendar is an optional iCalendar object (an .ics file, UTF-8 text)
	// whose METHOD is CalendarMethod.
	Calendar       []byte
	CalendarMethod string
	// MeetingID and RegistrationID link the email to what it is about;
	// zero means none.
	MeetingID      int64
	RegistrationID int64
	// DedupeKey identifies the logical email: enqueueing a second message
	// with the same key does nothing. Build it from what makes the email
	// unique, e.g. "confirmation:reg:1234:v2".
	DedupeKey string
	// Fault, when set, says why the email could not be built (its
	// template or its calendar failed): [Outbox.Enqueue] then records it
	// as failed, with Fault as its last error, rather than undo the change
	// that caused it.
	Fault string
}

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks the message and returns field-level errors (apperr.Invalid).
func (m Message) Validate() error {
	f := apperr.Fields{}
	if !kindRE.MatchString(m.Kind) {
		f.Add("kind", apperr.M("err.kind_chars"))
	}
	if msg := checkAddress(m.To); msg.Key != "" {
		f.Add("to", msg)
	}
	checkLine(f, "to_name", m.ToName, MaxNameLength, false)
	if m.Language != "en" && m.Language != "fr" {
		f.Add("language", apperr.M("err.lang_values"))
	}
	checkLine(f, "subject", m.Subject, maxSubjectLength, true)
	checkBody(f, "text", m.Text)
	checkBody(f, "html", m.HTML)
	checkCalendar(f, m.Calendar, m.CalendarMethod)
	if m.MeetingID < 0 {
		f.Add("meeting_id", apperr.M("err.not_negative"))
	}
	if m.RegistrationID < 0 {
		f.Add("registration_id", apperr.M("err.not_negative"))
	}
	checkLine(f, "dedupe_key", m.DedupeKey, maxDedupeKeyLength, true)
	return f.Err()
}

// checkAddress returns what is wrong with a recipient address, or a Msg
// with no key.
// Only a bare address is accepted: a display name belongs in ToName, and
// anything else (a group, a comment, a second address) could smuggle
// recipients into the headers.
func checkAddress(s string) apperr.Msg {
	if s == "" {
		return apperr.M("err.required")
	}
	if len(s) > maxAddressLength {
		return apperr.M("err.max_chars", "N", maxAddressLength)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return apperr.M("err.plain_email")
	}
	return apperr.Msg{}
}

// checkLine records an error when v is not a single line of at most max
// characters, or is empty while required. Header values must never carry
// CR or LF: that is how header injection works.
func checkLine(f apperr.Fields, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.Add(field, apperr.M("err.required"))
	case !utf8.ValidString(v):
		f.Add(field, apperr.M("err.utf8"))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		f.Add(field, apperr.M("err.single_line_controls"))
	case utf8.RuneCountInString(v) > max:
		f.Add(field, apperr.M("err.max_chars", "N", max))
	}
}

// checkBody records an error when a body is empty or holds what
// PostgreSQL's text cannot (invalid UTF-8, NUL).
func checkBody(f apperr.Fields, field, v string) {
	switch {
	case strings.TrimSpace(v) == "":
		f.Add(field, apperr.M("err.required"))
	case !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0:
		f.Add(field, apperr.M("err.utf8_text"))
	}
}

func checkCalendar(f apperr.Fields, cal []byte, method string) {
	switch {
	case len(cal) == 0 && method == "":
	case len(cal) == 0:
		f.Add("calendar", apperr.M("err.calendar_required"))
	case method != CalendarRequest && method != CalendarCancel && method != CalendarPublish:
		f.Add("calendar_method", apperr.M("err.calendar_method"))
	case !bytes.HasPrefix(cal, []byte("BEGIN:VCALENDAR")):
		f.Add("calendar", apperr.M("err.calendar_object"))
	case !utf8.Valid(cal) || bytes.IndexByte(cal, 0) >= 0:
		// iCalendar is UTF-8 text (RFC 5545 §3.1.4), stored as text.
		f.Add("calendar", apperr.M("err.utf8_text"))
	case !bytes.Contains(cal, []byte("\nMETHOD:"+method+"\r")) && !bytes.Contains(cal, []byte("\nMETHOD:"+method+"\n")):
		// RFC 6047: the method parameter of the MIME part and the METHOD
		// property of the object must agree, or clients ignore the invite.
		f.Add("calendar_method", apperr.M("err.calendar_match"))
	}
}
