// Package calendar renders one meeting as an RFC 5545 iCalendar object: the
// .ics a delegate downloads, and the attachment of invitation, confirmation
// and cancellation emails (RFC 5546 methods REQUEST and CANCEL).
//
// github.com/arran4/golang-ical holds the calendar model; the text is written
// by this package (see encode.go for why).
package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ProductID identifies Agora as the producer of every calendar (PRODID).
const ProductID = "-//Council of Europe//Agora//EN"

// Method is the iTIP method (RFC 5546) written as METHOD; it tells a mail
// client what to do with an attached calendar.
type Method string

// The methods Agora uses.
const (
	// MethodNone writes no METHOD: a plain calendar object, as downloaded.
	MethodNone Method = ""
	// MethodPublish publishes the meeting without inviting anybody.
	MethodPublish Method = "PUBLISH"
	// MethodRequest invites (or confirms) the attendees: their client offers
	// to add or update the meeting in their calendar.
	MethodRequest Method = "REQUEST"
	// MethodCancel removes the meeting from the attendees' calendars.
	MethodCancel Method = "CANCEL"
)

// ErrInvalidEvent is wrapped by every error Render returns for an event it
// refuses to render.
var ErrInvalidEvent = errors.New("invalid calendar event")

// Attendee is a person in an ORGANIZER or ATTENDEE property.
type Attendee struct {
	Name  string // shown by mail clients (CN); may be empty
	Email string // a plain address such as "jean.dupont@example.fr"
}

// Event is one meeting as it appears in a calendar.
type Event struct {
	UID         string    // stable per meeting, e.g. "meeting-42@agora.example.org"
	Sequence    int       // increases when time, place or status changes
	Summary     string    // title in the requested language
	Description string    // free text; newlines are kept
	Location    string    // venue, free text
	URL         string    // http(s) link to the meeting page
	Start, End  time.Time // End must be after Start
	TimeZone    string    // IANA zone, e.g. "Europe/Paris"; "", "UTC" or unknown → UTC
	Cancelled   bool      // STATUS:CANCELLED instead of CONFIRMED
	Stamp       time.Time // DTSTAMP; the zero time means now
	Organizer   Attendee  // required for REQUEST and CANCEL
	Attendees   []Attendee
	Language    string // language tag of the texts ("en", "fr"); optional
}

// Render returns e as an iCalendar object with the given method, lines
// ending in CRLF and folded at 75 octets.
//
// ATTENDEE properties are written only for MethodRequest and MethodCancel,
// so that a published or downloaded calendar never lists other people's
// addresses; ORGANIZER is written whenever it is set. MethodCancel always
// writes STATUS:CANCELLED. An event that breaks a rule yields an error
// wrapping ErrInvalidEvent.
func Render(e Event, m Method) ([]byte, error) {
	if err := validate(e, m); err != nil {
		return nil, err
	}
	return encode(build(e, m))
}

func build(e Event, m Method) *ics.Calendar {
	cal := ics.NewCalendarFor("Agora")
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	if m != MethodNone {
		cal.SetMethod(ics.Method(m))
	}

	loc := location(e.TimeZone)
	if loc != nil {
		cal.AddVTimezone(vtimezone(loc, e.Start, e.End))
	}

	ev := cal.AddEvent(cleanText(e.UID))
	stamp := e.Stamp
	if stamp.IsZero() {
		stamp = time.Now()
	}
	ev.SetDtStampTime(stamp)
	ev.SetSequence(e.Sequence)
	setTime(ev, ics.ComponentPropertyDtStart, e.Start, loc)
	setTime(ev, ics.ComponentPropertyDtEnd, e.End, loc)

	var lang []ics.PropertyParameter
	if e.Language != "" {
		lang = append(lang, &ics.KeyValues{Key: string(ics.ParameterLanguage), Value: []string{e.Language}})
	}
	if s := cleanText(e.Summary); s != "" {
		ev.SetSummary(s, lang...)
	}
	if s := cleanText(e.Description); s != "" {
		ev.SetDescription(s, lang...)
	}
	if s := cleanText(e.Location); s != "" {
		ev.SetLocation(s, lang...)
	}
	if e.URL != "" {
		ev.SetURL(e.URL)
	}

	status := ics.ObjectStatusConfirmed
	if e.Cancelled || m == MethodCancel {
		status = ics.ObjectStatusCancelled
	}
	ev.SetStatus(status)

	if e.Organizer.Email != "" {
		ev.SetOrganizer("mailto:"+e.Organizer.Email, nameParam(e.Organizer.Name)...)
	}
	if m == MethodRequest || m == MethodCancel {
		addAttendees(&ev.ComponentBase, e.Attendees)
	}
	return cal
}

func addAttendees(c *ics.ComponentBase, attendees []Attendee) {
	for _, a := range attendees {
		params := append(nameParam(a.Name),
			ics.ParticipationRoleReqParticipant,
			ics.ParticipationStatusNeedsAction,
			// Registration happens on the site, not by iTIP reply.
			&ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"FALSE"}},
		)
		c.AddAttendee("mailto:"+a.Email, params...)
	}
}

// Prepared is an event rendered once, to be addressed to many attendees
// one by one: a run of invitations renders the meeting once per language
// instead of once per person.
type Prepared struct {
	method Method
	head   []byte // everything before the ATTENDEE lines
}

// preparedTail follows the ATTENDEE lines, the last properties of the
// event, itself the last component.
const preparedTail = "END:VEVENT\r\nEND:VCALENDAR\r\n"

// Prepare renders e, whose Attendees are ignored, for [Prepared.For].
// It refuses what Render would refuse.
func Prepare(e Event, m Method) (*Prepared, error) {
	e.Attendees = []Attendee{{Email: "attendee@example.org"}} // stands for those of For, checked there
	if err := validate(e, m); err != nil {
		return nil, err
	}
	if e.Stamp.IsZero() {
		e.Stamp = time.Now()
	}
	e.Attendees = nil
	out, err := encode(build(e, m))
	if err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(out, []byte(preparedTail)) {
		return nil, fmt.Errorf("calendar: prepare: the event is not last")
	}
	return &Prepared{method: m, head: out[:len(out)-len(preparedTail)]}, nil
}

// For returns the prepared event addressed to attendees: the bytes Render
// returns for the event with these attendees.
func (p *Prepared) For(attendees ...Attendee) ([]byte, error) {
	if p.method == MethodRequest && len(attendees) == 0 {
		return nil, fmt.Errorf("calendar: %w: method REQUEST needs at least one attendee", ErrInvalidEvent)
	}
	b := bytes.NewBuffer(make([]byte, 0, len(p.head)+200*len(attendees)+len(preparedTail)))
	b.Write(p.head)
	if p.method == MethodRequest || p.method == MethodCancel {
		var c ics.ComponentBase
		addAttendees(&c, attendees)
		for i, prop := range c.Properties {
			if !plainAddress(attendees[i].Email) {
				return nil, fmt.Errorf("calendar: %w: attendee address %q is not a plain email address", ErrInvalidEvent, attendees[i].Email)
			}
			if err := writeProperty(b, prop.BaseProperty); err != nil {
				return nil, err
			}
		}
	}
	b.WriteString(preparedTail)
	return b.Bytes(), nil
}

// setTime writes a DATE-TIME in loc with its TZID, or in UTC when loc is nil.
func setTime(ev *ics.VEvent, p ics.ComponentProperty, t time.Time, loc *time.Location) {
	if loc == nil {
		ev.SetProperty(p, t.UTC().Format(utcFormat))
		return
	}
	ev.SetProperty(p, t.In(loc).Format(localFormat), ics.WithTZID(loc.String()))
}

const (
	utcFormat   = "20060102T150405Z"
	localFormat = "20060102T150405"
)

// location returns the zone to write times in, or nil for UTC. An unknown
// zone falls back to UTC: the instants stay right, only the zone name is lost.
func location(name string) *time.Location {
	switch name {
	case "", "UTC", "Etc/UTC", "Local":
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

func nameParam(name string) []ics.PropertyParameter {
	name = strings.TrimSpace(cleanParam(name))
	if name == "" {
		return nil
	}
	return []ics.PropertyParameter{ics.WithCN(name)}
}

func validate(e Event, m Method) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("calendar: %w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
	}
	switch m {
	case MethodNone, MethodPublish, MethodRequest, MethodCancel:
	default:
		return invalid("unsupported method %q", string(m))
	}
	if strings.TrimSpace(e.UID) == "" || hasControl(e.UID) {
		return invalid("UID is empty or contains control characters")
	}
	if e.Sequence < 0 {
		return invalid("negative sequence %d", e.Sequence)
	}
	if e.Start.IsZero() || e.End.IsZero() {
		return invalid("start and end are required")
	}
	if !e.End.After(e.Start) {
		return invalid("end %s is not after start %s", e.End.Format(time.RFC3339), e.Start.Format(time.RFC3339))
	}
	if e.URL != "" && !webURL(e.URL) {
		return invalid("URL %q is not an absolute http(s) URL", e.URL)
	}
	if e.Language != "" && !languageTag.MatchString(e.Language) {
		return invalid("language %q is not a language tag", e.Language)
	}
	if e.Organizer.Email != "" && !plainAddress(e.Organizer.Email) {
		return invalid("organizer address %q is not a plain email address", e.Organizer.Email)
	}
	if (m == MethodRequest || m == MethodCancel) && e.Organizer.Email == "" {
		return invalid("method %s needs an organizer", m)
	}
	if m == MethodRequest && len(e.Attendees) == 0 {
		return invalid("method REQUEST needs at least one attendee")
	}
	for _, a := range e.Attendees {
		if !plainAddress(a.Email) {
			return invalid("attendee address %q is not a plain email address", a.Email)
		}
	}
	return nil
}

var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// plainAddress reports whether s is a bare address (no display name, no
// quoting, nothing a mailto: URI would need to escape), so that it can be
// written after "mailto:" as it is.
func plainAddress(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, "\"\\<>()[],;:?#%") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

func webURL(s string) bool {
	if hasControl(s) || strings.ContainsAny(s, " \"") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
