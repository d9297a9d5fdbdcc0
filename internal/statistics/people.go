package statistics

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

// MaxPeople is how many people a search returns at most; More says when
// others match too (a longer query narrows them down).
const MaxPeople = 50

// searchRows bounds the registrations a search reads before grouping them
// by person.
const searchRows = 1000

// Person is a search result: someone with registrations that still hold
// personal data, named as in their latest registration. ID is that
// registration, the key to their History. States are the codes of the
// invitees they came for, states or organisations (a registration's
// invitee), and Invitees the same with their names.
type Person struct {
	ID           int64     `json:"id" db:"id"`
	FirstName    string    `json:"first_name" db:"first_name"`
	LastName     string    `json:"last_name" db:"last_name"`
	Email        string    `json:"email" db:"email"`
	Organisation string    `json:"organisation" db:"organisation"`
	States       []string  `json:"states" db:"-"`
	Invitees     []Named   `json:"invitees" db:"-"`
	Meetings     int       `json:"meetings" db:"meetings"`
	LastMeeting  time.Time `json:"last_meeting" db:"last_meeting"`

	StatesRaw pq.StringArray `json:"-" db:"states"`
}

// Named is an invitee (a state or an organisation) with its names.
type Named struct {
	Code   string `json:"code" db:"code"`
	NameEN string `json:"name_en" db:"name_en"`
	NameFR string `json:"name_fr" db:"name_fr"`
}

// Name is the invitee's name in lang (its code when it has none).
func (n Named) Name(lang string) string {
	switch {
	case lang == "fr" && n.NameFR != "":
		return n.NameFR
	case n.NameEN != "":
		return n.NameEN
	}
	return n.Code
}

// named returns the invitees of codes, in the order of codes.
func (s *Service) named(ctx context.Context, codes []string) ([]Named, error) {
	var found []Named
	if err := s.db.SelectContext(ctx, &found, `SELECT code, name_en, name_fr FROM invitees WHERE code = ANY($1)`, pq.Array(codes)); err != nil {
		return nil, fmt.Errorf("statistics: invitee names: %w", err)
	}
	byCode := make(map[string]Named, len(found))
	for _, n := range found {
		byCode[n.Code] = n
	}
	out := make([]Named, len(codes))
	for i, c := range codes {
		out[i] = byCode[c]
		out[i].Code = c
	}
	return out, nil
}

// SearchResult is a page of people.
type SearchResult struct {
	Query  string   `json:"query"`
	People []Person `json:"people"`
	More   bool     `json:"more"`
}

// searchText is what a search matches, folded by agora_fold (lower case,
// no accents); migration 00031 indexes exactly this expression.
const searchText = `agora_fold(r.first_name || ' ' || r.last_name || ' ' || r.email || ' ' || r.organisation)`

// Search finds people across every meeting by name, address or
// organisation, ignoring case and accents: every word of q must appear
// in one of them. An organisation's delegates are found by its code and
// its names in the roster too. Anonymised (erased) registrations are never found.
func (s *Service) Search(ctx context.Context, a auth.Actor, q string) (SearchResult, error) {
	if !a.Is(auth.RoleSecretariat) {
		return SearchResult{}, apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
	q = strings.Join(strings.Fields(q), " ")
	res := SearchResult{Query: q, People: []Person{}}
	words := strings.Fields(q)
	long := 0
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 3 {
			long++
		}
	}
	switch {
	case utf8.RuneCountInString(q) > 100:
		return res, apperr.InvalidField("q", apperr.M("err.people_query_long", "Max", 100))
	case long == 0:
		return res, apperr.InvalidField("q", apperr.M("err.people_query_short", "Min", 3))
	case len(words) > 8:
		return res, apperr.InvalidField("q", apperr.M("err.people_query_words", "Max", 8))
	}
	// Words of three letters or more go through the trigram index; shorter
	// ones only filter what those found (the expression is written so that
	// the planner cannot take it for the index's).
	var where []string
	var args []any
	for _, w := range words {
		args = append(args, likeEscape(w))
		n := "$" + strconv.Itoa(len(args))
		if utf8.RuneCountInString(w) >= 3 {
			where = append(where, searchText+` LIKE '%' || agora_fold(`+n+`) || '%'`)
		} else {
			where = append(where, `(`+searchText+` || '') LIKE '%' || agora_fold(`+n+`) || '%'`)
		}
	}
	// An organisation's delegates match on its code and names as well:
	// the same words over the same text followed by those, for the
	// registrations of an organisation one word at least names (few,
	// through registrations_organisation_idx of migration 00033).
	var orgWhere, anyOrg []string
	for i, w := range words {
		n := "$" + strconv.Itoa(i+1)
		orgWhere = append(orgWhere, `agora_fold(r.first_name || ' ' || r.last_name || ' ' || r.email || ' ' || r.organisation || ' ' || o.code || ' ' || o.name_en || ' ' || o.name_fr) LIKE '%' || agora_fold(`+n+`) || '%'`)
		if utf8.RuneCountInString(w) >= 3 {
			anyOrg = append(anyOrg, `agora_fold(o.code || ' ' || o.name_en || ' ' || o.name_fr) LIKE '%' || agora_fold(`+n+`) || '%'`)
		}
	}
	args = append(args, searchRows)
	limit := "$" + strconv.Itoa(len(args))
	var rows []struct {
		Email  string `db:"email"`
		Branch int    `db:"branch"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		(SELECT r.email, 0 AS branch FROM registrations r
		WHERE r.anonymised_at IS NULL AND `+strings.Join(where, " AND ")+`
		LIMIT `+limit+`)
		UNION ALL
		(SELECT r.email, 1 AS branch FROM organisations o JOIN registrations r ON r.organisation_code = o.code AND r.anonymised_at IS NULL
		WHERE (`+strings.Join(anyOrg, " OR ")+`) AND `+strings.Join(orgWhere, " AND ")+`
		LIMIT `+limit+`)`, args...)
	if err != nil {
		return res, fmt.Errorf("statistics: search: %w", err)
	}
	seen := map[string]bool{}
	var distinct []string
	var perBranch [2]int
	for _, x := range rows {
		e := x.Email
		perBranch[x.Branch]++
		if !seen[e] {
			seen[e] = true
			distinct = append(distinct, e)
		}
	}
	res.More = perBranch[0] == searchRows || perBranch[1] == searchRows || len(distinct) > MaxPeople
	if len(distinct) > MaxPeople {
		distinct = distinct[:MaxPeople]
	}
	if len(distinct) == 0 {
		return res, nil
	}
	err = s.db.SelectContext(ctx, &res.People, `
		WITH people AS (
			SELECT r.email, (array_agg(r.id ORDER BY m.starts_at DESC, r.id DESC))[1] AS id,
				count(DISTINCT r.meeting_id) AS meetings, max(m.starts_at) AS last_meeting,
				coalesce(array_agg(DISTINCT r.invitee) FILTER (WHERE r.invitee IS NOT NULL), '{}') AS states -- a guest has none
			FROM registrations r JOIN meetings m ON m.id = r.meeting_id
			WHERE r.email = ANY($1) AND r.anonymised_at IS NULL
			GROUP BY r.email)
		SELECT p.id, r.first_name, r.last_name, r.email, r.organisation, p.meetings, p.last_meeting, p.states
		FROM people p JOIN registrations r ON r.id = p.id
		ORDER BY r.last_name COLLATE agora_names, r.first_name COLLATE agora_names, r.email, p.id`, pq.Array(distinct))
	if err != nil {
		return res, fmt.Errorf("statistics: search people: %w", err)
	}
	var codes []string
	for i := range res.People {
		res.People[i].States = []string(res.People[i].StatesRaw)
		codes = append(codes, res.People[i].States...)
	}
	names, err := s.named(ctx, codes)
	if err != nil {
		return res, err
	}
	for i := range res.People {
		n := len(res.People[i].States)
		res.People[i].Invitees, names = names[:n:n], names[n:]
	}
	return res, nil
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Participation is one registration in a person's history. State is the
// invitee the person came for, a state's code or an organisation's;
// InviteeNameEN and InviteeNameFR name it.
type Participation struct {
	RegistrationID int64      `json:"registration_id" db:"registration_id"`
	MeetingID      int64      `json:"meeting_id" db:"meeting_id"`
	Kind           string     `json:"kind" db:"kind"`
	TitleEN        string     `json:"title_en" db:"title_en"`
	TitleFR        string     `json:"title_fr" db:"title_fr"`
	StartsAt       time.Time  `json:"starts_at" db:"starts_at"`
	TimeZone       string     `json:"timezone" db:"timezone"`
	Lifecycle      string     `json:"-" db:"lifecycle"`
	State          string     `json:"state" db:"invitee"`
	InviteeNameEN  string     `json:"invitee_name_en" db:"invitee_name_en"`
	InviteeNameFR  string     `json:"invitee_name_fr" db:"invitee_name_fr"`
	Role           string     `json:"delegation_role" db:"delegation_role"`
	Function       string     `json:"function" db:"function"`
	Organisation   string     `json:"organisation" db:"organisation"`
	Status         string     `json:"status" db:"status"`
	Attendance     string     `json:"attendance" db:"attendance"`
	Funded         bool       `json:"funded" db:"funded"`
	CheckedInAt    *time.Time `json:"checked_in_at" db:"checked_in_at"`
	// Cancelled is true when the meeting itself was cancelled.
	Cancelled bool `json:"meeting_cancelled" db:"meeting_cancelled"`
}

// Title is the meeting's title in lang.
func (p Participation) Title(lang string) string {
	if lang == "fr" && p.TitleFR != "" {
		return p.TitleFR
	}
	if p.TitleEN == "" {
		return p.TitleFR
	}
	return p.TitleEN
}

// InviteeName is the name in lang of the invitee the person came for.
func (p Participation) InviteeName(lang string) string {
	return Named{Code: p.State, NameEN: p.InviteeNameEN, NameFR: p.InviteeNameFR}.Name(lang)
}

// Zone is the meeting's time zone (UTC when it cannot be loaded).
func (p Participation) Zone() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// History is a person's participation in every meeting, the latest first.
type History struct {
	Person         Person          `json:"person"`
	Participations []Participation `json:"participations"`
}

// History returns the history of the person of registration id: every
// registration with the same address still holding personal data. An
// anonymised registration is not found.
func (s *Service) History(ctx context.Context, a auth.Actor, id int64) (History, error) {
	if !a.Is(auth.RoleSecretariat) {
		return History{}, apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
	var h History
	err := s.db.SelectContext(ctx, &h.Participations, `
		SELECT r.id AS registration_id, m.id AS meeting_id, m.kind, m.title_en, m.title_fr, m.starts_at, m.timezone,
			m.lifecycle, coalesce(r.invitee, '') AS invitee, coalesce(i.name_en, '') AS invitee_name_en, coalesce(i.name_fr, '') AS invitee_name_fr, r.delegation_role, r.function, r.organisation, r.status, r.attendance,
			r.funded, r.checked_in_at, (m.lifecycle = 'cancelled' OR m.cancel_reason <> '') AS meeting_cancelled
		FROM registrations r JOIN meetings m ON m.id = r.meeting_id LEFT JOIN invitees i ON i.code = r.invitee
		WHERE r.anonymised_at IS NULL
		  AND r.email = (SELECT email FROM registrations WHERE id = $1 AND anonymised_at IS NULL)
		ORDER BY m.starts_at DESC, r.id DESC`, id)
	if err != nil {
		return h, fmt.Errorf("statistics: history: %w", err)
	}
	if len(h.Participations) == 0 {
		return h, apperr.New(apperr.NotFound, apperr.M("err.no_person"))
	}
	err = s.db.GetContext(ctx, &h.Person, `
		SELECT r.id, r.first_name, r.last_name, r.email, r.organisation, $2::int AS meetings, m.starts_at AS last_meeting,
			ARRAY[]::text[] AS states
		FROM registrations r JOIN meetings m ON m.id = r.meeting_id WHERE r.id = $1`,
		h.Participations[0].RegistrationID, len(h.Participations))
	if err != nil {
		return h, fmt.Errorf("statistics: history person: %w", err)
	}
	seen := map[string]bool{}
	meetings := map[int64]bool{}
	h.Person.States, h.Person.Invitees = []string{}, []Named{}
	for _, p := range h.Participations {
		meetings[p.MeetingID] = true
		if !seen[p.State] {
			seen[p.State] = true
			h.Person.States = append(h.Person.States, p.State)
			h.Person.Invitees = append(h.Person.Invitees, Named{Code: p.State, NameEN: p.InviteeNameEN, NameFR: p.InviteeNameFR})
		}
	}
	h.Person.Meetings = len(meetings)
	return h, nil
}
