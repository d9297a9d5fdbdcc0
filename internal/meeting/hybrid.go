package meeting

import (
	"context"
	"fmt"

	"github.com/coe-agora/agora/internal/apperr"
)

// Ways of attending a meeting. A registration for an in-person meeting
// is in person, for an online one online; at a hybrid meeting each
// person chooses, and the people in the room may be limited
// (InPersonCapacity), under the same locks as the seats of a state (see
// registration's lockQuota). Online attendance has no limit.
//
// The online link goes to every confirmed participant, in person ones
// included (see onlinelink.go): at a hybrid meeting the people in the
// room follow the documents, interpretation channels and chat through it
// too, and someone whose travel fails joins online without asking. Only
// the practical reminder before the meeting, which tells each how to get
// there, gives the venue to people in the room and the link to those
// online.
const (
	AttendanceInPerson = "in_person"
	AttendanceOnline   = "online"
)

// Attendances lists the ways of attending, for forms.
var Attendances = []string{AttendanceInPerson, AttendanceOnline}

// DefaultAttendance is how someone attends who does not say: in the room
// unless the meeting is online only.
func (f Fields) DefaultAttendance() string {
	if f.Format == AttendanceOnline {
		return AttendanceOnline
	}
	return AttendanceInPerson
}

// AttendanceAllowed reports whether a person may attend the meeting so:
// either way at a hybrid meeting, else only as the meeting is held.
func (f Fields) AttendanceAllowed(attendance string) bool {
	if f.Format == "hybrid" {
		return attendance == AttendanceInPerson || attendance == AttendanceOnline
	}
	return attendance == f.DefaultAttendance()
}

// RoomLimited reports whether the meeting limits the people in its room:
// a hybrid meeting with an in-person capacity.
func (f Fields) RoomLimited() bool { return f.Format == "hybrid" && f.InPersonCapacity > 0 }

// checkAttendance adds the rules of the hybrid settings: an in-person
// capacity belongs to a hybrid meeting (elsewhere the overall capacity
// says it all).
func (f Fields) checkAttendance(errs apperr.Fields) {
	if f.InPersonCapacity > 0 && f.Format != "hybrid" {
		errs.Add("in_person_capacity", apperr.M("err.in_person_capacity_hybrid"))
	}
}

// checkRoomNotBelowTaken refuses an in-person capacity lower than the
// people already confirmed in the room: they would hold seats the
// meeting no longer has. Called under the meeting's exclusive lock, so
// no registration changes the count meanwhile.
func checkRoomNotBelowTaken(ctx context.Context, q queryer, id int64, next Fields) error {
	if !next.RoomLimited() {
		return nil
	}
	var taken int
	err := q.GetContext(ctx, &taken, `SELECT count(*) FROM registrations
		WHERE meeting_id = $1 AND status = 'confirmed' AND attendance = 'in_person'`, id)
	if err != nil {
		return fmt.Errorf("meeting: people in the room: %w", err)
	}
	if next.InPersonCapacity < taken {
		return apperr.InvalidField("in_person_capacity", apperr.M("err.room_below_taken", "N", taken))
	}
	return nil
}

// roomAdded reports whether an edit lets more people into the room: a
// larger in-person capacity, none any more, or a hybrid meeting no
// longer hybrid (its people in the room then need no seat of it).
func roomAdded(before, after Fields) bool {
	return before.RoomLimited() && (!after.RoomLimited() || after.InPersonCapacity > before.InPersonCapacity)
}

// updateAttendanceSettings writes the hybrid and reminder settings (a
// statement of their own, so the main one stays as it was).
func updateAttendanceSettings(ctx context.Context, q queryer, id int64, f Fields) error {
	_, err := q.ExecContext(ctx, `UPDATE meetings SET in_person_capacity = $2, reminder_focal_points_days = $3,
		reminder_participants_days = $4 WHERE id = $1`, id, f.InPersonCapacity, f.ReminderFocalPointsDays, f.ReminderParticipantsDays)
	if err != nil {
		return fmt.Errorf("meeting: update settings of %d: %w", id, err)
	}
	return nil
}
