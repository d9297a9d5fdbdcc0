package registration

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
)

// checkAttendance fills in how the person attends when they did not say
// (the meeting's default) and refuses a way the meeting does not offer
// (online at an in-person meeting, in person at an online one).
func checkAttendance(m meeting.Meeting, d *Details, errs apperr.Fields) {
	if d.Attendance == "" {
		d.Attendance = m.DefaultAttendance()
	}
	if !m.AttendanceAllowed(d.Attendance) {
		msg := apperr.M("err.attendance_in_person_only")
		if m.DefaultAttendance() == meeting.AttendanceOnline {
			msg = apperr.M("err.attendance_online_only")
		}
		errs.Add("attendance", msg)
	}
}

// errRoomFull refuses a place in the room of a hybrid meeting that has
// none left, with what to do instead: attend online (which has no limit).
// It is a field error, so the form shows it next to the choice and keeps
// what the person typed. A waiting list for the room was the other way;
// a person who must travel needs to know now, not days before the meeting.
func errRoomFull() error {
	return apperr.InvalidField("attendance", apperr.M("err.room_full"))
}

// checkRoomForReplacement: the replacement attends as they say (else as
// the person replaced did); coming in person in place of someone online
// needs a place left in the room.
func (s *Service) checkRoomForReplacement(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, old Registration, d *Details) error {
	if d.Attendance == "" {
		d.Attendance = old.Attendance
	}
	errs := apperr.Fields{}
	checkAttendance(m, d, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	if d.Attendance == old.Attendance {
		return nil
	}
	u, err := usageOf(ctx, tx, old)
	if err != nil {
		return err
	}
	if u.roomFull(d.Attendance) {
		return errRoomFull()
	}
	return nil
}

// leavesRoom reports whether a change takes a confirmed person out of a
// limited room, whose place may then go to someone waiting.
func leavesRoom(m meeting.Meeting, before, after Registration) bool {
	return m.RoomLimited() && before.Status == StatusConfirmed && before.Attendance == meeting.AttendanceInPerson &&
		(after.Status != StatusConfirmed || after.Attendance != meeting.AttendanceInPerson)
}

var attendanceLabels = map[string][2]string{
	meeting.AttendanceInPerson: {"in person", "en présentiel"},
	meeting.AttendanceOnline:   {"online", "en ligne"},
}

// AttendanceLabel names a way of attending in lang.
func AttendanceLabel(attendance, lang string) string {
	return label(attendanceLabels, attendance, lang)
}

// SetAttendance changes how a person attends a hybrid meeting, in person
// or online, for their focal point or the secretariat (a guest's, for the
// secretariat), until the meeting has taken place: a delegate who cannot
// travel any more, a room to be freed. A place in the room is taken under
// the meeting's lock, as at registration (a field error on attendance
// when none is left); a place given up goes to whoever waits for one. The
// person is told by email, in their language; the change is audited.
func (s *Service) SetAttendance(ctx context.Context, a auth.Actor, id int64, attendance string) (Registration, error) {
	var unchanged Registration // asked for what it already is: nothing written, recorded or sent
	out, err := s.act(ctx, a, id, "registration.attendance", CanManageState, func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error) {
		if attendance != meeting.AttendanceInPerson && attendance != meeting.AttendanceOnline {
			return Registration{}, apperr.InvalidField("attendance", apperr.M("err.one_of", "Values", meeting.AttendanceInPerson+", "+meeting.AttendanceOnline))
		}
		if !r.Active() {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.reg_is", "RegStatus", r.Status))
		}
		if err := s.checkOpenForChange(m); err != nil {
			return Registration{}, err
		}
		d := r.Details
		d.Attendance = attendance
		errs := apperr.Fields{}
		checkAttendance(m, &d, errs)
		if err := errs.Err(); err != nil {
			return Registration{}, err
		}
		if attendance == r.Attendance {
			unchanged = r
			return Registration{}, errUnchanged // rolls the transaction, and its audit entry, back
		}
		if r.Status == StatusConfirmed {
			u, err := usageOf(ctx, tx, r)
			if err != nil {
				return Registration{}, err
			}
			if u.roomFull(attendance) {
				return Registration{}, errRoomFull()
			}
		}
		var out Registration
		err := tx.GetContext(ctx, &out, `UPDATE registrations SET attendance = $2, updated_at = now() WHERE id = $1 RETURNING `+regColumns, r.ID, attendance)
		if err != nil {
			return Registration{}, fmt.Errorf("registration: set attendance: %w", err)
		}
		if leavesRoom(m, r, out) {
			if err := s.promote(ctx, tx, m, ""); err != nil {
				return Registration{}, err
			}
		}
		return out, s.notify(ctx, tx, m, out, EventAttendance)
	})
	if errors.Is(err, errUnchanged) {
		return unchanged, nil
	}
	return out, err
}

// errUnchanged ends a change that would change nothing.
var errUnchanged = errors.New("registration: unchanged")
