package meeting

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/internal/validate"
)

// Hook is told of lifecycle events inside the transaction that makes them,
// so that what follows (emails) commits or rolls back with the change.
type Hook interface {
	MeetingCancelled(ctx context.Context, tx *sqlx.Tx, m Meeting) error
}

// SeatsHook is told, inside the transaction of an edit, that a meeting
// gained seats (more per state, or a larger or no overall capacity), so
// that people waiting get them with the change.
type SeatsHook interface {
	SeatsAdded(ctx context.Context, tx *sqlx.Tx, m Meeting) error
}

// Service schedules meetings and keeps their history.
type Service struct {
	db    *sqlx.DB
	v     *validate.Validator
	hooks []Hook
	seats []SeatsHook
}

// NewService returns the meeting service.
func NewService(db *sqlx.DB, v *validate.Validator) *Service {
	return &Service{db: db, v: v}
}

// AddHook registers a hook for lifecycle events.
func (s *Service) AddHook(h Hook) { s.hooks = append(s.hooks, h) }

// AddSeatsHook registers a hook for seats a meeting gains.
func (s *Service) AddSeatsHook(h SeatsHook) { s.seats = append(s.seats, h) }

// CanManage reports whether the actor may create and change meetings.
func CanManage(a auth.Actor) bool { return a.Is(auth.RoleSecretariat) }

// CanView reports whether the actor may see the meeting. Drafts are the
// secretariat's; other meetings are visible to anyone signed in, and to
// the public when they are public.
func CanView(a auth.Actor, m Meeting) bool {
	switch {
	case CanManage(a):
		return true
	case m.Status == StatusDraft:
		return false
	case !a.Anonymous():
		return true
	default:
		return m.Public
	}
}

func (s *Service) requireManager(a auth.Actor) error {
	if a.Anonymous() {
		return apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_meetings"))
	}
	if !CanManage(a) {
		return apperr.New(apperr.Forbidden, apperr.M("err.meetings_secretariat"))
	}
	return nil
}

// roster returns every invitee (states and organisations) by code.
func (s *Service) roster(ctx context.Context, q queryer) (map[string]invitee.Invitee, error) {
	var rows []invitee.Invitee
	if err := q.SelectContext(ctx, &rows, `SELECT code, name_en, name_fr, kind, status, rank FROM invitees`); err != nil {
		return nil, fmt.Errorf("meeting: roster: %w", err)
	}
	m := make(map[string]invitee.Invitee, len(rows))
	for _, r := range rows {
		m[r.Code] = r
	}
	return m, nil
}

func (s *Service) check(ctx context.Context, q queryer, f Fields) error {
	roster, err := s.roster(ctx, q)
	if err != nil {
		return err
	}
	errs := apperr.Fields{}
	f.check(s.v, roster, errs)
	return errs.Err()
}

// Create schedules a new draft meeting.
func (s *Service) Create(ctx context.Context, a auth.Actor, f Fields) (Meeting, error) {
	if err := s.requireManager(a); err != nil {
		return Meeting{}, err
	}
	f.normalize()
	var m Meeting
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := s.check(ctx, tx, f); err != nil {
			return err
		}
		id, err := insertMeeting(ctx, tx, f, a.ID())
		if err != nil {
			return err
		}
		if err := setInvitedStates(ctx, tx, id, f.InvitedStates); err != nil {
			return err
		}
		if err := setInvitedOrganisations(ctx, tx, id, f.InvitedOrganisations); err != nil {
			return err
		}
		if err := record(ctx, tx, id, a.ID(), change{what: ChangeCreate, after: f}); err != nil {
			return err
		}
		m, err = getMeeting(ctx, tx, id, noLock)
		return err
	})
	return m, err
}

// Update changes a meeting: apply receives the current fields and edits
// them (the API applies a JSON patch). The row is locked meanwhile, so
// concurrent edits never overwrite each other's fields.
func (s *Service) Update(ctx context.Context, a auth.Actor, id int64, apply func(*Fields) error) (Meeting, error) {
	if err := s.requireManager(a); err != nil {
		return Meeting{}, err
	}
	var m Meeting
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := getMeeting(ctx, tx, id, forEdit)
		if err != nil {
			return err
		}
		if !cur.Editable() {
			return apperr.New(apperr.Conflict, apperr.M("err.edit", "Status", cur.Status))
		}
		// apply edits a copy that shares nothing with cur: a JSON patch
		// decodes into pointers and slices in place, and an edit made
		// through cur's own would vanish from the diff below, so that
		// nothing would be saved.
		next := cur.Fields.clone()
		if err := apply(&next); err != nil {
			return err
		}
		next.normalize()
		if err := s.check(ctx, tx, next); err != nil {
			return err
		}
		taken := apperr.Fields{}
		if err := checkTaken(ctx, tx, id, cur.Fields, next, taken); err != nil {
			return err
		}
		if err := taken.Err(); err != nil {
			return err
		}
		if err := checkRoomNotBelowTaken(ctx, tx, id, next); err != nil {
			return err
		}
		if cur.Status != StatusDraft {
			errs := apperr.Fields{}
			next.checkPublishable(errs)
			if err := errs.Err(); err != nil {
				return err
			}
		}
		before := cur.Fields.clone()
		before.normalizeTimes()
		changes, err := diff(ChangeUpdate, nil, before, next)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			m = cur
			return nil
		}
		if err := updateMeeting(ctx, tx, id, next, placeOrTimeChanged(cur.Fields, next)); err != nil {
			return err
		}
		if err := setInvitedStates(ctx, tx, id, next.InvitedStates); err != nil {
			return err
		}
		if err := setInvitedOrganisations(ctx, tx, id, next.InvitedOrganisations); err != nil {
			return err
		}
		if err := record(ctx, tx, id, a.ID(), changes...); err != nil {
			return err
		}
		if m, err = getMeeting(ctx, tx, id, noLock); err != nil {
			return err
		}
		if seatsAdded(cur.Fields, next) || moreSeats(cur.Fields, next) {
			for _, h := range s.seats {
				if err := h.SeatsAdded(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return m, err
}

// seatsAdded reports whether an edit gives a meeting more seats: more per
// state, or a larger or no overall capacity.
func seatsAdded(before, after Fields) bool {
	return after.SeatsPerState > before.SeatsPerState ||
		(before.Capacity > 0 && (after.Capacity == 0 || after.Capacity > before.Capacity)) || roomAdded(before, after)
}

// Publish makes a draft visible (to the public too when it is public).
func (s *Service) Publish(ctx context.Context, a auth.Actor, id int64) (Meeting, error) {
	return s.transition(ctx, a, id, func(ctx context.Context, tx *sqlx.Tx, cur Meeting) (change, error) {
		if cur.Status != StatusDraft {
			return change{}, apperr.New(apperr.Conflict, apperr.M("err.publish", "Status", cur.Status))
		}
		errs := apperr.Fields{}
		cur.checkPublishable(errs)
		if err := errs.Err(); err != nil {
			return change{}, err
		}
		return change{what: ChangePublish, field: "status", before: StatusDraft, after: StatusPublished},
			setLifecycle(ctx, tx, cur.ID, "published", Reason{})
	})
}

// MaxReasonLength bounds a cancellation reason.
const MaxReasonLength = 2000

// Cancel cancels a meeting that has not been held, with a reason in
// English, French or both, shown to each person invited in their language
// (or the other when theirs is missing).
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64, reason Reason) (Meeting, error) {
	if err := s.requireManager(a); err != nil {
		return Meeting{}, err
	}
	reason.EN, reason.FR = strings.TrimSpace(reason.EN), strings.TrimSpace(reason.FR)
	if reason.EN == "" && reason.FR == "" {
		return Meeting{}, apperr.InvalidField("reason", apperr.M("err.required"))
	}
	errs := apperr.Fields{}
	for _, r := range []struct{ field, text string }{{"reason_en", reason.EN}, {"reason_fr", reason.FR}} {
		switch {
		case utf8.RuneCountInString(r.text) > MaxReasonLength:
			errs.Add(r.field, apperr.M("err.max_chars", "N", MaxReasonLength))
		case !validate.CleanText(r.text):
			errs.Add(r.field, apperr.M("err.no_controls"))
		}
	}
	if err := errs.Err(); err != nil {
		return Meeting{}, err
	}
	return s.transition(ctx, a, id, func(ctx context.Context, tx *sqlx.Tx, cur Meeting) (change, error) {
		switch cur.Status {
		case StatusCancelled, StatusArchived, StatusHeld:
			return change{}, apperr.New(apperr.Conflict, apperr.M("err.cancel", "Status", cur.Status))
		}
		before := cur.Status
		if err := setLifecycle(ctx, tx, cur.ID, "cancelled", reason); err != nil {
			return change{}, err
		}
		cur.Status, cur.CancelReason, cur.CancelReasonFR, cur.Sequence = StatusCancelled, reason.EN, reason.FR, cur.Sequence+1
		for _, h := range s.hooks {
			if err := h.MeetingCancelled(ctx, tx, cur); err != nil {
				return change{}, err
			}
		}
		return change{what: ChangeCancel, field: "status", before: before, after: map[string]string{
			"status": StatusCancelled, "reason": reason.EN, "reason_fr": reason.FR}}, nil
	})
}

// Archive files away a meeting that has been held or cancelled.
func (s *Service) Archive(ctx context.Context, a auth.Actor, id int64) (Meeting, error) {
	return s.transition(ctx, a, id, func(ctx context.Context, tx *sqlx.Tx, cur Meeting) (change, error) {
		if cur.Status != StatusHeld && cur.Status != StatusCancelled {
			return change{}, apperr.New(apperr.Conflict, apperr.M("err.archive", "Status", cur.Status))
		}
		return change{what: ChangeArchive, field: "status", before: cur.Status, after: StatusArchived},
			setLifecycle(ctx, tx, cur.ID, "archived", Reason{EN: cur.CancelReason, FR: cur.CancelReasonFR})
	})
}

func (s *Service) transition(ctx context.Context, a auth.Actor, id int64,
	step func(context.Context, *sqlx.Tx, Meeting) (change, error)) (Meeting, error) {
	if err := s.requireManager(a); err != nil {
		return Meeting{}, err
	}
	var m Meeting
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, err := getMeeting(ctx, tx, id, forEdit)
		if err != nil {
			return err
		}
		c, err := step(ctx, tx, cur)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, id, a.ID(), c); err != nil {
			return err
		}
		m, err = getMeeting(ctx, tx, id, noLock)
		return err
	})
	return m, err
}

// Meeting returns a meeting the actor may see; others are not found.
func (s *Service) Meeting(ctx context.Context, a auth.Actor, id int64) (Meeting, error) {
	m, err := getMeeting(ctx, s.db, id, noLock)
	if err != nil {
		return Meeting{}, err
	}
	if !CanView(a, m) {
		return Meeting{}, apperr.New(apperr.NotFound, apperr.M("err.no_meeting"))
	}
	one := []Meeting{m}
	if err := s.hideOnlineLinks(ctx, a, one); err != nil {
		return Meeting{}, err
	}
	return one[0], nil
}

// History lists every change to a meeting and its agenda (secretariat only).
func (s *Service) History(ctx context.Context, a auth.Actor, id int64) ([]Change, error) {
	if _, err := s.Meeting(ctx, a, id); err != nil {
		return nil, err
	}
	if err := s.requireManager(a); err != nil {
		return nil, err
	}
	return history(ctx, s.db, id)
}

// Filter narrows a list of meetings.
type Filter struct {
	Status string
	From   *time.Time // meetings ending at or after From
	To     *time.Time // meetings starting before To
	Limit  int
	Cursor string
	// Upcoming keeps meetings that have not ended (the public list).
	Upcoming bool
	// Past keeps meetings that have ended or are archived, the most
	// recent first (the cursor then leads to older ones).
	Past bool
	// PublicRecord keeps the public meetings that were not cancelled (nor
	// drafts): what the public may read about past meetings, whoever asks.
	PublicRecord bool
}

// MaxLimit bounds a page of meetings.
const MaxLimit = 500

// Meetings lists the meetings the actor may see, in date order, a page at
// a time; next is the cursor of the following page ("" at the end).
func (s *Service) Meetings(ctx context.Context, a auth.Actor, f Filter) (ms []Meeting, next string, err error) {
	errs := apperr.Fields{}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		errs.Add("status", apperr.M("err.one_of", "Values", strings.Join(Statuses, ", ")))
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		errs.Add("limit", apperr.M("err.between", "A", 1, "B", MaxLimit))
	}
	after, afterID, ok := decodeCursor(f.Cursor)
	if !ok {
		errs.Add("cursor", apperr.M("err.cursor"))
	}
	if err := errs.Err(); err != nil {
		return nil, "", err
	}
	where := []string{"true"}
	args := []any{}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	switch {
	case CanManage(a):
	case a.Anonymous():
		where = append(where, "m.lifecycle <> 'draft' AND m.public")
	default:
		where = append(where, "m.lifecycle <> 'draft'")
	}
	if f.Status != "" {
		where = append(where, "("+statusExpr+") = "+arg(f.Status))
	}
	if f.From != nil {
		where = append(where, "m.ends_at >= "+arg(*f.From))
	}
	if f.To != nil {
		where = append(where, "m.starts_at < "+arg(*f.To))
	}
	if f.Upcoming {
		where = append(where, "m.ends_at > now()")
	}
	if f.Past {
		where = append(where, "(m.ends_at <= now() OR m.lifecycle = 'archived')")
	}
	if f.PublicRecord {
		// An archived meeting with a reason for cancelling was cancelled
		// before it was archived (Cancel requires a reason).
		where = append(where, "m.public AND (m.lifecycle = 'published' OR (m.lifecycle = 'archived' AND m.cancel_reason = ''))")
	}
	order, cmp := "m.starts_at, m.id", ">"
	if f.Past {
		order, cmp = "m.starts_at DESC, m.id DESC", "<"
	}
	if f.Cursor != "" {
		where = append(where, "(m.starts_at, m.id) "+cmp+" ("+arg(after)+", "+arg(afterID)+")")
	}
	query := `SELECT ` + meetingColumns + ` FROM meetings m WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` LIMIT ` + arg(f.Limit+1)
	if err := s.db.SelectContext(ctx, &ms, query, args...); err != nil {
		return nil, "", fmt.Errorf("meeting: list: %w", err)
	}
	if len(ms) > f.Limit {
		ms = ms[:f.Limit]
		last := ms[len(ms)-1]
		next = encodeCursor(last.StartsAt, last.ID)
	}
	if ms == nil {
		ms = []Meeting{}
	}
	if err := s.hideOnlineLinks(ctx, a, ms); err != nil {
		return nil, "", err
	}
	return ms, next, nil
}

func encodeCursor(t time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (time.Time, int64, bool) {
	if c == "" {
		return time.Time{}, 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, false
	}
	ts, idText, ok := strings.Cut(string(b), "|")
	t, err1 := time.Parse(time.RFC3339Nano, ts)
	id, err2 := strconv.ParseInt(idText, 10, 64)
	return t, id, ok && err1 == nil && err2 == nil
}

// AudienceStates returns the states the meeting invites, in protocol order
// for lang: every member state, members and partners, or the chosen list
// (inactive states never).
func (s *Service) AudienceStates(ctx context.Context, m Meeting, lang string) ([]state.State, error) {
	var states []state.State
	query := `SELECT code, name_en, name_fr, status, updated_at FROM states WHERE status <> 'inactive' AND `
	var err error
	switch m.Audience {
	case AudienceMembers:
		err = s.db.SelectContext(ctx, &states, query+`status = 'member'`)
	case AudienceMembersAndPartners:
		err = s.db.SelectContext(ctx, &states, query+`status IN ('member', 'partner')`)
	default:
		err = s.db.SelectContext(ctx, &states, query+`code = ANY($1)`, m.InvitedStates)
	}
	if err != nil {
		return nil, fmt.Errorf("meeting: audience of %d: %w", m.ID, err)
	}
	state.SortProtocol(states, lang)
	return states, nil
}

// LockForSeats holds the meeting's lock shared until tx ends (see
// lockMeeting), then reads the meeting: a seat decision calls it before
// its quota locks, so that what it checks (the status, the approval rule,
// the capacity) stays true until it commits. Decisions do not exclude
// each other; an edit, publication or cancellation waits for those under
// way, and those that come after it wait for it and see it. Both sides
// lock the meeting before any quota (an edit adding seats locks quotas in
// its SeatsHook), so they never deadlock.
func (s *Service) LockForSeats(ctx context.Context, tx *sqlx.Tx, id int64) (Meeting, error) {
	if err := lockMeeting(ctx, tx, id, true); err != nil {
		return Meeting{}, err
	}
	return getMeeting(ctx, tx, id, noLock)
}

// LockForChange holds the meeting's lock exclusively until tx ends, as
// edits do: for a change outside this package that seat decisions must
// see whole, such as revoking a state's registration link.
func LockForChange(ctx context.Context, tx *sqlx.Tx, id int64) error {
	return lockMeeting(ctx, tx, id, false)
}

// MeetingForLink returns a meeting that a secret link (invitation or
// registration) points to: the link is the authority, so visibility rules
// for the public do not apply, but drafts stay hidden.
func (s *Service) MeetingForLink(ctx context.Context, id int64) (Meeting, error) {
	m, err := getMeeting(ctx, s.db, id, noLock)
	if err != nil {
		return Meeting{}, err
	}
	if m.Status == StatusDraft {
		return Meeting{}, apperr.New(apperr.NotFound, apperr.M("err.no_meeting"))
	}
	return m, nil
}
