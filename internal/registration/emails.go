package registration

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
)

// Events a person is told about by email.
const (
	EventConfirmed  = "confirmed"  // registered and holding a seat
	EventWaitlisted = "waitlisted" // on the waiting list
	EventPending    = "pending"    // awaiting approval
	EventPromoted   = "promoted"   // moved from the waiting list to a seat
	EventApproved   = "approved"   // approved and holding a seat
	EventDeclined   = "declined"   // refused
	EventCancelled  = "cancelled"  // registration cancelled
	EventReplaced   = "replaced"   // seat passed to someone else by the focal point
	EventAttendance = "attendance" // how the person attends changed, by their focal point or the secretariat
)

func eventFor(status string) string {
	switch status {
	case StatusConfirmed:
		return EventConfirmed
	case StatusWaitlisted:
		return EventWaitlisted
	default:
		return EventPending
	}
}

// registrationData is what the registration emails show.
type registrationData struct {
	Event   string
	Meeting invitation.MeetingData
	Name    string
	State   string
	// Guest: the person comes on a personal invitation (State then names
	// no delegation).
	Guest     bool
	Role      string
	Funded    bool
	Requested bool
	// FundingPending: the request waits for the secretariat's decision.
	FundingPending bool
	ManageURL      string
	Reason         string // the decline reason, in the person's language
	// Attendance is how the person attends a hybrid meeting, in their
	// language ("" at other meetings, where there is no choice).
	Attendance string
}

// notify emails the person about an event of their registration, in their
// language, inside tx. Seats come with a calendar invitation; losing one
// with a calendar cancellation.
func (s *Service) notify(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, r Registration, event string) error {
	if r.GuestID != nil {
		return s.notifyAs(ctx, tx, m, r, event, guestInvitee())
	}
	st, err := invitee.Lookup(ctx, tx, r.State)
	if err != nil {
		return err
	}
	return s.notifyAs(ctx, tx, m, r, event, st)
}

// notifyAs is notify with the registration's state already read (outside
// the quota lock, where reads cost nothing to others).
func (s *Service) notifyAs(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, r Registration, event string, st invitee.Invitee) error {
	var err error
	switch {
	case event == EventConfirmed || event == EventPromoted || event == EventApproved:
	case event == EventAttendance && r.Status == StatusConfirmed: // moved online, they need the link
	default:
		// The online link is for those holding a seat (see
		// meeting.Meeting.WithoutOnlineLink), not for people waiting,
		// pending, declined or cancelled.
		m = m.WithoutOnlineLink()
	}
	data := registrationData{
		Event: event, Meeting: invitation.MeetingDataFor(m, r.Language, s.cfg.BaseURL), Name: r.Name(),
		State: st.Name(r.Language), Guest: r.GuestID != nil, Role: RoleLabel(r.DelegationRole, r.Language), Funded: r.Funded, Requested: r.FundingRequested,
		ManageURL: s.ManageURL(r), Reason: r.DeclineReasonIn(r.Language),
		FundingPending: r.FundingRequested && !r.Funded && m.FundingBySecretariat() && r.FundingState != FundingRefused,
	}
	if m.Format == "hybrid" && r.Active() {
		data.Attendance = AttendanceLabel(r.Attendance, r.Language)
	}
	subject, text, html, err := s.renderer.Render("registration", r.Language, data)
	msg := agoramail.Message{
		Kind: "registration_" + event, To: r.Email, ToName: r.Name(), Language: r.Language,
		Subject: subject, Text: text, HTML: html, MeetingID: m.ID, RegistrationID: r.ID,
		DedupeKey: fmt.Sprintf("registration:%d:%s", r.ID, event),
	}
	if event == EventAttendance { // may change again: each change is its own email
		msg.DedupeKey += fmt.Sprintf(":%s:%d", r.Attendance, r.UpdatedAt.UnixMicro())
	}
	if err != nil {
		msg.Failed("content", err) // logged as failed; the change stands
	}
	var method calendar.Method
	switch event {
	case EventConfirmed, EventPromoted, EventApproved:
		method = calendar.MethodRequest
	case EventCancelled, EventDeclined, EventReplaced:
		method = calendar.MethodCancel
	}
	if method != "" {
		ev := meeting.CalendarEvent(m, r.Language, s.cfg.BaseURL)
		ev.Organizer = s.organizer()
		ev.Attendees = []calendar.Attendee{{Name: r.Name(), Email: r.Email}}
		if msg.Calendar, err = calendar.Render(ev, method); err != nil {
			msg.Failed("calendar", err)
		} else {
			msg.CalendarMethod = string(method)
		}
	}
	_, _, err = s.outbox.Enqueue(ctx, tx, msg)
	return err
}

func (s *Service) organizer() calendar.Attendee { return invitation.Organizer(s.cfg.MailFrom) }

// tellFocalPoints tells the state's focal points that someone registered
// themselves through the state's link, so they can check (and approve).
func (s *Service) tellFocalPoints(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, r Registration, st invitee.Invitee, fps []invitation.FocalPoint) error {
	for _, fp := range fps {
		data := struct {
			Meeting       invitation.MeetingData
			Name          string
			State         string
			Person        string
			Email         string
			Role          string
			Status        string
			NeedsApproval bool
			URL           string
		}{invitation.MeetingDataFor(m, fp.Language, s.cfg.BaseURL), fp.Name, st.Name(fp.Language), r.Name(), r.Email,
			RoleLabel(r.DelegationRole, fp.Language), StatusLabel(r.Status, fp.Language), r.Status == StatusPending, fmt.Sprintf("%s/meetings/%d/delegation", s.cfg.BaseURL, m.ID)}
		subject, text, html, err := s.renderer.Render("self_registration", fp.Language, data)
		msg := agoramail.Message{
			Kind: "self_registration", To: fp.Email, ToName: fp.Name, Language: fp.Language,
			Subject: subject, Text: text, HTML: html, MeetingID: m.ID, RegistrationID: r.ID,
			DedupeKey: fmt.Sprintf("self_registration:%d:%s", r.ID, fp.Email),
		}
		if err != nil {
			msg.Failed("content", err)
		}
		if _, _, err = s.outbox.Enqueue(ctx, tx, msg); err != nil {
			return err
		}
	}
	return nil
}
