package registration

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/collate"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
)

// The papers of the door: badges before the meeting, certificates of
// attendance after it.

// Badge is what one badge shows.
type Badge struct {
	FirstName   string `db:"first_name"`
	LastName    string `db:"last_name"`
	InviteeName string `db:"invitee_name"`
	Role        string `db:"delegation_role"`
	ID          int64  `db:"id"`
	// Code is the check-in code its QR code carries.
	Code string `db:"-"`
}

// Badges returns a meeting's badges (secretariat only): one per confirmed
// participant, of one state when state is set, invitees named in lang, by
// invitee then name in lang's alphabet.
func (s *Service) Badges(ctx context.Context, a auth.Actor, meetingID int64, state, lang string) (meeting.Meeting, []Badge, error) {
	if err := secretariatOnly(a); err != nil {
		return meeting.Meeting{}, nil, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return meeting.Meeting{}, nil, err
	}
	state = strings.ToUpper(strings.TrimSpace(state))
	if len(state) > 10 {
		return meeting.Meeting{}, nil, apperr.InvalidField("state", apperr.M("err.state_required"))
	}
	var out []Badge
	err = s.db.SelectContext(ctx, &out, `
		SELECT r.id, r.first_name, r.last_name, r.delegation_role, `+inviteeNameSQL+` AS invitee_name
		FROM registrations r`+inviteeJoinSQL+`
		WHERE r.meeting_id = $1 AND r.status = 'confirmed' AND ($3 = '' OR r.invitee = $3)`, m.ID, lang, state)
	if err != nil {
		return meeting.Meeting{}, nil, fmt.Errorf("registration: badges: %w", err)
	}
	c := collate.New(protocolTag(lang), collate.Loose)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if d := c.CompareString(a.InviteeName, b.InviteeName); d != 0 {
			return d < 0
		}
		if d := c.CompareString(a.LastName, b.LastName); d != 0 {
			return d < 0
		}
		return c.CompareString(a.FirstName, b.FirstName) < 0
	})
	for i := range out {
		out[i].Code = s.CheckInCode(m.ID, out[i].ID)
	}
	return m, out, nil
}

// Attendance is what a certificate of attendance says.
type Attendance struct {
	Registration
	Meeting     meeting.Meeting
	InviteeName string
	// Days are the days the person was checked in (YYYY-MM-DD).
	Days []string
	// Lang is the certificate's language: the one asked, else the person's.
	Lang string
}

// Attendance returns what the certificate of the registration a manage
// link opens says, in lang (empty: the person's): once the meeting is over, and only for a
// participant who was checked in (others are told why not).
func (s *Service) Attendance(ctx context.Context, token, lang string) (Attendance, error) {
	r, m, err := s.ByManageToken(ctx, token)
	if err != nil {
		return Attendance{}, err
	}
	if !m.Over() {
		return Attendance{}, apperr.New(apperr.Conflict, apperr.M("err.certificate_not_yet"))
	}
	if r.Status != StatusConfirmed || r.CheckedInAt == nil {
		return Attendance{}, apperr.New(apperr.Forbidden, apperr.M("err.certificate_not_attended"))
	}
	if lang != "en" && lang != "fr" {
		lang = r.Language
	}
	out := Attendance{Registration: r, Meeting: m, Lang: lang}
	if err := s.db.GetContext(ctx, &out.InviteeName, `SELECT `+inviteeNameSQL+` FROM registrations r`+inviteeJoinSQL+`WHERE r.id = $1`, r.ID, lang); err != nil {
		return Attendance{}, fmt.Errorf("registration: attendance: %w", err)
	}
	if err := s.db.SelectContext(ctx, &out.Days, `SELECT to_char(day, 'YYYY-MM-DD') FROM check_ins WHERE registration_id = $1 ORDER BY day`, r.ID); err != nil {
		return Attendance{}, fmt.Errorf("registration: attendance: %w", err)
	}
	return out, nil
}
