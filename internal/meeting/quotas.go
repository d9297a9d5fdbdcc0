package meeting

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/invitee"
)

// Quota is the seats of one invitee, overriding the default of its kind.
type Quota struct {
	Seats       int `json:"seats"`
	FundedSeats int `json:"funded_seats"`
}

// Quotas are the overrides of a meeting by invitee code. They are stored
// as a JSON object in meetings.quotas, where registration's seat count
// reads them under the quota lock.
type Quotas map[string]Quota

// Value stores the overrides as a JSON object.
func (q Quotas) Value() (driver.Value, error) {
	if q == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(map[string]Quota(q))
	return b, err
}

// Scan reads the overrides from their JSON object.
func (q *Quotas) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*q = Quotas{}
		return nil
	default:
		return errors.New("meeting: quotas: not JSON")
	}
	m := map[string]Quota{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("meeting: quotas: %w", err)
	}
	*q = m
	return nil
}

// SeatsOf returns the seats and funded seats of an invitee at the meeting:
// its override, else the default of its kind.
func (f Fields) SeatsOf(code string, organisation bool) (seats, funded int) {
	if q, ok := f.Quotas[code]; ok {
		return q.Seats, q.FundedSeats
	}
	if organisation {
		return f.SeatsPerOrganisation, f.FundedSeatsPerOrganisation
	}
	return f.SeatsPerState, f.FundedSeatsPerState
}

// SeatsFor is the seats of the invitee with that code, for pages: an
// organisation is one the meeting invites, or a code that is no state's
// two letters. (Seat decisions read the kind from the roster instead.)
func (f Fields) SeatsFor(code string) int {
	seats, _ := f.SeatsOf(code, f.organisationCode(code))
	return seats
}

// FundedSeatsFor is the funded seats of the invitee with that code, as SeatsFor.
func (f Fields) FundedSeatsFor(code string) int {
	_, funded := f.SeatsOf(code, f.organisationCode(code))
	return funded
}

func (f Fields) organisationCode(code string) bool {
	return len(code) != 2 || slices.Contains(f.InvitedOrganisations, code)
}

// normalizeInvitees puts the organisations' and the overrides' codes in
// their canonical form (upper case, trimmed).
func (f *Fields) normalizeInvitees() {
	for i, c := range f.InvitedOrganisations {
		f.InvitedOrganisations[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	if f.InvitedOrganisations == nil {
		f.InvitedOrganisations = pq.StringArray{}
	}
	q := Quotas{}
	for code, v := range f.Quotas {
		q[strings.ToUpper(strings.TrimSpace(code))] = v
	}
	f.Quotas = q
}

// checkInvitees adds the rules on invited organisations and overrides:
// known, active organisations; overrides of known invitees, within
// bounds, funded seats not above seats.
func (f Fields) checkInvitees(roster map[string]invitee.Invitee, errs apperr.Fields) {
	if f.FundedSeatsPerOrganisation > f.SeatsPerOrganisation {
		errs.Add("funded_seats_per_organisation", apperr.M("err.not_exceed", "Field", "seats_per_organisation"))
	}
	for _, code := range f.InvitedOrganisations {
		o, ok := roster[code]
		switch {
		case !invitee.ValidCode(code):
			errs.Add("invited_organisations", apperr.M("err.org_code"))
		case !ok || !o.Organisation():
			errs.Add("invited_organisations", apperr.M("err.unknown_organisation", "Code", code))
		case o.Inactive():
			errs.Add("invited_organisations", apperr.M("err.inactive_organisation", "Code", code))
		}
	}
	if len(f.Quotas) > 400 {
		errs.Add("quotas", apperr.M("err.max_quotas", "N", 400))
		return
	}
	codes := make([]string, 0, len(f.Quotas))
	for code := range f.Quotas {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		q := f.Quotas[code]
		switch _, ok := roster[code]; {
		case !invitee.ValidCode(code):
			errs.Add("quotas", apperr.M("err.quota_code", "Code", code))
		case !ok:
			errs.Add("quotas", apperr.M("err.no_invitee", "Code", code))
		case q.Seats < 0 || q.Seats > 1000 || q.FundedSeats < 0 || q.FundedSeats > 1000:
			errs.Add("quotas", apperr.M("err.quota_bounds", "Code", code))
		case q.FundedSeats > q.Seats:
			errs.Add("quotas", apperr.M("err.quota_funded", "Code", code))
		}
	}
}

// checkTaken refuses quotas below what the invitees already hold: a
// field error per invitee whose new override (or, for an override
// removed, the default of its kind it falls back to), or whose default
// lowered, gives fewer seats than it has confirmed, or fewer funded seats
// than it has funded; on quotas for an override, on the default's field
// otherwise. It runs under the
// meeting's exclusive lock (an edit's), which every seat decision takes
// shared first, so no seat is taken between the count and the commit.
func checkTaken(ctx context.Context, q queryer, id int64, before, after Fields, errs apperr.Fields) error {
	changed := []string{}
	for code, v := range after.Quotas {
		if old, ok := before.Quotas[code]; !ok || old != v {
			changed = append(changed, code)
		}
	}
	for code := range before.Quotas {
		if _, ok := after.Quotas[code]; !ok {
			changed = append(changed, code)
		}
	}
	// A default lowered concerns every invitee it applies to, that is
	// every one without an override.
	lowered := after.SeatsPerState < before.SeatsPerState || after.FundedSeatsPerState < before.FundedSeatsPerState ||
		after.SeatsPerOrganisation < before.SeatsPerOrganisation || after.FundedSeatsPerOrganisation < before.FundedSeatsPerOrganisation
	if len(changed) == 0 && !lowered {
		return nil
	}
	sort.Strings(changed)
	var rows []struct {
		Code         string `db:"invitee"`
		Organisation bool   `db:"organisation"`
		Confirmed    int    `db:"confirmed"`
		Funded       int    `db:"funded"`
	}
	err := q.SelectContext(ctx, &rows, `
		SELECT invitee, organisation_code IS NOT NULL AS organisation, count(*) AS confirmed, count(*) FILTER (WHERE funded) AS funded
		FROM registrations WHERE meeting_id = $1 AND status = 'confirmed' AND (invitee = ANY($2) OR ($3 AND invitee IS NOT NULL))
		GROUP BY invitee, organisation_code IS NOT NULL ORDER BY invitee`, id, pq.Array(changed), lowered)
	if err != nil {
		return fmt.Errorf("meeting: seats taken: %w", err)
	}
	for _, r := range rows {
		seats, funded := after.SeatsOf(r.Code, r.Organisation)
		if seats >= r.Confirmed && funded >= r.Funded {
			continue
		}
		msg := apperr.M("err.quota_taken", "Code", r.Code, "Seats", r.Confirmed, "Funded", r.Funded)
		_, overridden := after.Quotas[r.Code]
		switch {
		case overridden || slices.Contains(changed, r.Code):
			errs.Add("quotas", msg)
		case r.Organisation && seats < r.Confirmed:
			errs.Add("seats_per_organisation", msg)
		case r.Organisation:
			errs.Add("funded_seats_per_organisation", msg)
		case seats < r.Confirmed:
			errs.Add("seats_per_state", msg)
		default:
			errs.Add("funded_seats_per_state", msg)
		}
	}
	return nil
}

// moreSeats reports whether an edit may give some invitee more seats than
// it had: a larger default for organisations, or an override raised,
// added above the default or removed.
func moreSeats(before, after Fields) bool {
	if after.SeatsPerOrganisation > before.SeatsPerOrganisation {
		return true
	}
	return !maps.Equal(before.Quotas, after.Quotas)
}

func setInvitedOrganisations(ctx context.Context, q queryer, id int64, codes []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM meeting_organisations WHERE meeting_id = $1`, id); err != nil {
		return fmt.Errorf("meeting: clear invited organisations: %w", err)
	}
	if len(codes) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `
		INSERT INTO meeting_organisations (meeting_id, organisation_code) SELECT $1, unnest($2::text[])`, id, pq.Array(codes))
	if err != nil {
		return fmt.Errorf("meeting: set invited organisations: %w", err)
	}
	return nil
}

// Audience returns whom the meeting invites, in protocol order for lang:
// the states of its audience (as AudienceStates), then the organisations
// it invites; inactive ones never.
func (s *Service) Audience(ctx context.Context, m Meeting, lang string) ([]invitee.Invitee, error) {
	args := []any{pq.Array(m.InvitedOrganisations)}
	var states string
	switch m.Audience {
	case AudienceMembers:
		states = `status = 'member'`
	case AudienceMembersAndPartners:
		states = `status IN ('member', 'partner')`
	default:
		states = `code = ANY($2)`
		args = append(args, pq.Array(m.InvitedStates))
	}
	var list []invitee.Invitee
	err := s.db.SelectContext(ctx, &list, `
		SELECT code, name_en, name_fr, kind, status, rank FROM invitees
		WHERE status <> 'inactive' AND ((kind = 'state' AND `+states+`) OR (kind = 'organisation' AND code = ANY($1)))`,
		args...)
	if err != nil {
		return nil, fmt.Errorf("meeting: audience of %d: %w", m.ID, err)
	}
	invitee.SortProtocol(list, lang)
	return list, nil
}
