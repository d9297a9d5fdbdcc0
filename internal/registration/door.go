package registration

import (
	"context"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/collate"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/secret"
)

// The door: badges carrying a check-in code, check-in by that code or by
// name, per day of the meeting.
//
// A check-in code reads "CI.<meeting>.<registration>.<signature>", in
// capitals, digits and dots only, so that a QR code holds it in its
// compact alphanumeric mode and a person can type it: the signature is 80
// bits of an HMAC of the meeting and the registration under the server's
// key. It opens nothing by itself (it is not the manage link), it is
// checked against the meeting it is scanned for, and it stops working when
// the registration is no longer confirmed.

// codePrefix starts every check-in code.
const codePrefix = "CI."

// maxCodeLength bounds what is parsed: a real code has under 50 characters.
const maxCodeLength = 80

var codeSig = base32.StdEncoding.WithPadding(base32.NoPadding)

// CheckInCode is the check-in code printed on a registration's badge.
func (s *Service) CheckInCode(meetingID, registrationID int64) string {
	return CheckInCode(s.keys, meetingID, registrationID)
}

// CheckInCode is the check-in code of a registration under keys (the
// server's): what a badge carries.
func CheckInCode(keys *secret.Keys, meetingID, registrationID int64) string {
	ids := strconv.FormatInt(meetingID, 10) + "." + strconv.FormatInt(registrationID, 10)
	return codePrefix + ids + "." + codeSig.EncodeToString(keys.MAC("checkin", ids)[:10])
}

// parseCode returns the meeting and registration a code names, and whether
// its signature holds. Scanners and people add spaces and lower case: both
// are forgiven.
func (s *Service) parseCode(code string) (meetingID, registrationID int64, ok bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) > maxCodeLength || !strings.HasPrefix(code, codePrefix) {
		return 0, 0, false
	}
	parts := strings.Split(code[len(codePrefix):], ".")
	if len(parts) != 3 {
		return 0, 0, false
	}
	m, err1 := strconv.ParseInt(parts[0], 10, 64)
	r, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || m <= 0 || r <= 0 {
		return 0, 0, false
	}
	return m, r, secret.Equal(s.CheckInCode(m, r), code)
}

// inviteeNameSQL is the displayed name of a registration's invitee (the
// state or organisation it attends for) in the language given as $2, over
// registrations r joined to invitees st (inviteeJoinSQL). Every door query
// names invitees through it.
const inviteeNameSQL = `coalesce(CASE WHEN $2 = 'fr' THEN st.name_fr ELSE st.name_en END, nullif(r.organisation, ''),
	CASE WHEN $2 = 'fr' THEN 'Experts et invités' ELSE 'Experts and guests' END)` // a guest: their own organisation

// inviteeJoinSQL joins what inviteeNameSQL reads.
const inviteeJoinSQL = ` LEFT JOIN invitees st ON st.code = r.invitee ` // a guest has none

// Arrival is a registration as the door shows it: the person, their
// invitee, their status, and their check-in on the day.
type Arrival struct {
	Registration
	InviteeName string `db:"invitee_name" json:"invitee_name"`
	// Day is the day of the meeting the check-in is for (YYYY-MM-DD).
	Day string `db:"-" json:"day"`
	// DayCheckedInAt is when the person was checked in on Day, if they were.
	DayCheckedInAt *time.Time `db:"day_checked_in_at" json:"day_checked_in_at"`
	// AlreadyCheckedIn says a check-in found the person already checked in
	// on Day (a second scan): DayCheckedInAt is the first one.
	AlreadyCheckedIn bool `db:"-" json:"already_checked_in"`
}

// Days are the dates (YYYY-MM-DD) the meeting covers in its time zone.
func Days(m meeting.Meeting) []string {
	loc := m.Zone()
	first := dateOf(m.StartsAt.In(loc))
	last := dateOf(m.EndsAt.In(loc))
	if last.Before(first) {
		last = first
	}
	var out []string
	for d := first; !d.After(last) && len(out) < 366; d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// DayAt is the day of the meeting a check-in at t counts for: the date in
// the meeting's zone, held to the meeting's first and last days (badges
// handed out the evening before count for the first day).
func DayAt(m meeting.Meeting, t time.Time) string {
	days := Days(m)
	d := t.In(m.Zone()).Format(time.DateOnly)
	if d < days[0] {
		return days[0]
	}
	if last := days[len(days)-1]; d > last {
		return last
	}
	return d
}

// checkDay validates a day asked for (empty: today's), which must be one
// of the meeting's.
func checkDay(m meeting.Meeting, day string) (string, error) {
	if day == "" {
		return DayAt(m, time.Now()), nil
	}
	for _, d := range Days(m) {
		if d == day {
			return d, nil
		}
	}
	return "", apperr.InvalidField("day", apperr.M("err.check_in_day"))
}

func secretariatOnly(a auth.Actor) error {
	if a.Anonymous() {
		return apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_manage"))
	}
	if !a.Is(auth.RoleSecretariat) {
		return apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
	return nil
}

// errBadCode is the one answer to a code that is not a badge of this
// meeting: not a code, a forged one, another meeting's.
func errBadCode() error { return apperr.New(apperr.NotFound, apperr.M("err.badge_unknown")) }

// CheckInByCode checks in the person whose badge carries code, for the day
// (empty: today's), at meeting meetingID (secretariat only). A code of
// another meeting, or of a registration no longer confirmed, is not found;
// a second scan on the same day changes nothing and says when the first
// was.
func (s *Service) CheckInByCode(ctx context.Context, a auth.Actor, meetingID int64, code, day, lang string) (Arrival, error) {
	if err := secretariatOnly(a); err != nil {
		return Arrival{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return Arrival{}, err
	}
	if strings.TrimSpace(code) == "" {
		return Arrival{}, apperr.InvalidField("code", apperr.M("err.required"))
	}
	codeMeeting, regID, ok := s.parseCode(code)
	if !ok || codeMeeting != m.ID {
		return Arrival{}, errBadCode()
	}
	return s.arrive(ctx, a, m, regID, day, lang, "badge")
}

// CheckInPerson checks in a registration of the meeting by id, for the day
// (empty: today's): the door page's button after a search.
func (s *Service) CheckInPerson(ctx context.Context, a auth.Actor, meetingID, regID int64, day, lang string) (Arrival, error) {
	if err := secretariatOnly(a); err != nil {
		return Arrival{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return Arrival{}, err
	}
	return s.arrive(ctx, a, m, regID, day, lang, "search")
}

// arrive records the check-in of regID on day with its audit entry, in
// one statement: a scan is one round trip to the database, however many
// doors scan at once. The registration's row is locked by the statement
// so that a cancellation and a check-in do not cross (and a cancellation
// committed first is seen: the status is read again under the lock); the
// meeting's seat locks are not needed (no seat changes hands), so scans
// at several doors do not wait on each other.
func (s *Service) arrive(ctx context.Context, a auth.Actor, m meeting.Meeting, regID int64, day, lang, via string) (Arrival, error) {
	day, err := checkDay(m, day)
	if err != nil {
		return Arrival{}, err
	}
	event := audit.Event{Action: "registration.check_in", MeetingID: m.ID, SubjectType: "registration", Details: map[string]any{"day": day, "via": via}}
	entry, err := audit.RowOf(a, event)
	if err != nil {
		return Arrival{}, err
	}
	var row struct {
		Arrival
		ArrivedAt *time.Time `db:"arrived_at"` // the day's check-in made now
		FirstAt   *time.Time `db:"first_at"`   // the first arrival, after it
		UpdatedAt *time.Time `db:"updated_now"`
	}
	// person: the person, their invitee and their check-in of the day,
	// locked; arrived: the day's check-in, unless there is one (a scan
	// at another door in between is a conflict, and then the second
	// one); first: the first arrival kept on the registration; logged:
	// the audit entry, as audit.Record writes it.
	err = s.db.GetContext(ctx, &row, `
		WITH person AS (
			SELECT `+arrivalColumns+` FROM registrations r`+inviteeJoinSQL+`
			WHERE r.id = $1 AND r.meeting_id = $4 FOR UPDATE OF r),
		arrived AS (
			INSERT INTO check_ins (registration_id, meeting_id, day, checked_in_by)
			SELECT id, meeting_id, $3::date, nullif($5, 0) FROM person WHERE status = 'confirmed' AND day_checked_in_at IS NULL
			ON CONFLICT (registration_id, day) DO NOTHING
			RETURNING checked_in_at),
		first AS (
			UPDATE registrations SET checked_in_at = coalesce(checked_in_at, (SELECT checked_in_at FROM arrived)), updated_at = now()
			WHERE id = $1 AND EXISTS (SELECT 1 FROM arrived)
			RETURNING checked_in_at, updated_at),
		logged AS (
			INSERT INTO audit_log (actor, user_id, action, meeting_id, state_code, subject_type, subject_id, details)
			SELECT $6::text, $7::bigint, $8::text, meeting_id, nullif(invitee, ''), $9::text, id, $10::jsonb FROM person WHERE EXISTS (SELECT 1 FROM arrived))
		SELECT person.*, (SELECT checked_in_at FROM arrived) AS arrived_at,
			(SELECT checked_in_at FROM first) AS first_at, (SELECT updated_at FROM first) AS updated_now
		FROM person`,
		regID, lang, day, m.ID, a.ID(), entry.Actor, entry.UserID, event.Action, event.SubjectType, entry.Details)
	if errors.Is(err, sql.ErrNoRows) {
		return Arrival{}, errBadCode()
	}
	if err != nil {
		return Arrival{}, fmt.Errorf("registration: check in: %w", err)
	}
	out := row.Arrival
	out.Day = day
	switch {
	case out.Status != StatusConfirmed:
		return Arrival{}, apperr.New(apperr.NotFound, apperr.M("err.badge_revoked", "Name", out.Name(), "RegStatus", out.Status))
	case out.DayCheckedInAt != nil: // a second scan: nothing changed
		out.AlreadyCheckedIn = true
	case row.ArrivedAt == nil: // checked in at another door since the read: read that one
		out.AlreadyCheckedIn = true
		err = s.db.GetContext(ctx, &out.DayCheckedInAt, `SELECT checked_in_at FROM check_ins WHERE registration_id = $1 AND day = $2`, out.ID, day)
		if err != nil {
			return Arrival{}, fmt.Errorf("registration: check in: %w", err)
		}
	default:
		out.DayCheckedInAt, out.CheckedInAt, out.UpdatedAt = row.ArrivedAt, row.FirstAt, *row.UpdatedAt
	}
	return out, nil
}

// UndoCheckIn takes back the check-in of a registration of the meeting on
// day (empty: today's), from the door page.
func (s *Service) UndoCheckIn(ctx context.Context, a auth.Actor, meetingID, regID int64, day, lang string) (Arrival, error) {
	if err := secretariatOnly(a); err != nil {
		return Arrival{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return Arrival{}, err
	}
	if day, err = checkDay(m, day); err != nil {
		return Arrival{}, err
	}
	var out Arrival
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		r, err := get(ctx, tx, regID, true)
		if err == nil && r.MeetingID != m.ID {
			err = errNoSuchRegistration()
		}
		if err != nil {
			return err
		}
		if err := removeCheckIns(ctx, tx, r.ID, day); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a, audit.Event{Action: "registration.undo_check_in", MeetingID: m.ID, State: r.State,
			SubjectType: "registration", SubjectID: r.ID, Details: map[string]any{"day": day}}); err != nil {
			return err
		}
		out, err = s.arrival(ctx, tx, r.ID, day, lang)
		return err
	})
	return out, err
}

// removeCheckIns deletes the check-in of day (every day when day is "")
// and keeps checked_in_at the earliest one left.
func removeCheckIns(ctx context.Context, tx *sqlx.Tx, regID int64, day string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM check_ins WHERE registration_id = $1 AND ($2 = '' OR day = $2::date)`, regID, day)
	if err == nil {
		_, err = tx.ExecContext(ctx, `
			UPDATE registrations SET checked_in_at = (SELECT min(checked_in_at) FROM check_ins WHERE registration_id = $1), updated_at = now()
			WHERE id = $1`, regID)
	}
	if err != nil {
		return fmt.Errorf("registration: undo check-in: %w", err)
	}
	return nil
}

// recordCheckIn adds the check-in of day for a registration checked in
// from the list of registrations (CheckIn), keeping the first arrival.
func recordCheckIn(ctx context.Context, tx *sqlx.Tx, r Registration, day string, by int64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO check_ins (registration_id, meeting_id, day, checked_in_by) VALUES ($1, $2, $3, nullif($4, 0))
		ON CONFLICT (registration_id, day) DO NOTHING`, r.ID, r.MeetingID, day, by)
	if err != nil {
		return fmt.Errorf("registration: check in: %w", err)
	}
	return nil
}

// arrivalColumns reads an Arrival over registrations r joined (see
// inviteeJoinSQL), with the day as $3.
var arrivalColumns = prefixed("r.", regColumns) + `, ` + inviteeNameSQL + ` AS invitee_name,
	(SELECT c.checked_in_at FROM check_ins c WHERE c.registration_id = r.id AND c.day = $3::date) AS day_checked_in_at`

func (s *Service) arrival(ctx context.Context, q sqlx.QueryerContext, regID int64, day, lang string) (Arrival, error) {
	var out Arrival
	err := sqlx.GetContext(ctx, q, &out, `SELECT `+arrivalColumns+` FROM registrations r`+inviteeJoinSQL+`WHERE r.id = $1`, regID, lang, day)
	if errors.Is(err, sql.ErrNoRows) {
		return Arrival{}, errNoSuchRegistration()
	}
	if err != nil {
		return Arrival{}, fmt.Errorf("registration: arrival: %w", err)
	}
	out.Day = day
	return out, nil
}

// ArrivalOf returns one registration of the meeting as the door shows it,
// with its check-in on day (secretariat only).
func (s *Service) ArrivalOf(ctx context.Context, a auth.Actor, meetingID, regID int64, day, lang string) (Arrival, error) {
	if err := secretariatOnly(a); err != nil {
		return Arrival{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return Arrival{}, err
	}
	if day, err = checkDay(m, day); err != nil {
		return Arrival{}, err
	}
	out, err := s.arrival(ctx, s.db, regID, day, lang)
	if err == nil && out.MeetingID != m.ID {
		return Arrival{}, errNoSuchRegistration()
	}
	return out, err
}

// maxFound is how many people a search at the door shows.
const maxFound = 20

// FindAtDoor finds the meeting's registrations (every status, so that the
// door can say why someone is not expected) whose name, email or invitee
// holds every word of q, ignoring case and accents ("lodz" finds "Łódź",
// "sahin" finds "Şahin"), with their check-in on day. Names are compared
// in Go (Fold) rather than by a database extension, so that any
// PostgreSQL will do.
func (s *Service) FindAtDoor(ctx context.Context, a auth.Actor, meetingID int64, q, day, lang string) ([]Arrival, string, error) {
	if err := secretariatOnly(a); err != nil {
		return nil, "", err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return nil, "", err
	}
	if day, err = checkDay(m, day); err != nil {
		return nil, "", err
	}
	if len(q) > 200 {
		return nil, "", apperr.InvalidField("q", apperr.M("err.max_chars", "N", 200))
	}
	words := strings.Fields(Fold(q))
	if len(words) == 0 {
		return []Arrival{}, day, nil
	}
	var all []Arrival
	err = s.db.SelectContext(ctx, &all, `SELECT `+arrivalColumns+` FROM registrations r`+inviteeJoinSQL+`WHERE r.meeting_id = $1`, m.ID, lang, day)
	if err != nil {
		return nil, "", fmt.Errorf("registration: find at door: %w", err)
	}
	found := []Arrival{}
	for _, r := range all {
		hay := Fold(r.FirstName + " " + r.LastName + " " + r.Email + " " + r.InviteeName + " " + r.State)
		match := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				match = false
				break
			}
		}
		if match {
			r.Day = day
			found = append(found, r)
		}
	}
	c := collate.New(protocolTag(lang), collate.Loose)
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if (a.Status == StatusConfirmed) != (b.Status == StatusConfirmed) {
			return a.Status == StatusConfirmed
		}
		if d := c.CompareString(a.LastName, b.LastName); d != 0 {
			return d < 0
		}
		return c.CompareString(a.FirstName, b.FirstName) < 0
	})
	if len(found) > maxFound {
		found = found[:maxFound]
	}
	return found, day, nil
}

// DoorCounts are the live figures of the door page for one day.
type DoorCounts struct {
	Day string `json:"day"`
	// Days are all the meeting's days.
	Days []string `json:"days"`
	// Expected are the confirmed participants, CheckedIn those of them
	// checked in on Day.
	Expected  int `db:"expected" json:"expected"`
	CheckedIn int `db:"checked_in" json:"checked_in"`
}

// Door returns the meeting and the door's counts for day (empty: today's).
func (s *Service) Door(ctx context.Context, a auth.Actor, meetingID int64, day string) (meeting.Meeting, DoorCounts, error) {
	if err := secretariatOnly(a); err != nil {
		return meeting.Meeting{}, DoorCounts{}, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return meeting.Meeting{}, DoorCounts{}, err
	}
	if day, err = checkDay(m, day); err != nil {
		return meeting.Meeting{}, DoorCounts{}, err
	}
	out := DoorCounts{Day: day, Days: Days(m)}
	err = s.db.GetContext(ctx, &out, `
		SELECT count(*) AS expected,
		       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM check_ins c WHERE c.registration_id = r.id AND c.day = $2::date)) AS checked_in
		FROM registrations r WHERE r.meeting_id = $1 AND r.status = 'confirmed'`, m.ID, day)
	if err != nil {
		return meeting.Meeting{}, DoorCounts{}, fmt.Errorf("registration: door counts: %w", err)
	}
	return m, out, nil
}
