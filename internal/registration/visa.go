package registration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
)

// Visa support letters: a participant asks for one from their manage link,
// giving the passport data the consulate needs; the secretariat approves;
// the letter, addressed to the consulate, is emailed to the participant.
// The passport data are collected for this letter only, shown to the
// secretariat only, and deleted shortly after the meeting by the
// retention job (privacy), by erasure, and with the registration.

// VisaInput is what a participant gives for a visa support letter.
type VisaInput struct {
	PassportNumber  string `json:"passport_number"`
	Nationality     string `json:"nationality"`
	DateOfBirth     string `json:"date_of_birth"`    // YYYY-MM-DD
	PassportExpires string `json:"passport_expires"` // YYYY-MM-DD
}

// VisaRequest is a request as the secretariat sees it.
type VisaRequest struct {
	RegistrationID  int64      `db:"registration_id" json:"registration_id"`
	MeetingID       int64      `db:"meeting_id" json:"meeting_id"`
	FirstName       string     `db:"first_name" json:"first_name"`
	LastName        string     `db:"last_name" json:"last_name"`
	Email           string     `db:"email" json:"email"`
	Language        string     `db:"language" json:"language"`
	State           string     `db:"state_code" json:"state"`
	InviteeName     string     `db:"invitee_name" json:"invitee_name"`
	RegStatus       string     `db:"reg_status" json:"registration_status"`
	PassportNumber  string     `db:"passport_number" json:"passport_number"`
	Nationality     string     `db:"nationality" json:"nationality"`
	DateOfBirth     time.Time  `db:"date_of_birth" json:"date_of_birth"`
	PassportExpires time.Time  `db:"passport_expires" json:"passport_expires"`
	Status          string     `db:"status" json:"status"`
	RequestedAt     time.Time  `db:"requested_at" json:"requested_at"`
	ApprovedAt      *time.Time `db:"approved_at" json:"approved_at"`
}

// Name is "First Last".
func (v VisaRequest) Name() string { return v.FirstName + " " + v.LastName }

// VisaLetterFunc renders the visa support letter of a request for meeting
// m in lang (a PDF). The application gives it (printout.VisaLetterPDF).
type VisaLetterFunc func(m meeting.Meeting, v VisaRequest, lang string) ([]byte, error)

// SetVisaLetters has approvals render letters with f. Set before serving.
func (s *Service) SetVisaLetters(f VisaLetterFunc) { s.visaLetters = f }

var passportRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{3,38}[A-Z0-9]$`)

// check validates and normalises the input against the meeting.
func (in *VisaInput) check(m meeting.Meeting, now time.Time) (dob, expires time.Time, err error) {
	errs := apperr.Fields{}
	in.PassportNumber = strings.ToUpper(strings.Join(strings.Fields(in.PassportNumber), " "))
	in.Nationality = strings.Join(strings.Fields(in.Nationality), " ")
	switch {
	case in.PassportNumber == "":
		errs.Add("passport_number", apperr.M("err.required"))
	case !passportRE.MatchString(in.PassportNumber):
		errs.Add("passport_number", apperr.M("err.passport_number"))
	}
	switch {
	case in.Nationality == "":
		errs.Add("nationality", apperr.M("err.required"))
	case utf8.RuneCountInString(in.Nationality) > 100:
		errs.Add("nationality", apperr.M("err.max_chars", "N", 100))
	}
	date := func(field, v string) time.Time {
		if strings.TrimSpace(v) == "" {
			errs.Add(field, apperr.M("err.required"))
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
		if err != nil {
			errs.Add(field, apperr.M("err.date"))
		}
		return t
	}
	dob, expires = date("date_of_birth", in.DateOfBirth), date("passport_expires", in.PassportExpires)
	if !dob.IsZero() && (dob.After(now) || dob.Year() < 1900) {
		errs.Add("date_of_birth", apperr.M("err.date_of_birth"))
	}
	if !expires.IsZero() && expires.Before(m.EndsAt) {
		errs.Add("passport_expires", apperr.M("err.passport_expired"))
	}
	return dob, expires, errs.Err()
}

// RequestVisaLetter records the request of the registration the manage
// link opens, replacing one not yet approved: for an active registration
// of a meeting not over. Audited, as done through the link.
func (s *Service) RequestVisaLetter(ctx context.Context, token string, in VisaInput) (string, error) {
	r, m, err := s.ByManageToken(ctx, token)
	if err != nil {
		return "", err
	}
	if !r.Active() {
		return "", apperr.New(apperr.Conflict, apperr.M("err.reg_is", "RegStatus", r.Status))
	}
	if m.Over() || m.Status == meeting.StatusCancelled {
		return "", apperr.New(apperr.Conflict, apperr.M("err.visa_closed"))
	}
	dob, expires, err := in.check(m, time.Now())
	if err != nil {
		return "", err
	}
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var status string
		err := tx.GetContext(ctx, &status, `
			INSERT INTO visa_requests (registration_id, passport_number, nationality, date_of_birth, passport_expires, status)
			VALUES ($1, $2, $3, $4, $5, 'requested')
			ON CONFLICT (registration_id) DO UPDATE SET passport_number = excluded.passport_number,
				nationality = excluded.nationality, date_of_birth = excluded.date_of_birth,
				passport_expires = excluded.passport_expires, requested_at = now()
				WHERE visa_requests.status = 'requested'
			RETURNING status`, r.ID, in.PassportNumber, in.Nationality, dob, expires)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.Conflict, apperr.M("err.visa_approved"))
		}
		if err != nil {
			return fmt.Errorf("registration: visa request: %w", err)
		}
		return audit.Record(ctx, tx, audit.Link, audit.Event{Action: "visa.request", MeetingID: m.ID, State: r.State,
			SubjectType: "registration", SubjectID: r.ID})
	})
	if err != nil {
		return "", err
	}
	return "requested", nil
}

const visaColumns = `v.registration_id, r.meeting_id, r.first_name, r.last_name, r.email, r.language, coalesce(r.invitee, '') AS state_code,
	` + inviteeNameSQL + ` AS invitee_name, r.status AS reg_status, v.passport_number, v.nationality, v.date_of_birth,
	v.passport_expires, v.status, v.requested_at, v.approved_at`

// VisaRequests lists the visa requests of a meeting with their passport
// data, for the secretariat only.
func (s *Service) VisaRequests(ctx context.Context, a auth.Actor, meetingID int64, lang string) ([]VisaRequest, error) {
	if err := secretariatOnly(a); err != nil {
		return nil, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	out := []VisaRequest{}
	err = s.db.SelectContext(ctx, &out, `SELECT `+visaColumns+` FROM visa_requests v JOIN registrations r ON r.id = v.registration_id`+
		inviteeJoinSQL+`WHERE r.meeting_id = $1 ORDER BY v.requested_at, v.registration_id`, m.ID, lang)
	if err != nil {
		return nil, fmt.Errorf("registration: visa requests: %w", err)
	}
	return out, nil
}

// ApproveVisaLetter approves the request of a registration (secretariat
// only; a confirmed participant) and emails the letter, in the person's
// language, to them; audited in the same transaction.
func (s *Service) ApproveVisaLetter(ctx context.Context, a auth.Actor, regID int64) (VisaRequest, error) {
	if err := secretariatOnly(a); err != nil {
		return VisaRequest{}, err
	}
	if s.visaLetters == nil {
		return VisaRequest{}, fmt.Errorf("registration: no visa letter renderer")
	}
	var out VisaRequest
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var v VisaRequest
		err := tx.GetContext(ctx, &v, `SELECT `+visaColumns+` FROM visa_requests v JOIN registrations r ON r.id = v.registration_id`+
			inviteeJoinSQL+`WHERE v.registration_id = $1 FOR UPDATE OF v, r`, regID, "en")
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, apperr.M("err.no_visa_request"))
		}
		if err != nil {
			return fmt.Errorf("registration: visa request: %w", err)
		}
		m, err := s.meetings.Meeting(ctx, a, v.MeetingID)
		if err != nil {
			return err
		}
		if v.Status == "approved" {
			return apperr.New(apperr.Conflict, apperr.M("err.visa_approved"))
		}
		if v.RegStatus != StatusConfirmed {
			return apperr.New(apperr.Conflict, apperr.M("err.visa_confirmed", "RegStatus", v.RegStatus))
		}
		// The invitee in the letter's language (the person's).
		if err := tx.GetContext(ctx, &v.InviteeName, `SELECT `+inviteeNameSQL+` FROM registrations r`+inviteeJoinSQL+`WHERE r.id = $1`,
			v.RegistrationID, v.Language); err != nil {
			return fmt.Errorf("registration: visa letter invitee: %w", err)
		}
		if err := tx.GetContext(ctx, &v.ApprovedAt, `
			UPDATE visa_requests SET status = 'approved', approved_at = now(), approved_by = nullif($2, 0)
			WHERE registration_id = $1 RETURNING approved_at`, v.RegistrationID, a.ID()); err != nil {
			return fmt.Errorf("registration: approve visa letter: %w", err)
		}
		v.Status = "approved"
		pdf, err := s.visaLetters(m, v, v.Language)
		if err != nil {
			return err
		}
		if err := s.sendVisaLetter(ctx, tx, m, v, pdf); err != nil {
			return err
		}
		out = v
		return audit.Record(ctx, tx, a, audit.Event{Action: "visa.approve", MeetingID: m.ID, State: v.State,
			SubjectType: "registration", SubjectID: v.RegistrationID})
	})
	return out, err
}

// sendVisaLetter queues the email carrying the letter to the participant.
func (s *Service) sendVisaLetter(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, v VisaRequest, pdf []byte) error {
	data := struct {
		Name    string
		Meeting invitation.MeetingData
	}{Name: v.Name(), Meeting: invitation.MeetingDataFor(m, v.Language, s.cfg.BaseURL)}
	subject, text, html, err := s.renderer.Render("visa_letter", v.Language, data)
	key := fmt.Sprintf("visa_letter:%d", v.RegistrationID)
	msg := agoramail.Message{Kind: "visa_letter", To: v.Email, ToName: v.Name(), Language: v.Language,
		Subject: subject, Text: text, HTML: html, MeetingID: m.ID, RegistrationID: v.RegistrationID, DedupeKey: key}
	if err != nil {
		msg.Failed("content", err)
	}
	if _, _, err := s.outbox.Enqueue(ctx, tx, msg); err != nil {
		return err
	}
	ids, err := s.outbox.StoreAttachments(ctx, tx, []agoramail.Attachment{{
		Filename: fmt.Sprintf("visa-letter-%d-%d.pdf", m.ID, v.RegistrationID), ContentType: "application/pdf", Content: pdf}})
	if err != nil {
		return err
	}
	return s.outbox.Attach(ctx, tx, map[string]int64{key: ids[0]})
}

// VisaStatus is what the participant sees of their request: its status
// and dates, not the passport data.
type VisaStatus struct {
	Status      string     `db:"status"`
	RequestedAt time.Time  `db:"requested_at"`
	ApprovedAt  *time.Time `db:"approved_at"`
}

// VisaStatusOf returns the request of a registration, nil for none.
func (s *Service) VisaStatusOf(ctx context.Context, regID int64) (*VisaStatus, error) {
	var v VisaStatus
	err := s.db.GetContext(ctx, &v, `SELECT status, requested_at, approved_at FROM visa_requests WHERE registration_id = $1`, regID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registration: visa status: %w", err)
	}
	return &v, nil
}
