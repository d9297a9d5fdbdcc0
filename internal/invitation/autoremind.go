package invitation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/calendar"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
)

// The reminders a meeting sends on its own (meeting.Fields'
// ReminderFocalPointsDays and ReminderParticipantsDays), as
// meeting_reminders names them.
const (
	ReminderFocalPoints  = "focal_points"
	ReminderParticipants = "participants"
)

// DueReminder is an automatic reminder whose time has come.
type DueReminder struct {
	MeetingID int64  `db:"meeting_id"`
	Kind      string `db:"kind"`
}

// DueReminders lists the automatic reminders due at now and not sent yet:
// to focal points from N days before registration closes until it does
// (while it is open), to participants from N days before the meeting
// until it starts. A reminder whose whole window passed while no worker
// ran is not sent late.
func (s *Service) DueReminders(ctx context.Context, now time.Time) ([]DueReminder, error) {
	var due []DueReminder
	err := s.db.SelectContext(ctx, &due, `
		SELECT m.id AS meeting_id, k.kind FROM meetings m
		CROSS JOIN LATERAL (VALUES
			('focal_points', m.reminder_focal_points_days, coalesce(m.registration_closes_at, m.starts_at)),
			('participants', m.reminder_participants_days, m.starts_at)) AS k (kind, days, deadline)
		WHERE m.lifecycle = 'published' AND k.days > 0
		  AND $1 >= k.deadline - make_interval(days => k.days) AND $1 < k.deadline
		  AND (k.kind <> 'focal_points' OR m.registration_opens_at IS NULL OR $1 >= m.registration_opens_at)
		  AND NOT EXISTS (SELECT 1 FROM meeting_reminders r WHERE r.meeting_id = m.id AND r.kind = k.kind)
		ORDER BY m.id, k.kind`, now)
	if err != nil {
		return nil, fmt.Errorf("invitation: reminders due: %w", err)
	}
	return due, nil
}

// SendDueReminders sends every automatic reminder due at now and returns
// how many emails it queued. Each reminder is sent once, whatever the
// number of workers running it: its row in meeting_reminders is inserted
// in the transaction that queues its emails, so a second worker waits on
// the first one's key, then finds it taken and sends nothing (and sends
// it after all if the first one rolled back).
func (s *Service) SendDueReminders(ctx context.Context, now time.Time) (int, error) {
	due, err := s.DueReminders(ctx, now)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, d := range due {
		n, err := s.sendReminder(ctx, d)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (s *Service) sendReminder(ctx context.Context, d DueReminder) (int, error) {
	worker := auth.SystemActor("worker")
	queued := 0
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		queued = 0 // InTx may run this twice
		var claimed []int64
		err := tx.SelectContext(ctx, &claimed, `INSERT INTO meeting_reminders (meeting_id, kind) VALUES ($1, $2)
			ON CONFLICT DO NOTHING RETURNING meeting_id`, d.MeetingID, d.Kind)
		if err != nil {
			return fmt.Errorf("invitation: claim reminder: %w", err)
		}
		if len(claimed) == 0 {
			return nil // sent by another worker
		}
		// Read after the claim: the meeting as it is now (cancelled or
		// moved while the reminder was due, it no longer is).
		m, err := s.meetings.MeetingForLink(ctx, d.MeetingID)
		if err != nil {
			return err
		}
		switch {
		case d.Kind == ReminderFocalPoints && m.Status == meeting.StatusRegistrationOpen:
			queued, err = s.remindUnconfirmed(ctx, tx, worker, m, "deadline_reminder", func(inv Invitation, fp FocalPoint) string {
				return fmt.Sprintf("deadline_reminder:%d:%s", inv.ID, fp.Email)
			})
		case d.Kind == ReminderParticipants && (m.Status == meeting.StatusRegistrationOpen || m.Status == meeting.StatusRegistrationClosed):
			queued, err = s.remindParticipants(ctx, tx, m)
		default:
			return errNotDue // the claim goes back: it may fall due again (a window reopened)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meeting_reminders SET emails = $3 WHERE meeting_id = $1 AND kind = $2`,
			d.MeetingID, d.Kind, queued); err != nil {
			return fmt.Errorf("invitation: count reminder: %w", err)
		}
		return audit.Record(ctx, tx, worker, audit.Event{Action: "meeting.reminder", MeetingID: m.ID,
			SubjectType: "meeting", SubjectID: m.ID, Details: map[string]any{"kind": d.Kind, "emails": queued}})
	})
	if errors.Is(err, errNotDue) {
		return 0, nil
	}
	return queued, err
}

// errNotDue rolls back the claim of a reminder that, read under the
// claim, is not due after all (the meeting was cancelled, or its
// registration closed early, since it was listed).
var errNotDue = errors.New("invitation: reminder not due")

// participant is a confirmed participant as the practical reminder needs them.
type participant struct {
	ID         int64  `db:"id"`
	Name       string `db:"name"`
	Email      string `db:"email"`
	Language   string `db:"language"`
	Attendance string `db:"attendance"`
	Nonce      []byte `db:"manage_nonce"`
}

// practicalData is what the practical reminder shows.
type practicalData struct {
	Meeting   MeetingData
	Name      string
	Online    bool // attends online: the link, not the venue
	ManageURL string
}

// remindParticipants emails every confirmed participant of m the
// practical reminder, in their language, with the calendar file: the
// venue for those in the room, the online link (only) for those online.
func (s *Service) remindParticipants(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting) (int, error) {
	var ps []participant
	err := tx.SelectContext(ctx, &ps, `
		SELECT id, first_name || ' ' || last_name AS name, email, language, manage_nonce,
			CASE $2 WHEN 'hybrid' THEN attendance WHEN 'online' THEN 'online' ELSE 'in_person' END AS attendance
		FROM registrations WHERE meeting_id = $1 AND status = 'confirmed' ORDER BY id`, m.ID, m.Format)
	if err != nil {
		return 0, fmt.Errorf("invitation: participants to remind: %w", err)
	}
	organizer := s.organizer()
	msgs := make([]agoramail.Message, 0, len(ps))
	for _, p := range ps {
		seen := m
		online := p.Attendance == meeting.AttendanceOnline
		if !online {
			seen = m.WithoutOnlineLink()
		}
		data := practicalData{Meeting: MeetingDataFor(seen, p.Language, s.cfg.BaseURL), Name: p.Name, Online: online,
			ManageURL: s.cfg.BaseURL + "/registrations/manage/" + s.keys.Token("reg", p.ID, p.Nonce)}
		subject, text, html, err := s.renderer.Render("practical_reminder", p.Language, data)
		msg := agoramail.Message{
			Kind: "practical_reminder", To: p.Email, ToName: p.Name, Language: p.Language,
			Subject: subject, Text: text, HTML: html, MeetingID: m.ID, RegistrationID: p.ID,
			DedupeKey: fmt.Sprintf("practical_reminder:%d", p.ID),
		}
		if err != nil {
			msg.Failed("content", err) // logged as failed; the others go on
		}
		if msg.Calendar, msg.CalendarMethod, err = CalendarRequest(seen, p.Language, s.cfg.BaseURL, organizer,
			calendar.Attendee{Name: p.Name, Email: p.Email}); err != nil {
			msg.Failed("calendar", err)
		}
		msgs = append(msgs, msg)
	}
	return s.outbox.EnqueueAll(ctx, tx, msgs)
}

// ReminderStatus is where one of a meeting's automatic reminders stands.
type ReminderStatus struct {
	Kind string `json:"kind"` // ReminderFocalPoints or ReminderParticipants
	// Days before the deadline (registration closing, the meeting's
	// start) it goes out; 0: the meeting sends none.
	Days int `json:"days"`
	// DueAt is when it goes out (nil when Days is 0).
	DueAt *time.Time `json:"due_at"`
	// SentAt is when it went out, with how many emails (nil: not yet).
	SentAt *time.Time `json:"sent_at"`
	Emails int        `json:"emails"`
}

// Reminders tells the secretariat where a meeting's automatic reminders
// stand: when each is due, and when it went out.
func (s *Service) Reminders(ctx context.Context, a auth.Actor, meetingID int64) ([]ReminderStatus, error) {
	if err := requireSecretariat(a, apperr.M("err.sign_in_send_reminders"), apperr.M("err.secretariat_send_reminders")); err != nil {
		return nil, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	var sent []struct {
		Kind   string    `db:"kind"`
		SentAt time.Time `db:"sent_at"`
		Emails int       `db:"emails"`
	}
	if err := s.db.SelectContext(ctx, &sent, `SELECT kind, sent_at, emails FROM meeting_reminders WHERE meeting_id = $1`, m.ID); err != nil {
		return nil, fmt.Errorf("invitation: reminders sent: %w", err)
	}
	out := []ReminderStatus{
		{Kind: ReminderFocalPoints, Days: m.ReminderFocalPointsDays},
		{Kind: ReminderParticipants, Days: m.ReminderParticipantsDays},
	}
	deadlines := map[string]time.Time{ReminderFocalPoints: m.RegistrationCloses(), ReminderParticipants: m.StartsAt}
	for i := range out {
		r := &out[i]
		if r.Days > 0 {
			due := deadlines[r.Kind].AddDate(0, 0, -r.Days)
			r.DueAt = &due
		}
		for _, x := range sent {
			if x.Kind == r.Kind {
				r.SentAt, r.Emails = &x.SentAt, x.Emails
			}
		}
	}
	return out, nil
}
