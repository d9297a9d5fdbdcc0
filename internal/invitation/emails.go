package invitation

import (
	"fmt"
	"net/mail"

	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
)

// MeetingData is what every email about a meeting can show, already in
// the recipient's language.
type MeetingData struct {
	Title       string
	Kind        string
	When        string
	Until       string
	TimeZone    string
	Venue       string
	OnlineURL   string
	Description string
	URL         string
	Closes      string
}

// MeetingDataFor prepares a meeting for an email in lang.
func MeetingDataFor(m meeting.Meeting, lang, baseURL string) MeetingData {
	loc := m.Zone()
	return MeetingData{
		Title:       m.Title(lang),
		Kind:        m.Kind,
		When:        i18n.DateTime(m.StartsAt.In(loc), lang),
		Until:       i18n.DateTime(m.EndsAt.In(loc), lang),
		TimeZone:    m.TimeZone,
		Venue:       m.VenueIn(lang),
		OnlineURL:   m.OnlineURL,
		Description: m.Description(lang),
		URL:         fmt.Sprintf("%s/meetings/%d?lang=%s", baseURL, m.ID, lang),
		Closes:      i18n.DateTime(m.RegistrationCloses().In(loc), lang),
	}
}

type invitationData struct {
	Meeting         MeetingData
	Name            string
	State           string
	RegistrationURL string
	Seats           int
	FundedSeats     int
	// Organisation says the invitee is an organisation, not a state.
	Organisation bool
}

func (s *Service) organizer() calendar.Attendee { return Organizer(s.cfg.MailFrom) }

// Organizer is the ORGANIZER of Agora's calendar invitations: the sender
// of its emails (mail_from).
func Organizer(mailFrom string) calendar.Attendee {
	a, err := mail.ParseAddress(mailFrom)
	if err != nil {
		return calendar.Attendee{}
	}
	return calendar.Attendee{Name: a.Name, Email: a.Address}
}

// CalendarRequest renders the meeting as a calendar invitation (METHOD
// REQUEST, or CANCEL once cancelled) addressed to one attendee.
func CalendarRequest(m meeting.Meeting, lang, baseURL string, organizer, attendee calendar.Attendee) ([]byte, string, error) {
	ev := meeting.CalendarEvent(m, lang, baseURL)
	ev.Organizer, ev.Attendees = organizer, []calendar.Attendee{attendee}
	method := calendar.MethodRequest
	if m.Status == meeting.StatusCancelled {
		method = calendar.MethodCancel
	}
	ics, err := calendar.Render(ev, method)
	if err != nil {
		return nil, "", fmt.Errorf("invitation: calendar: %w", err)
	}
	return ics, string(method), nil
}

// invitationEmails builds the invitations of one run. What is the same
// for every focal point of a language — the meeting's texts and dates,
// the calendar event — is prepared once per language, each state's link
// once per state, and the email's bodies once per state and language.
type invitationEmails struct {
	s       *Service
	m       meeting.Meeting
	meeting map[string]MeetingData
	events  map[string]*calendar.Prepared
	failed  map[string]error // why a language's calendar could not be prepared
	method  calendar.Method
	msgs    []agoramail.Message
	// bodies renders the emails, once per state and language.
	bodies *agoramail.Personal[invitationData]
	// states are the letters the emails need (a state in a language),
	// letterOf the letter of each email, by dedupe key (attachLetters).
	states   map[letterKey]invitee.Invitee
	letterOf map[string]letterKey
}

func newInvitationEmails(s *Service, m meeting.Meeting) *invitationEmails {
	bodies := agoramail.NewPersonal(s.renderer, "invitation", func(d invitationData, name string) invitationData {
		d.Name = name
		return d
	})
	e := &invitationEmails{s: s, m: m, bodies: bodies, meeting: map[string]MeetingData{}, events: map[string]*calendar.Prepared{},
		failed: map[string]error{}, method: calendar.MethodRequest, states: map[letterKey]invitee.Invitee{}, letterOf: map[string]letterKey{}}
	if m.Status == meeting.StatusCancelled {
		e.method = calendar.MethodCancel
	}
	organizer := s.organizer()
	for _, lang := range agoramail.Languages() {
		e.meeting[lang] = MeetingDataFor(m, lang, s.cfg.BaseURL)
		ev := meeting.CalendarEvent(m, lang, s.cfg.BaseURL)
		ev.Organizer = organizer
		e.events[lang], e.failed[lang] = calendar.Prepare(ev, e.method)
	}
	return e
}

// add builds the invitation of one focal point (round: the how-many-th
// time the state is invited), in their language. An email whose template
// or calendar fails is kept, marked, for the outbox to log as failed.
func (e *invitationEmails) add(st invitee.Invitee, inv Invitation, fp FocalPoint, url string, round int) {
	lang := fp.Language
	seats, funded := e.m.SeatsOf(st.Code, st.Organisation())
	data := invitationData{
		Meeting: e.meeting[lang], State: st.Name(lang),
		RegistrationURL: url, Seats: seats, FundedSeats: funded, Organisation: st.Organisation(),
	}
	subject, text, html, err := e.bodies.Render(lang, data, fp.Name)
	msg := agoramail.Message{
		Kind: "invitation", To: fp.Email, ToName: fp.Name, Language: lang,
		Subject: subject, Text: text, HTML: html,
		MeetingID: e.m.ID, DedupeKey: fmt.Sprintf("invitation:%d:%s:%d", inv.ID, fp.Email, round),
	}
	if err != nil {
		msg.Failed("content", err) // logged as failed; the invitation stands
	}
	ics, err := []byte(nil), e.failed[lang]
	if err == nil {
		ics, err = e.events[lang].For(calendar.Attendee{Name: fp.Name, Email: fp.Email})
	}
	if err != nil {
		msg.Failed("calendar", fmt.Errorf("invitation: calendar: %w", err))
	} else {
		msg.Calendar, msg.CalendarMethod = ics, string(e.method)
	}
	if e.s.letters != nil && e.s.attachLetters && e.m.Status != meeting.StatusCancelled {
		k := letterKey{code: st.Code, lang: lang}
		e.states[k], e.letterOf[msg.DedupeKey] = st, k
	}
	e.msgs = append(e.msgs, msg)
}
