package invitation

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
)

// Remind emails the focal points of every invited state that has no
// confirmed registration yet. One reminder per state and focal point per
// day, however often it is asked for.
func (s *Service) Remind(ctx context.Context, a auth.Actor, meetingID int64) (int, error) {
	if err := requireSecretariat(a, apperr.M("err.sign_in_send_reminders"), apperr.M("err.secretariat_send_reminders")); err != nil {
		return 0, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return 0, err
	}
	if m.Status != meeting.StatusRegistrationOpen && m.Status != meeting.StatusPublished {
		return 0, apperr.New(apperr.Conflict, apperr.M("err.remind", "Status", m.Status))
	}
	queued := 0
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		day := time.Now().UTC().Format("2006-01-02")
		queued, err = s.remindUnconfirmed(ctx, tx, a, m, "reminder", func(inv Invitation, fp FocalPoint) string {
			return fmt.Sprintf("reminder:%d:%s:%s", inv.ID, fp.Email, day)
		})
		return err
	})
	return queued, err
}

// remindUnconfirmed emails the focal points of every invited state of m
// that has no confirmed registration yet, inside tx, as kind (the mail
// log's name: "reminder" when the secretariat asks, "deadline_reminder"
// when the worker sends it on its own); dedupe names each email. It
// returns how many emails it queued.
func (s *Service) remindUnconfirmed(ctx context.Context, tx *sqlx.Tx, a auth.Actor, m meeting.Meeting, kind string,
	dedupe func(Invitation, FocalPoint) string) (int, error) {
	queued := 0
	var invs []Invitation
	err := tx.SelectContext(ctx, &invs, `
		SELECT i.id, i.meeting_id, i.invitee, i.state_code,
		       CASE WHEN i.organisation_code IS NULL THEN 'state' ELSE 'organisation' END AS invitee_kind,
		       i.status, i.rounds, i.sent_at, i.reminded_at, i.nonce
		FROM invitations i
		WHERE i.meeting_id = $1 AND i.status = 'active'
		  AND NOT EXISTS (SELECT 1 FROM registrations r
		                  WHERE r.meeting_id = i.meeting_id AND r.invitee = i.invitee AND r.status = 'confirmed')
		ORDER BY i.invitee
		FOR UPDATE OF i`, m.ID)
	if err != nil {
		return 0, fmt.Errorf("invitation: states to remind: %w", err)
	}
	codes := make([]string, len(invs))
	for i, inv := range invs {
		codes[i] = inv.State
	}
	fps, err := FocalPointsOf(ctx, tx, codes)
	if err != nil {
		return 0, err
	}
	for _, inv := range invs {
		st, err := invitee.Lookup(ctx, tx, inv.State)
		if err != nil {
			return 0, err
		}
		seats, funded := m.SeatsOf(st.Code, st.Organisation())
		for _, fp := range fps[inv.State] {
			data := invitationData{Meeting: MeetingDataFor(m, fp.Language, s.cfg.BaseURL), Name: fp.Name,
				State: st.Name(fp.Language), RegistrationURL: s.URL(inv), Seats: seats, FundedSeats: funded,
				Organisation: st.Organisation()}
			subject, text, html, err := s.renderer.Render("reminder", fp.Language, data)
			msg := agoramail.Message{
				Kind: kind, To: fp.Email, ToName: fp.Name, Language: fp.Language,
				Subject: subject, Text: text, HTML: html, MeetingID: m.ID,
				DedupeKey: dedupe(inv, fp),
			}
			if err != nil {
				msg.Failed("content", err) // logged as failed; the reminders go on
			}
			_, ok, err := s.outbox.Enqueue(ctx, tx, msg)
			if err != nil {
				return 0, err
			}
			if ok {
				queued++
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET reminded_at = now() WHERE id = $1`, inv.ID); err != nil {
			return 0, fmt.Errorf("invitation: mark reminded: %w", err)
		}
		if err := audit.Record(ctx, tx, a, audit.Event{Action: "invitation.remind", MeetingID: m.ID, State: inv.State,
			SubjectType: "invitation", SubjectID: inv.ID, Details: map[string]any{"kind": kind}}); err != nil {
			return 0, err
		}
	}
	return queued, nil
}

// MeetingCancelled emails everyone concerned — the focal points of every
// invited state and every person registered and not already out — with a
// calendar cancellation. It runs inside the cancelling transaction.
func (s *Service) MeetingCancelled(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting) error {
	type recipient struct {
		Email    string `db:"email"`
		Name     string `db:"name"`
		Language string `db:"language"`
	}
	var rs []recipient
	err := tx.SelectContext(ctx, &rs, `
		SELECT DISTINCT ON (lower(email)) email, name, language FROM (
			SELECT f.email, f.name, f.language, 1 AS pref
			FROM invitations i JOIN focal_points f ON f.invitee = i.invitee
			WHERE i.meeting_id = $1
			UNION ALL
			SELECT r.email, r.first_name || ' ' || r.last_name, r.language, 2
			FROM registrations r
			WHERE r.meeting_id = $1 AND r.status IN ('pending', 'confirmed', 'waitlisted')
		) x ORDER BY lower(email), pref`, m.ID)
	if err != nil {
		return fmt.Errorf("invitation: people to tell of the cancellation: %w", err)
	}
	// Nobody needs the online link of a cancelled meeting, and most of
	// these people (focal points, delegates without a seat) were never
	// meant to see it.
	m = m.WithoutOnlineLink()
	for _, r := range rs {
		data := struct {
			Meeting      MeetingData
			Name         string
			CancelReason string
		}{MeetingDataFor(m, r.Language, s.cfg.BaseURL), r.Name, m.CancelReasonIn(r.Language)}
		subject, text, html, err := s.renderer.Render("meeting_cancelled", r.Language, data)
		msg := agoramail.Message{
			Kind: "meeting_cancelled", To: r.Email, ToName: r.Name, Language: r.Language,
			Subject: subject, Text: text, HTML: html,
			MeetingID: m.ID, DedupeKey: fmt.Sprintf("meeting_cancelled:%d:%s", m.ID, r.Email),
		}
		if err != nil {
			msg.Failed("content", err) // logged as failed; the meeting is cancelled all the same
		}
		if msg.Calendar, msg.CalendarMethod, err = CalendarRequest(m, r.Language, s.cfg.BaseURL, s.organizer(),
			calendar.Attendee{Name: r.Name, Email: r.Email}); err != nil {
			msg.Failed("calendar", err)
		}
		if _, _, err = s.outbox.Enqueue(ctx, tx, msg); err != nil {
			return err
		}
	}
	return nil
}
