package registration

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/validate"
)

// act runs a change to one registration: it checks that the actor may act
// on the registration's state, then has change lock and apply it.
func (s *Service) act(ctx context.Context, a auth.Actor, id int64, action string, allowed func(auth.Actor, string) bool,
	fn func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error)) (Registration, error) {
	if a.Anonymous() {
		return Registration{}, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_manage"))
	}
	r, err := get(ctx, s.db, id, false)
	if err != nil {
		return Registration{}, err
	}
	if !allowed(a, r.State) {
		if !CanManageState(a, r.State) {
			return Registration{}, errNoSuchRegistration() // another state's: as if missing, so ids reveal nothing
		}
		return Registration{}, apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
	return s.change(ctx, a, r, action, fn)
}

// change takes the meeting's and the state's locks (lockSeats), re-reads
// the row under them and applies fn in one transaction, recording the
// action in the audit trail. fn gets the meeting as it is under the locks.
func (s *Service) change(ctx context.Context, a auth.Actor, r Registration, action string,
	fn func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error)) (Registration, error) {
	var out Registration
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		m, err := s.lockSeats(ctx, tx, r.MeetingID, lockKey(r))
		if err != nil {
			return err
		}
		cur, err := get(ctx, tx, r.ID, true)
		if err != nil {
			return err
		}
		if out, err = fn(tx, m, cur); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: action, MeetingID: m.ID, State: cur.State,
			SubjectType: "registration", SubjectID: cur.ID, Details: map[string]any{"from": cur.Status, "to": out.Status}})
	})
	return out, err
}

func setStatus(ctx context.Context, tx *sqlx.Tx, id int64, status string, funded bool, reason meeting.Reason) (Registration, error) {
	var r Registration
	err := tx.GetContext(ctx, &r, `
		UPDATE registrations SET status = $2, funded = $3, decline_reason = $4, decline_reason_fr = $5, updated_at = now(),
			waitlisted_at = CASE WHEN $2 = 'waitlisted' THEN coalesce(waitlisted_at, clock_timestamp()) END
		WHERE id = $1 RETURNING `+regColumns, id, status, funded, reason.EN, reason.FR)
	if err != nil {
		return Registration{}, fmt.Errorf("registration: set status: %w", err)
	}
	return r, nil
}

// Approve confirms a pending registration (or puts it on the waiting list
// when the state's seats are taken).
func (s *Service) Approve(ctx context.Context, a auth.Actor, id int64) (Registration, error) {
	return s.act(ctx, a, id, "registration.approve", CanManageState, func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error) {
		if r.Status != StatusPending {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.approve", "RegStatus", r.Status))
		}
		if err := s.checkOpenForChange(m); err != nil {
			return Registration{}, err
		}
		u, err := usageOf(ctx, tx, r)
		if err != nil {
			return Registration{}, err
		}
		if u.roomFull(r.Attendance) {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.room_full_approve"))
		}
		status, funded := seat(u, r.FundingRequested)
		r, err = setStatus(ctx, tx, r.ID, status, funded, meeting.Reason{})
		if err != nil {
			return Registration{}, err
		}
		event := EventApproved
		if status == StatusWaitlisted {
			event = EventWaitlisted
		}
		return r, s.notify(ctx, tx, m, r, event)
	})
}

// MaxReasonLength bounds a decline reason.
const MaxReasonLength = 1000

// Decline refuses a registration with an optional reason in English,
// French or both (the person reads theirs, else the other), until the
// meeting has taken place; a seat it held goes to the first person waiting.
func (s *Service) Decline(ctx context.Context, a auth.Actor, id int64, reason meeting.Reason) (Registration, error) {
	reason.EN, reason.FR = strings.TrimSpace(reason.EN), strings.TrimSpace(reason.FR)
	return s.act(ctx, a, id, "registration.decline", CanManageState, func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error) {
		errs := apperr.Fields{}
		for _, t := range []struct{ field, text string }{{"reason_en", reason.EN}, {"reason_fr", reason.FR}} {
			if utf8.RuneCountInString(t.text) > MaxReasonLength || !validate.CleanText(t.text) {
				errs.Add(t.field, apperr.M("err.max_chars_text", "N", MaxReasonLength))
			}
		}
		if err := errs.Err(); err != nil {
			return Registration{}, err
		}
		if !r.Active() {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.reg_already", "RegStatus", r.Status))
		}
		if err := checkNotOver(m); err != nil {
			return Registration{}, err
		}
		return s.release(ctx, tx, m, r, StatusDeclined, reason, EventDeclined)
	})
}

// Cancel withdraws a registration on behalf of the person, until the
// meeting has taken place; a seat it held goes to the first person waiting.
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64) (Registration, error) {
	return s.act(ctx, a, id, "registration.cancel", CanManageState, func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error) {
		if !r.Active() {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.reg_already", "RegStatus", r.Status))
		}
		if err := checkNotOver(m); err != nil {
			return Registration{}, err
		}
		return s.release(ctx, tx, m, r, StatusCancelled, meeting.Reason{}, EventCancelled)
	})
}

// release ends a registration and, when it held a seat, promotes the
// earliest waiting person who now fits, in the same transaction.
func (s *Service) release(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, r Registration, status string, reason meeting.Reason, event string) (Registration, error) {
	held := r.Status == StatusConfirmed
	out, err := setStatus(ctx, tx, r.ID, status, false, reason)
	if err != nil {
		return Registration{}, err
	}
	if err := s.notify(ctx, tx, m, out, event); err != nil {
		return Registration{}, err
	}
	if held {
		if err := s.promote(ctx, tx, m, r.State); err != nil {
			return Registration{}, err
		}
	}
	return out, nil
}

// promote gives the free seats of the state to its earliest waitlisted
// people, as many as now fit: usually the one seat just freed, more when
// the meeting gained seats. When the meeting has an overall capacity (and
// so the whole meeting is locked), a seat the state cannot use goes to the
// earliest waiting person of any state whose own quota has room; state ""
// looks at every state's waiting people only.
func (s *Service) promote(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting, state string) error {
	if m.Status == meeting.StatusCancelled || m.Status == meeting.StatusHeld || m.Status == meeting.StatusArchived {
		return nil
	}
	query := `SELECT ` + regColumns + ` FROM registrations
		WHERE meeting_id = $1 AND status = 'waitlisted' AND ($2 = '' OR invitee = $2)
		ORDER BY waitlisted_at, id`
	scopes := []string{state}
	if (m.Capacity > 0 || m.RoomLimited()) && state != "" {
		scopes = append(scopes, "")
	}
	for _, scope := range scopes {
		var waiting []Registration
		if err := tx.SelectContext(ctx, &waiting, query, m.ID, scope); err != nil {
			return fmt.Errorf("registration: waiting list: %w", err)
		}
		for _, w := range waiting {
			u, err := usageOf(ctx, tx, w)
			if err != nil {
				return err
			}
			if u.roomFull(w.Attendance) {
				continue // no room for w; someone behind may attend online
			}
			status, funded := seat(u, w.FundingRequested)
			if status != StatusConfirmed {
				if scope != "" || (u.Capacity > 0 && u.TotalConfirmed >= u.Capacity) {
					break // the state (or the whole meeting) is full, for everyone behind w too
				}
				continue
			}
			w, err = setStatus(ctx, tx, w.ID, StatusConfirmed, funded, meeting.Reason{})
			if err != nil {
				return err
			}
			if err := audit.RecordSystem(ctx, tx, audit.Event{Action: "registration.promote", MeetingID: m.ID, State: w.State,
				SubjectType: "registration", SubjectID: w.ID, Details: map[string]any{"funded": funded}}); err != nil {
				return err
			}
			if err := s.notify(ctx, tx, m, w, EventPromoted); err != nil {
				return err
			}
		}
	}
	return nil
}

// SeatsAdded gives the seats a meeting gained (more seats per state, a
// larger or no overall capacity) to the people waiting for them, in the
// transaction of the change, so that no seat stays free while someone
// waits, nor goes to the next newcomer ahead of them.
//
// It takes the quota lock of every invitee of the roster (states and
// organisations), not only of those
// with people waiting when it starts: until the change commits, others
// still decide on the old quotas, and a person joining the waiting list of
// another state meanwhile would find, after the commit, a seat free that
// nobody gives them. With every lock held, whoever joined a list is seen
// here, and whoever comes later sees the new quotas. The locks are taken
// in the order of the codes, so two such changes never deadlock, and
// after the meeting's lock that the change holds, as everyone takes them
// (see lockSeats).
func (s *Service) SeatsAdded(ctx context.Context, tx *sqlx.Tx, m meeting.Meeting) error {
	var codes []string
	if err := tx.SelectContext(ctx, &codes, `SELECT code FROM invitees ORDER BY code`); err != nil {
		return fmt.Errorf("registration: invitees: %w", err)
	}
	if err := limitLockWait(ctx, tx); err != nil {
		return err
	}
	for _, code := range codes {
		if err := lockQuota(ctx, tx, m, code); err != nil {
			return err
		}
	}
	var waiting []string
	err := tx.SelectContext(ctx, &waiting, `SELECT DISTINCT invitee FROM registrations
		WHERE meeting_id = $1 AND status = 'waitlisted' ORDER BY invitee`, m.ID)
	if err != nil {
		return fmt.Errorf("registration: states waiting: %w", err)
	}
	if m.Capacity > 0 && len(waiting) > 0 {
		return s.promote(ctx, tx, m, "") // room goes by arrival across states
	}
	for _, st := range waiting {
		if err := s.promote(ctx, tx, m, st); err != nil {
			return err
		}
	}
	return nil
}

// checkOpenForChange: seats are not handed out for a cancelled or past meeting.
func (s *Service) checkOpenForChange(m meeting.Meeting) error {
	switch m.Status {
	case meeting.StatusCancelled:
		return apperr.New(apperr.Conflict, apperr.M("err.meeting_cancelled"))
	case meeting.StatusHeld, meeting.StatusArchived:
		return apperr.New(apperr.Conflict, apperr.M("err.meeting_held"))
	}
	return nil
}

// checkNotOver: once a meeting has taken place, registrations are a record
// of who came; cancelling or declining one would rewrite attendance and
// send calendars a cancellation. The secretariat corrects attendance by
// check-in (and its undo) instead.
func checkNotOver(m meeting.Meeting) error {
	if m.Over() {
		return apperr.New(apperr.Conflict, apperr.M("err.meeting_held"))
	}
	return nil
}

// CheckIn marks a confirmed participant as arrived, or undoes it
// (secretariat only).
func (s *Service) CheckIn(ctx context.Context, a auth.Actor, id int64, undo bool) (Registration, error) {
	secretariat := func(a auth.Actor, _ string) bool { return a.Is(auth.RoleSecretariat) }
	action := "registration.check_in"
	if undo {
		action = "registration.undo_check_in"
	}
	return s.act(ctx, a, id, action, secretariat, func(tx *sqlx.Tx, m meeting.Meeting, r Registration) (Registration, error) {
		if r.Status != StatusConfirmed {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.check_in", "RegStatus", r.Status))
		}
		// The days of the door (check_ins) follow: a check-in here counts
		// for today's day of the meeting, its undo takes back every day.
		if undo {
			if err := removeCheckIns(ctx, tx, r.ID, ""); err != nil {
				return Registration{}, err
			}
		} else if err := recordCheckIn(ctx, tx, r, DayAt(m, time.Now()), a.ID()); err != nil {
			return Registration{}, err
		}
		var out Registration
		err := tx.GetContext(ctx, &out, `
			UPDATE registrations SET checked_in_at = CASE WHEN $2 THEN NULL
				ELSE coalesce(checked_in_at, (SELECT min(checked_in_at) FROM check_ins WHERE registration_id = $1), now()) END, updated_at = now()
			WHERE id = $1 RETURNING `+regColumns, r.ID, undo)
		if err != nil {
			return Registration{}, fmt.Errorf("registration: check in: %w", err)
		}
		return out, nil
	})
}

// Replace passes a confirmed person's seat (with its funding) to someone
// else: the old registration is cancelled, the new one confirmed at once.
func (s *Service) Replace(ctx context.Context, a auth.Actor, id int64, d Details) (Result, error) {
	d.normalize()
	var res Result
	_, err := s.act(ctx, a, id, "registration.replace", CanManageState, func(tx *sqlx.Tx, m meeting.Meeting, old Registration) (Registration, error) {
		errs := apperr.Fields{}
		d.check(s.v, errs)
		if err := errs.Err(); err != nil {
			return Registration{}, err
		}
		if old.Status != StatusConfirmed {
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.replace", "RegStatus", old.Status))
		}
		if old.GuestID != nil { // a personal invitation's seat is the guest's own
			return Registration{}, apperr.New(apperr.Conflict, apperr.M("err.guest_no_replace"))
		}
		if err := s.checkOpenForChange(m); err != nil {
			return Registration{}, err
		}
		if err := s.checkNoDuplicate(ctx, tx, m.ID, d.Email); err != nil {
			return Registration{}, err
		}
		if err := s.checkRoomForReplacement(ctx, tx, m, old, &d); err != nil {
			return Registration{}, err
		}
		gone, err := setStatus(ctx, tx, old.ID, StatusCancelled, false, meeting.Reason{})
		if err != nil {
			return Registration{}, err
		}
		if err := s.notify(ctx, tx, m, gone, EventReplaced); err != nil {
			return Registration{}, err
		}
		source := SourceFocalPoint
		if a.Is(auth.RoleSecretariat) {
			source = SourceSecretariat
		}
		funded := old.Funded && d.FundingRequested
		nr, err := s.insert(ctx, tx, m.ID, Input{State: old.State, Details: d}, nil, StatusConfirmed, funded, source, a.ID(), &old.ID)
		if err != nil {
			return Registration{}, err
		}
		if err := s.notify(ctx, tx, m, nr, EventConfirmed); err != nil {
			return Registration{}, err
		}
		res = Result{Registration: nr, ManageURL: s.ManageURL(nr)}
		return nr, nil
	})
	return res, err
}
