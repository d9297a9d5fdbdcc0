package web

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
)

// secMeetingFields are the meeting editor's fields in the order of the
// page, named as the API names them so that the services' field errors
// land next to the right input.
var secMeetingFields = []string{"title_en", "title_fr", "description_en", "description_fr", "kind",
	"starts_at", "ends_at", "timezone", "format", "venue_en", "venue_fr", "online_url", "languages",
	"registration_opens_at", "registration_closes_at", "seats_per_state", "funded_seats_per_state", "capacity",
	"audience", "invited_states", "requires_approval", "public",
	"invited_organisations", "seats_per_organisation", "funded_seats_per_organisation", "quotas",
	"in_person_capacity", "reminder_focal_points_days", "reminder_participants_days", "funding_decision"}

// secLocalLayout is the value format of <input type="datetime-local">.
const secLocalLayout = "2006-01-02T15:04"

// secMeetingForm is the meeting editor as typed: single values in form,
// and the two lists (working languages, invited states) as sets.
type secMeetingForm struct {
	*form
	Languages map[string]bool
	Invited   map[string]bool
	// OrgInvited is the set of invited organisations.
	OrgInvited map[string]bool
}

// Has reports whether a list field holds v: {{.Has "languages" "fr"}}.
func (f secMeetingForm) Has(list, v string) bool {
	if list == "languages" {
		return f.Languages[v]
	}
	if list == "invited_organisations" {
		return f.OrgInvited[v]
	}
	return f.Invited[v]
}

func secSet(values []string) map[string]bool {
	set := map[string]bool{}
	for _, v := range values {
		if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
			set[v] = true
		}
	}
	return set
}

// secReadMeetingForm reads the posted editor.
func secReadMeetingForm(c *gin.Context) secMeetingForm {
	f := secMeetingForm{form: newForm(formValues(c.PostForm, secMeetingFields...))}
	f.Languages = map[string]bool{}
	for _, l := range c.PostFormArray("languages") {
		if l == "en" || l == "fr" {
			f.Languages[l] = true
		}
	}
	f.Invited = secSet(c.PostFormArray("invited_states"))
	f.OrgInvited = secSet(c.PostFormArray("invited_organisations"))
	return f
}

// secMeetingFormOf fills the editor from a meeting's fields.
func secMeetingFormOf(mf meeting.Fields) secMeetingForm {
	loc := mf.Zone()
	local := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(loc).Format(secLocalLayout)
	}
	yes := func(b bool) string {
		if b {
			return "on"
		}
		return ""
	}
	f := secMeetingForm{form: newForm(map[string]string{
		"kind": mf.Kind, "title_en": mf.TitleEN, "title_fr": mf.TitleFR,
		"description_en": mf.DescriptionEN, "description_fr": mf.DescriptionFR,
		"starts_at": local(&mf.StartsAt), "ends_at": local(&mf.EndsAt), "timezone": mf.TimeZone,
		"format": mf.Format, "venue_en": mf.VenueEN, "venue_fr": mf.VenueFR, "online_url": mf.OnlineURL,
		"registration_opens_at": local(mf.RegistrationOpensAt), "registration_closes_at": local(mf.RegistrationClosesAt),
		"seats_per_state": strconv.Itoa(mf.SeatsPerState), "funded_seats_per_state": strconv.Itoa(mf.FundedSeatsPerState),
		"capacity": strconv.Itoa(mf.Capacity), "audience": mf.Audience,
		"requires_approval": yes(mf.RequiresApproval), "public": yes(mf.Public),
	})}
	if mf.Capacity == 0 {
		f.Values["capacity"] = ""
	}
	inviteeValues(mf, f.Values)
	f.OrgInvited = secSet(mf.InvitedOrganisations)
	secSettingsValues(f.form, mf)
	f.Languages = map[string]bool{}
	for _, l := range mf.Languages {
		f.Languages[l] = true
	}
	f.Invited = secSet(mf.InvitedStates)
	return f
}

// secParseLocal reads a datetime-local value as a time in loc.
func secParseLocal(v string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{secLocalLayout, "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// fields turns the typed editor into meeting fields. Times are read in
// the time zone typed (Europe/Paris when none). What cannot be read at
// all (a date that is no date, a number that is no number) comes back as
// field errors; the rest is for the meeting service to judge.
func (f secMeetingForm) fields() (meeting.Fields, apperr.Fields) {
	errs := apperr.Fields{}
	out := meeting.DefaultFields()
	out.Kind, out.TitleEN, out.TitleFR = f.V("kind"), f.V("title_en"), f.V("title_fr")
	out.DescriptionEN, out.DescriptionFR = f.V("description_en"), f.V("description_fr")
	out.TimeZone, out.Format, out.OnlineURL = f.V("timezone"), f.V("format"), f.V("online_url")
	out.VenueEN, out.VenueFR = f.V("venue_en"), f.V("venue_fr")
	out.Audience = f.V("audience")
	out.RequiresApproval, out.Public = f.Checked("requires_approval"), f.Checked("public")
	if out.TimeZone == "" {
		out.TimeZone = meeting.DefaultTimeZone
	}
	loc := out.Zone()
	when := func(name string) *time.Time {
		v := f.V(name)
		if v == "" {
			return nil
		}
		t, ok := secParseLocal(v, loc)
		if !ok {
			errs.Add(name, apperr.M("err.datetime"))
			return nil
		}
		return &t
	}
	if t := when("starts_at"); t != nil {
		out.StartsAt = *t
	}
	if t := when("ends_at"); t != nil {
		out.EndsAt = *t
	}
	out.RegistrationOpensAt, out.RegistrationClosesAt = when("registration_opens_at"), when("registration_closes_at")
	number := func(name string) int {
		v := f.V(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs.Add(name, apperr.M("err.whole_number"))
		}
		return n
	}
	out.SeatsPerState, out.FundedSeatsPerState, out.Capacity = number("seats_per_state"), number("funded_seats_per_state"), number("capacity")
	f.inviteeFields(&out, number, errs)
	out.InPersonCapacity = number("in_person_capacity")
	out.FundingDecision = meeting.FundingAutomatic
	if f.V("funding_decision") == meeting.FundingSecretariat || f.Checked("funding_decision") {
		out.FundingDecision = meeting.FundingSecretariat
	}
	out.ReminderFocalPointsDays, out.ReminderParticipantsDays = number("reminder_focal_points_days"), number("reminder_participants_days")
	out.Languages = pq.StringArray{}
	for _, l := range []string{"en", "fr"} {
		if f.Languages[l] {
			out.Languages = append(out.Languages, l)
		}
	}
	out.InvitedStates = pq.StringArray{}
	if out.Audience == meeting.AudienceCustom {
		for code := range f.Invited {
			out.InvitedStates = append(out.InvitedStates, code)
		}
		sort.Strings(out.InvitedStates) // as stored, so an unchanged list records no change
	}
	return out, errs
}
