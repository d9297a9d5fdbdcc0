package registration

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
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
