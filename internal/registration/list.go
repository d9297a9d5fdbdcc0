package registration

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
)

// Filter narrows a list of registrations.
type Filter struct {
	State  string
	Status string
	Role   string
	// Lang orders states alphabetically in that language (protocol order).
	Lang   string
	Limit  int // 0: all (exports); else a page, at most MaxLimit
	Cursor string
}

// MaxLimit bounds a page of registrations.
const MaxLimit = 500

// Row is a registration with its state's name, for lists and exports.
type Row struct {
	Registration
	StateName string `db:"state_name" json:"state_name"`
}

// Registrations lists a meeting's registrations in protocol order: states
// alphabetical in the chosen language, then people by last and first name
// (then id, so that namesakes keep one order), a page at a time or all of
// them (Limit 0). The secretariat sees every state; a focal point only
// their own (asking for another state is forbidden).
func (s *Service) Registrations(ctx context.Context, a auth.Actor, meetingID int64, f Filter) ([]Row, string, error) {
	f.State = strings.ToUpper(f.State)
	if err := s.checkListAccess(ctx, a, meetingID, &f); err != nil {
		return nil, "", err
	}
	errs := apperr.Fields{}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		errs.Add("status", apperr.M("err.one_of", "Values", strings.Join(Statuses, ", ")))
	}
	if f.Role != "" && !slices.Contains(Roles, f.Role) {
		errs.Add("role", apperr.M("err.one_of", "Values", strings.Join(Roles, ", ")))
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		errs.Add("limit", apperr.M("err.between", "A", 1, "B", MaxLimit))
	}
	query, args, err := ListQuery(meetingID, f)
	if err != nil {
		errs.Add("cursor", apperr.M("err.cursor_restart"))
	}
	if err := errs.Err(); err != nil {
		return nil, "", err
	}
	var rows []Row
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, "", fmt.Errorf("registration: list: %w", err)
	}
	for i := range rows {
		rows[i].HideGender()
	}
	if f.Limit == 0 || len(rows) <= f.Limit {
		return rows, "", nil
	}
	rows = rows[:f.Limit]
	return rows, cursorAfter(rows[len(rows)-1]), nil
}

// ListQuery returns the SQL of Registrations and its arguments for a
// filter whose state, status and role Registrations has checked; the
// error is about the cursor. It is exported for the benchmarks, which
// EXPLAIN it.
//
// The plan it is written for: the states in protocol order (61 rows,
// sorted), and for each state from the cursor's on, the registrations_list
// index read in (last name, first name, id) order from the cursor, at most
// a page of them; the rows come out of that nested loop sorted by state,
// so the final sort works state by state and stops with the page. Filters
// that are not set leave no trace in the SQL, so that each shape has a
// plan of its own in the statement cache.
func ListQuery(meetingID int64, f Filter) (string, []any, error) {
	after, ok := decodeCursor(f.Cursor)
	if !ok {
		return "", nil, errors.New("registration: not a cursor of this list")
	}
	if f.Limit == 0 { // all of them
		after = nil
	}
	lang := "en"
	if f.Lang == "fr" {
		lang = "fr"
	}
	args := []any{meetingID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	// State names in the reader's language, people's names in both
	// languages: the collations of migrations/00012.
	name := "name_" + lang + " COLLATE agora_protocol_" + lang
	const people = `r.last_name COLLATE agora_names, r.first_name COLLATE agora_names, r.id`
	// Invitees: states, then organisations (grp), each by name. States
	// keep one alphabetical run whatever their status, as the list always
	// showed them.
	// Guests (no invitee) come last, as one more "invitee" whose code is ''.
	const grp = `(CASE kind WHEN 'organisation' THEN 1 WHEN 'guest' THEN 2 ELSE 0 END)`
	invitees := `(SELECT code, kind, name_en, name_fr FROM invitees
		UNION ALL SELECT '', 'guest', ` + arg(guestsGroupName["en"]) + `::text, ` + arg(guestsGroupName["fr"]) + `::text) iv`
	statesCols, statesWhere := "code, "+grp+" AS grp, "+name+" AS name", []string{"true"}
	regsWhere := []string{"r.meeting_id = $1", "coalesce(r.invitee, '') = s.code"}
	if after != nil {
		// States from the cursor's on; in the cursor's state, the people
		// after it; in later states, everyone: everyone is after
		// ('', '', 0), as names are never empty and ids start at 1.
		code := arg(after.State)
		statesWhere = append(statesWhere, fmt.Sprintf(`(%[4]s, %[1]s, code) >= ((SELECT %[4]s FROM %[5]s WHERE code = %[3]s),
			(SELECT name_%[2]s FROM %[5]s WHERE code = %[3]s), %[3]s)`, name, lang, code, grp, invitees))
		statesCols += fmt.Sprintf(`,
			CASE WHEN code = %[1]s THEN %[2]s ELSE '' END AS after_last,
			CASE WHEN code = %[1]s THEN %[3]s ELSE '' END AS after_first,
			CASE WHEN code = %[1]s THEN %[4]s::bigint ELSE 0 END AS after_id`,
			code, arg(after.LastName), arg(after.FirstName), arg(after.ID))
		regsWhere = append(regsWhere, "("+people+") > (s.after_last, s.after_first, s.after_id)")
	}
	if f.State != "" {
		statesWhere = append(statesWhere, "code = "+arg(f.State))
	}
	if f.Status != "" {
		regsWhere = append(regsWhere, "r.status = "+arg(f.Status))
	}
	if f.Role != "" {
		regsWhere = append(regsWhere, "r.delegation_role = "+arg(f.Role))
	}
	limit := ""
	if f.Limit > 0 {
		limit = " LIMIT " + arg(f.Limit+1)
	}
	return `SELECT ` + prefixed("r.", regColumns) + `, s.name AS state_name
		FROM (SELECT ` + statesCols + ` FROM ` + invitees + `
		      WHERE ` + strings.Join(statesWhere, " AND ") + ` ORDER BY grp, name, code) s
		CROSS JOIN LATERAL (
			SELECT ` + regColumns + ` FROM registrations r WHERE ` + strings.Join(regsWhere, " AND ") + `
			ORDER BY ` + people + limit + `) r
		ORDER BY s.grp, s.name, s.code, ` + people + limit, args, nil
}

func (s *Service) checkListAccess(ctx context.Context, a auth.Actor, meetingID int64, f *Filter) error {
	if a.Anonymous() {
		return apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_registrations"))
	}
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return err
	}
	switch {
	case a.Is(auth.RoleSecretariat):
		return nil
	case a.FocalPointInvitee() != "":
		if f.State == "" {
			f.State = a.FocalPointInvitee()
		}
		if f.State != a.FocalPointInvitee() {
			return apperr.New(apperr.Forbidden, apperr.M("err.own_state_registrations"))
		}
		return nil
	default:
		return apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
}

// protocolTag is the language whose alphabet protocol order follows.
func protocolTag(lang string) language.Tag {
	if lang == "fr" {
		return language.French
	}
	return language.English
}

// StateCount is the attendance of one state.
type StateCount struct {
	State           string `db:"state_code" json:"state"`
	StateName       string `db:"-" json:"state_name"`
	Confirmed       int    `db:"confirmed" json:"confirmed"`
	Funded          int    `db:"funded" json:"funded"`
	Waitlisted      int    `db:"waitlisted" json:"waitlisted"`
	Pending         int    `db:"pending" json:"pending"`
	CheckedIn       int    `db:"checked_in" json:"checked_in"`
	SeatsLeft       int    `db:"-" json:"seats_left"`
	FundedSeatsLeft int    `db:"-" json:"funded_seats_left"`
	// InviteeKind is "state" or "organisation": State holds either's code.
	InviteeKind string `db:"-" json:"invitee_kind"`
}

// Counts returns, per state with registrations (and per invited state),
// how many are confirmed, funded, waiting, pending and checked in, and the
// seats left. A focal point gets their own state only.
func (s *Service) Counts(ctx context.Context, a auth.Actor, meetingID int64, lang string) ([]StateCount, error) {
	f := Filter{}
	if err := s.checkListAccess(ctx, a, meetingID, &f); err != nil {
		return nil, err
	}
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return nil, err
	}
	var counts []StateCount
	err = s.db.SelectContext(ctx, &counts, `
		SELECT invitee AS state_code,
		       count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
		       count(*) FILTER (WHERE status = 'confirmed' AND funded) AS funded,
		       count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
		       count(*) FILTER (WHERE status = 'pending') AS pending,
		       count(*) FILTER (WHERE status = 'confirmed' AND checked_in_at IS NOT NULL) AS checked_in
		FROM registrations WHERE meeting_id = $1 AND ($2 = '' OR invitee = $2) AND invitee IS NOT NULL -- guests: see Guests
		GROUP BY invitee`, meetingID, f.State)
	if err != nil {
		return nil, fmt.Errorf("registration: counts: %w", err)
	}
	byCode := map[string]*StateCount{}
	for i := range counts {
		byCode[counts[i].State] = &counts[i]
	}
	audience, err := s.meetings.Audience(ctx, m, lang)
	if err != nil {
		return nil, err
	}
	for _, st := range audience {
		if _, ok := byCode[st.Code]; !ok && (f.State == "" || f.State == st.Code) {
			counts = append(counts, StateCount{State: st.Code})
		}
	}
	roster, err := invitee.All(ctx, s.db, lang)
	if err != nil {
		return nil, err
	}
	// States in one alphabetical run, then organisations, as the list.
	invitee.SortByGroup(roster, lang)
	order := map[string]int{}
	byInvitee := map[string]invitee.Invitee{}
	for i, iv := range roster {
		order[iv.Code], byInvitee[iv.Code] = i, iv
	}
	for i := range counts {
		c := &counts[i]
		iv := byInvitee[c.State]
		c.StateName, c.InviteeKind = iv.Name(lang), iv.Kind
		seats, funded := m.SeatsOf(c.State, iv.Organisation())
		c.SeatsLeft = max(0, seats-c.Confirmed)
		c.FundedSeatsLeft = max(0, funded-c.Funded)
	}
	sort.SliceStable(counts, func(i, j int) bool { return order[counts[i].State] < order[counts[j].State] })
	return counts, nil
}

// Participant is a line of the public list of participants.
type Participant struct {
	FirstName    string `db:"first_name" json:"first_name"`
	LastName     string `db:"last_name" json:"last_name"`
	Function     string `db:"function" json:"function"`
	Organisation string `db:"organisation" json:"organisation"`
	State        string `db:"state_code" json:"state"`
	StateName    string `db:"state_name" json:"state_name"`
	// DelegationRole, StateStatus and CheckedIn serve the printed list
	// (its groups and its "attended" view); the JSON list stays as it was.
	DelegationRole string `db:"delegation_role" json:"-"`
	StateStatus    string `db:"state_status" json:"-"`
	CheckedIn      bool   `db:"checked_in" json:"-"`
}

// PublicParticipants lists the confirmed participants who consented to
// appear on the list, in protocol order, for a meeting the caller may see.
func (s *Service) PublicParticipants(ctx context.Context, a auth.Actor, meetingID int64, lang string) ([]Participant, error) {
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return nil, err
	}
	return s.participants(ctx, meetingID, lang, false)
}

// participants is the one query behind every list of participants: the
// confirmed people who consented (and, when attendedOnly, were checked
// in), in protocol order for lang. Emails are not even read.
func (s *Service) participants(ctx context.Context, meetingID int64, lang string, attendedOnly bool) ([]Participant, error) {
	var out []Participant
	err := s.db.SelectContext(ctx, &out, `
		SELECT r.first_name, r.last_name, r.function, r.organisation, coalesce(r.invitee, '') AS state_code, r.delegation_role,
		       coalesce(CASE WHEN $2 = 'fr' THEN st.name_fr ELSE st.name_en END, '') AS state_name,
		       CASE WHEN r.guest_id IS NOT NULL THEN 'guest' WHEN st.kind = 'organisation' THEN 'organisation' ELSE st.status END AS state_status,
		       r.checked_in_at IS NOT NULL AS checked_in
		FROM registrations r LEFT JOIN invitees st ON st.code = r.invitee
		WHERE r.meeting_id = $1 AND r.status = 'confirmed' AND r.list_consent
		  AND (NOT $3 OR r.checked_in_at IS NOT NULL)`, meetingID, lang, attendedOnly)
	if err != nil {
		return nil, fmt.Errorf("registration: participants: %w", err)
	}
	c := collate.New(protocolTag(lang), collate.Loose)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if d := c.CompareString(a.StateName, b.StateName); d != 0 {
			return d < 0
		}
		if a.State != b.State { // namesake states keep their people together
			return a.State < b.State
		}
		if d := c.CompareString(a.LastName, b.LastName); d != 0 {
			return d < 0
		}
		return c.CompareString(a.FirstName, b.FirstName) < 0
	})
	return out, nil
}

// Get returns one registration to someone who may act on its state.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Registration, error) {
	if a.Anonymous() {
		return Registration{}, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_registrations"))
	}
	r, err := get(ctx, s.db, id, false)
	if err != nil {
		return Registration{}, err
	}
	if !CanManageState(a, r.State) {
		return Registration{}, errNoSuchRegistration() // another state's: as if missing, so ids reveal nothing
	}
	r.HideGender()
	return r, nil
}

func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
		for k, c := range computedColumns("") {
			if strings.TrimSpace(p) == c {
				parts[i] = computedColumns(prefix)[k]
			}
		}
	}
	return strings.Join(parts, ", ")
}

// guestsGroupName names the guests' group in the secretariat's lists.
var guestsGroupName = map[string]string{"en": "Experts and guests", "fr": "Experts et invités"}
