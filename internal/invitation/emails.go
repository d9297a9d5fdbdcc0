package invitation

import (
	"context"
	"fmt"
	"net/mail"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/i18n"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/state"
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
		Venue:       m.Venue,
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

func (s *Service) sendInvitation(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, st state.State, inv Invitation, fp FocalPoint, round int) (bool, error) {
	lang := fp.Language
	data := invitationData{
		Meeting: MeetingDataFor(m, lang, s.cfg.BaseURL), Name: fp.Name, State: st.Name(lang),
		RegistrationURL: s.URL(inv), Seats: m.SeatsPerState, FundedSeats: m.FundedSeatsPerState,
	}
	subject, text, html, err := s.renderer.Render("invitation", lang, data)
	msg := agoramail.Message{
		Kind: "invitation", To: fp.Email, ToName: fp.Name, Language: lang,
		Subject: subject, Text: text, HTML: html,
		MeetingID: m.ID, DedupeKey: fmt.Sprintf("invitation:%d:%s:%d", inv.ID, fp.Email, round),
	}
	if err != nil {
		msg.Failed("content", err) // logged as failed; the invitation stands
	}
	if msg.Calendar, msg.CalendarMethod, err = CalendarRequest(m, lang, s.cfg.BaseURL, s.organizer(),
		calendar.Attendee{Name: fp.Name, Email: fp.Email}); err != nil {
		msg.Failed("calendar", err)
	}
	_, queued, err := s.outbox.Enqueue(ctx, tx, msg)
	return queued, err
}
