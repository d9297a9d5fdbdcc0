package web

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/organisation"
)

// The meeting editor's part about organisations and per-invitee seats:
// the organisations invited (checkboxes named invited_organisations), the
// seats of each, and the overrides, typed one per line as
// "CODE seats funded" ("FR 4 2", "EUDA 1 0") in a textarea named quotas.

// quotasText writes overrides one per line, by code.
func quotasText(q meeting.Quotas) string {
	codes := make([]string, 0, len(q))
	for code := range q {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var b strings.Builder
	for _, code := range codes {
		fmt.Fprintf(&b, "%s %d %d\n", code, q[code].Seats, q[code].FundedSeats)
	}
	return b.String()
}

// parseQuotas reads overrides typed one per line: a code, the seats, and
// optionally the funded seats (0 when left out). A line it cannot read is
// a field error that quotes it.
func parseQuotas(text string, errs apperr.Fields) meeting.Quotas {
	q := meeting.Quotas{}
	for _, line := range strings.Split(text, "\n") {
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == ';' || r == ':' || r == '\r' })
		if len(parts) == 0 {
			continue
		}
		if len(parts) < 2 || len(parts) > 3 {
			errs.Add("quotas", apperr.M("err.quota_line", "Line", strings.TrimSpace(line)))
			continue
		}
		seats, err1 := strconv.Atoi(parts[1])
		funded, err2 := 0, error(nil)
		if len(parts) == 3 {
			funded, err2 = strconv.Atoi(parts[2])
		}
		if err1 != nil || err2 != nil {
			errs.Add("quotas", apperr.M("err.quota_line", "Line", strings.TrimSpace(line)))
			continue
		}
		q[strings.ToUpper(parts[0])] = meeting.Quota{Seats: seats, FundedSeats: funded}
	}
	return q
}

// inviteeValues are the form values of this part from a meeting's fields.
func inviteeValues(mf meeting.Fields, values map[string]string) {
	values["seats_per_organisation"] = strconv.Itoa(mf.SeatsPerOrganisation)
	values["funded_seats_per_organisation"] = strconv.Itoa(mf.FundedSeatsPerOrganisation)
	values["quotas"] = quotasText(mf.Quotas)
}

// inviteeFields fills out's organisations and seats from the typed form.
func (f secMeetingForm) inviteeFields(out *meeting.Fields, number func(string) int, errs apperr.Fields) {
	out.SeatsPerOrganisation = number("seats_per_organisation")
	out.FundedSeatsPerOrganisation = number("funded_seats_per_organisation")
	out.InvitedOrganisations = pq.StringArray{}
	for code := range f.OrgInvited {
		out.InvitedOrganisations = append(out.InvitedOrganisations, code)
	}
	sort.Strings(out.InvitedOrganisations) // as stored, so an unchanged list records no change
	out.Quotas = parseQuotas(f.V("quotas"), errs)
}

// invitableOrganisations are the organisations the editor offers: the
// active ones, and inactive ones still invited.
func invitableOrganisations(all []organisation.Organisation, invited map[string]bool) []organisation.Organisation {
	var out []organisation.Organisation
	for _, o := range all {
		if o.Status != organisation.StatusInactive || invited[o.Code] {
			out = append(out, o)
		}
	}
	return out
}
