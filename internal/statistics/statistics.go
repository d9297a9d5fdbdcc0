// Package statistics answers the secretariat's questions about the
// meetings held over a period (the annual report to the member states):
// how many meetings, how many people registered, were confirmed, came and
// were funded, from which states, in which roles, how many for the first
// time, and the gender balance where it cannot single anyone out. States
// and organisations each have their table: a registration belongs to one
// of them (its invitee). It also
// finds people across every meeting (Search) and tells their
// participation history (History).
//
// Everything here reads; nothing is changed, so nothing is audited.
package statistics

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/state"
)

// SmallGroup is the small-group rule: a gender figure from 1 to
// SmallGroup-1 is never shown (nor any gender figure of a group of fewer
// than SmallGroup people), so that nobody's self-declared gender can be
// worked out from the statistics. See Gender.
const SmallGroup = 5

// MaxPeriod is the longest period a report covers (ten years): a bound on
// the work one request can ask for.
const MaxPeriod = 10 * 366 * 24 * time.Hour

// Service reads the statistics.
type Service struct {
	db *sqlx.DB
}

// NewService returns the statistics service on db.
func NewService(db *sqlx.DB) *Service { return &Service{db: db} }

// Filter chooses the meetings of a report: those held whose start, in the
// meeting's own time zone, falls on a day from From to To (both
// included), of one kind or of every kind ("").
type Filter struct {
	From, To time.Time // dates (the time of day is ignored)
	Kind     string
	// Lang orders the states (protocol order) and the organisations
	// (alphabetical) and names them.
	Lang string
}

// ParseFilter reads a report's parameters as the API and the page take
// them (from and to as YYYY-MM-DD, kind, lang); a missing period is the
// last full calendar year before today, a missing end today. Bad values
// are field errors.
func ParseFilter(from, to, kind, lang string, today time.Time) (Filter, error) {
	f := Filter{Kind: kind, Lang: "en"}
	if lang == "fr" {
		f.Lang = "fr"
	}
	errs := apperr.Fields{}
	y := today.Year() - 1
	f.From = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	f.To = time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
	if from != "" {
		d, err := time.Parse(time.DateOnly, from)
		if err != nil {
			errs.Add("from", apperr.M("err.stats_date"))
		}
		f.From = d
	}
	if to == "" && from != "" {
		// A period from a day on: up to today.
		f.To = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	}
	if to != "" {
		d, err := time.Parse(time.DateOnly, to)
		if err != nil {
			errs.Add("to", apperr.M("err.stats_date"))
		}
		f.To = d
	}
	if len(errs) == 0 {
		if f.To.Before(f.From) {
			errs.Add("to", apperr.M("err.stats_period_order"))
		} else if f.To.Sub(f.From) > MaxPeriod {
			errs.Add("to", apperr.M("err.stats_period_long"))
		}
	}
	if kind != "" && !validKind(kind) {
		errs.Add("kind", apperr.M("err.stats_kind"))
	}
	return f, errs.Err()
}

func validKind(k string) bool {
	for _, v := range meeting.Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Totals counts registrations of the meetings of a report. Registered is
// every registration received, whatever became of it (the other figures
// break it down by status); Attended counts the confirmed people checked
// in, Funded the confirmed people holding a funded seat.
type Totals struct {
	Registered int `json:"registered" db:"registered"`
	Confirmed  int `json:"confirmed" db:"confirmed"`
	Attended   int `json:"attended" db:"attended"`
	Funded     int `json:"funded" db:"funded"`
	Pending    int `json:"pending" db:"pending"`
	Waitlisted int `json:"waitlisted" db:"waitlisted"`
	Declined   int `json:"declined" db:"declined"`
	Cancelled  int `json:"cancelled" db:"cancelled"`
	// InPerson and Online split the confirmed people by how they attend.
	InPerson int `json:"in_person" db:"in_person"`
	Online   int `json:"online" db:"online"`
}

// Invitee is one line of the per-state (or per-organisation) table.
// Meetings counts the meetings where it had at least one confirmed
// participant.
type Invitee struct {
	Code       string `json:"code" db:"code"`
	Name       string `json:"name" db:"-"`
	NameEN     string `json:"-" db:"name_en"`
	NameFR     string `json:"-" db:"name_fr"`
	Meetings   int    `json:"meetings" db:"meetings"`
	Registered int    `json:"registered" db:"registered"`
	Confirmed  int    `json:"confirmed" db:"confirmed"`
	Attended   int    `json:"attended" db:"attended"`
	Funded     int    `json:"funded" db:"funded"`
}

// Role is one line of the per-role table.
type Role struct {
	Role       string `json:"role" db:"role"`
	Registered int    `json:"registered" db:"registered"`
	Confirmed  int    `json:"confirmed" db:"confirmed"`
	Attended   int    `json:"attended" db:"attended"`
	Funded     int    `json:"funded" db:"funded"`
}

// People tells the confirmed participants of the period apart: New ones
// had never been confirmed for a meeting held before the period, Returning
// ones had (the same person is the same address, which Agora stores in one
// lower-case form, so the match ignores case). A person confirmed for
// several meetings of the period counts once. Anonymised registrations
// can no longer be linked to anyone: they are counted as Unlinked
// registrations.
type People struct {
	New       int `json:"new" db:"new"`
	Returning int `json:"returning" db:"returning"`
	Unlinked  int `json:"unlinked" db:"unlinked"`
}

// Gender is the self-declared gender of the confirmed participants (one
// per confirmed registration, so the figures add up to Totals.Confirmed);
// Unknown is nobody answered (or the answer was erased). A nil figure is
// withheld by the small-group rule: figures from 1 to Threshold-1, and,
// when only one figure would be withheld, the next smallest one too (else
// it could be worked out from the total); a group of fewer than Threshold
// people shows no figure at all.
type Gender struct {
	Woman       *int `json:"woman"`
	Man         *int `json:"man"`
	Other       *int `json:"other"`
	Undisclosed *int `json:"undisclosed"`
	Unknown     *int `json:"unknown"`
	Threshold   int  `json:"threshold"`
	Withheld    bool `json:"withheld"`
}

// Report is the participation statistics of a period.
type Report struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Kind     string `json:"kind"`
	Meetings int    `json:"meetings"`
	Totals   Totals `json:"totals"`
	// AttendanceRate is Attended / Confirmed (nil without confirmed people).
	AttendanceRate *float64  `json:"attendance_rate"`
	People         People    `json:"people"`
	States         []Invitee `json:"states"`
	Organisations  []Invitee `json:"organisations"`
	Roles          []Role    `json:"roles"`
	Gender         Gender    `json:"gender"`
}

// Roles of a delegation, in the order the tables show them.
var roles = []string{"head", "delegate", "expert", "adviser", "observer"}

// guestRoles are the roles only personal invitations give: listed after
// the others, when a meeting of the report had someone in one.
var guestRoles = []string{"speaker", "chair", "rapporteur"}

// heldSQL is a held meeting m: published, or archived without having
// been cancelled (Cancel requires a reason, which archiving keeps), and
// already started.
const heldSQL = `(m.lifecycle = 'published' OR (m.lifecycle = 'archived' AND m.cancel_reason = '')) AND m.starts_at <= now()`

// scopeSQL selects the meetings of a report ($1 from, $2 to, $3 kind):
// held, starting on a day of the period in their own time zone. The loose
// bounds on starts_at (a day either side covers every zone) let the index
// on starts_at narrow the meetings first.
const scopeSQL = `
	SELECT m.id FROM meetings m
	WHERE ` + heldSQL + `
	  AND m.starts_at >= $1::date - 1 AND m.starts_at < $2::date + 2
	  AND (m.starts_at AT TIME ZONE m.timezone)::date BETWEEN $1::date AND $2::date
	  AND ($3 = '' OR m.kind = $3)
	ORDER BY m.id`

// beforeSQL selects the held meetings of any kind before the day $1.
const beforeSQL = `
	SELECT m.id FROM meetings m
	WHERE ` + heldSQL + ` AND m.starts_at < $1::date + 1
	  AND (m.starts_at AT TIME ZONE m.timezone)::date < $1::date
	ORDER BY m.id`

// Scope returns the ids of the meetings of f, and of the held meetings
// before its period. The queries that count take them as arrays, so that
// the planner knows how many meetings it joins, which it cannot guess from
// the time-zone arithmetic (it guessed one, and chose nested loops that
// took ten times as long).
func Scope(ctx context.Context, q sqlx.QueryerContext, f Filter) (inScope, before []int64, err error) {
	from, to := f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	inScope, before = []int64{}, []int64{}
	if err := sqlx.SelectContext(ctx, q, &inScope, scopeSQL, from, to, f.Kind); err != nil {
		return nil, nil, fmt.Errorf("statistics: scope: %w", err)
	}
	if err := sqlx.SelectContext(ctx, q, &before, beforeSQL, from); err != nil {
		return nil, nil, fmt.Errorf("statistics: scope: %w", err)
	}
	return inScope, before, nil
}

// countsSQL are the per-registration counts shared by every table.
const countsSQL = `
	count(*) AS registered,
	count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
	count(*) FILTER (WHERE r.status = 'confirmed' AND r.checked_in_at IS NOT NULL) AS attended,
	count(*) FILTER (WHERE r.status = 'confirmed' AND r.funded) AS funded`

// InviteeQuery is the per-invitee table: one line per entry of roster
// (a query giving code, name_en, name_fr), zeros included, counting the
// registrations whose invitee column (column, of registrations r) is that
// code, of the meetings whose ids are $1. States use ("SELECT code, name_en, name_fr FROM states",
// "r.state_code").
func InviteeQuery(roster, column string) string {
	return `
	WITH per_meeting AS (
		SELECT ` + column + ` AS code, r.meeting_id,` + countsSQL + `
		FROM registrations r WHERE r.meeting_id = ANY($1::bigint[])
		GROUP BY 1, 2),
	counts AS (
		SELECT code, count(*) FILTER (WHERE confirmed > 0) AS meetings, sum(registered) AS registered,
			sum(confirmed) AS confirmed, sum(attended) AS attended, sum(funded) AS funded
		FROM per_meeting GROUP BY 1)
	SELECT i.code, i.name_en, i.name_fr, coalesce(c.meetings, 0) AS meetings,
		coalesce(c.registered, 0) AS registered, coalesce(c.confirmed, 0) AS confirmed,
		coalesce(c.attended, 0) AS attended, coalesce(c.funded, 0) AS funded
	FROM (` + roster + `) i LEFT JOIN counts c ON c.code = i.code`
}

// TotalsSQL counts the registrations of a report's meetings (ids $1) by
// status, attendance and gender, per role: the totals are the sum of the
// roles' lines, so one pass over the registrations gives both tables.
const TotalsSQL = `
		SELECT r.delegation_role AS role,` + countsSQL + `,
			count(*) FILTER (WHERE r.status = 'pending') AS pending,
			count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
			count(*) FILTER (WHERE r.status = 'declined') AS declined,
			count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.attendance = 'in_person') AS in_person,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.attendance = 'online') AS online,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.gender = 'woman') AS woman,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.gender = 'man') AS man,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.gender = 'other') AS other,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.gender = 'undisclosed') AS undisclosed,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.gender = '') AS unknown,
			count(*) FILTER (WHERE r.status = 'confirmed' AND r.anonymised_at IS NOT NULL) AS unlinked
		FROM registrations r WHERE r.meeting_id = ANY($1::bigint[])
		GROUP BY 1`

// PeopleSQL tells new people from returning ones (see People): each
// address confirmed for a meeting of the period (ids $1) is returning
// when it was confirmed for a held meeting before the period (ids $2).
const PeopleSQL = `
		WITH people AS (
			SELECT DISTINCT r.email FROM registrations r
			WHERE r.meeting_id = ANY($1::bigint[]) AND r.status = 'confirmed' AND r.anonymised_at IS NULL),
		earlier AS (
			SELECT DISTINCT r.email FROM registrations r
			WHERE r.meeting_id = ANY($2::bigint[]) AND r.status = 'confirmed' AND r.email IN (SELECT email FROM people))
		SELECT (SELECT count(*) FROM people) - (SELECT count(*) FROM earlier) AS new,
			(SELECT count(*) FROM earlier) AS returning`

// Participation reads the report of f. Only the secretariat (and admins)
// may.
func (s *Service) Participation(ctx context.Context, a auth.Actor, f Filter) (Report, error) {
	if !a.Is(auth.RoleSecretariat) {
		return Report{}, apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
	from, to := f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)
	r := Report{From: from, To: to, Kind: f.Kind, States: []Invitee{}, Organisations: []Invitee{}}
	inScope, before, err := Scope(ctx, s.db, f)
	if err != nil {
		return r, err
	}
	r.Meetings = len(inScope)
	ids, earlier := pq.Array(inScope), pq.Array(before)
	var lines []struct {
		Role
		Pending     int `db:"pending"`
		Waitlisted  int `db:"waitlisted"`
		Declined    int `db:"declined"`
		Cancelled   int `db:"cancelled"`
		InPerson    int `db:"in_person"`
		Online      int `db:"online"`
		Woman       int `db:"woman"`
		Man         int `db:"man"`
		Other       int `db:"other"`
		Undisclosed int `db:"undisclosed"`
		Unknown     int `db:"unknown"`
		Unlinked    int `db:"unlinked"`
	}
	var people struct {
		New       int `db:"new"`
		Returning int `db:"returning"`
	}
	// The four passes run at once, each on a connection of its own taken
	// and given back by its query (none waits for a connection while
	// holding one, so a busy pool cannot deadlock them): their wall time is
	// the longest one's rather than their sum. Each pass reads its own
	// snapshot; a registration that changes in the milliseconds between
	// them (a check-in during a meeting of the period) may show in one
	// table and not yet in another.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	wg.Add(4)
	go func() {
		defer wg.Done()
		if err := s.db.SelectContext(ctx, &lines, TotalsSQL, ids); err != nil {
			errs[0] = fmt.Errorf("statistics: totals: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := s.db.SelectContext(ctx, &r.States, InviteeQuery(`SELECT code, name_en, name_fr FROM states`, "r.state_code"), ids); err != nil {
			errs[1] = fmt.Errorf("statistics: states: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := s.db.SelectContext(ctx, &r.Organisations, InviteeQuery(`SELECT code, name_en, name_fr FROM organisations`, "r.organisation_code"), ids); err != nil {
			errs[3] = fmt.Errorf("statistics: organisations: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := s.db.GetContext(ctx, &people, PeopleSQL, ids, earlier); err != nil {
			errs[2] = fmt.Errorf("statistics: people: %w", err)
		}
	}()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	var g [5]int
	for _, role := range roles {
		line := Role{Role: role}
		for _, x := range lines {
			if x.Role.Role == role {
				line = x.Role
			}
		}
		r.Roles = append(r.Roles, line)
	}
	// The roles of personal invitations (guests), when someone held one.
	for _, role := range guestRoles {
		for _, x := range lines {
			if x.Role.Role == role {
				r.Roles = append(r.Roles, x.Role)
			}
		}
	}
	for _, x := range lines {
		t := &r.Totals
		t.Registered += x.Registered
		t.Confirmed += x.Confirmed
		t.Attended += x.Attended
		t.Funded += x.Funded
		t.Pending += x.Pending
		t.Waitlisted += x.Waitlisted
		t.Declined += x.Declined
		t.Cancelled += x.Cancelled
		t.InPerson += x.InPerson
		t.Online += x.Online
		r.People.Unlinked += x.Unlinked
		for i, n := range []int{x.Woman, x.Man, x.Other, x.Undisclosed, x.Unknown} {
			g[i] += n
		}
	}
	if r.Totals.Confirmed > 0 {
		rate := float64(r.Totals.Attended) / float64(r.Totals.Confirmed)
		r.AttendanceRate = &rate
	}
	r.Gender = smallGroupRule(g[:]...)

	sortProtocol(r.States, f.Lang)
	// Organisations are alphabetical in lang too (organisation.SortProtocol
	// uses the same collation).
	sortProtocol(r.Organisations, f.Lang)

	r.People.New, r.People.Returning = people.New, people.Returning
	return r, nil
}

// sortProtocol puts invitees in protocol order for lang and names them.
func sortProtocol(list []Invitee, lang string) {
	sts := make([]state.State, len(list))
	for i, x := range list {
		sts[i] = state.State{Code: x.Code, NameEN: x.NameEN, NameFR: x.NameFR}
	}
	state.SortProtocol(sts, lang)
	byCode := make(map[string]Invitee, len(list))
	for _, x := range list {
		byCode[x.Code] = x
	}
	for i, st := range sts {
		list[i] = byCode[st.Code]
		list[i].Name = st.Name(lang)
	}
}

// smallGroupRule applies the rule of Gender to the five counts.
func smallGroupRule(counts ...int) Gender {
	g := Gender{Threshold: SmallGroup}
	total := 0
	for _, n := range counts {
		total += n
	}
	shown := make([]bool, len(counts))
	withheld := 0
	for i, n := range counts {
		shown[i] = total >= SmallGroup && (n == 0 || n >= SmallGroup)
		if !shown[i] {
			withheld++
		}
	}
	if withheld == 1 {
		// The one withheld figure is the total minus the others: withhold
		// the smallest shown figure too.
		best := -1
		for i, n := range counts {
			if shown[i] && (best < 0 || n < counts[best]) {
				best = i
			}
		}
		if best >= 0 {
			shown[best] = false
			withheld++
		}
	}
	g.Withheld = withheld > 0
	ptrs := []**int{&g.Woman, &g.Man, &g.Other, &g.Undisclosed, &g.Unknown}
	for i, n := range counts {
		if shown[i] {
			v := n
			*ptrs[i] = &v
		}
	}
	return g
}

// Genders names the gender figures in the order of Gender's fields.
var Genders = []string{"woman", "man", "other", "undisclosed", "unknown"}

// Figures returns the gender figures in the order of Genders.
func (g Gender) Figures() []*int {
	return []*int{g.Woman, g.Man, g.Other, g.Undisclosed, g.Unknown}
}
