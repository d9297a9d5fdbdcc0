package meeting

import (
	"github.com/lib/pq"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/internal/validate"
)

// normalize trims what people type and puts codes in their canonical form.
func (f *Fields) normalize() {
	for _, s := range []*string{&f.TitleEN, &f.TitleFR, &f.VenueEN, &f.VenueFR, &f.OnlineURL, &f.TimeZone} {
		*s = strings.TrimSpace(*s)
	}
	f.DescriptionEN = strings.TrimSpace(f.DescriptionEN)
	f.DescriptionFR = strings.TrimSpace(f.DescriptionFR)
	for i, c := range f.InvitedStates {
		f.InvitedStates[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	if f.InvitedStates == nil {
		f.InvitedStates = pq.StringArray{}
	}
	if f.TimeZone == "" {
		f.TimeZone = DefaultTimeZone
	}
	f.normalizeTimes()
}

// normalizeTimes puts the times as the database keeps them: instants in
// UTC, to the microsecond. The same moment written with another offset
// (the editor sends local times, the API any offset) is then no change,
// for the history and for the emails that summarise it.
func (f *Fields) normalizeTimes() {
	for _, t := range []*time.Time{&f.StartsAt, &f.EndsAt, f.RegistrationOpensAt, f.RegistrationClosesAt} {
		if t != nil {
			*t = t.UTC().Round(time.Microsecond)
		}
	}
}

// check applies the tag rules and the rules between fields, adding a
// message per field at fault. roster gives the states that may be invited
// (code → status).
func (f Fields) check(v *validate.Validator, roster map[string]string, errs apperr.Fields) {
	v.Struct(f, errs)
	if f.TitleEN == "" && f.TitleFR == "" {
		errs.Add("title_en", "a title in English or French is required")
	}
	if !f.StartsAt.IsZero() && !f.EndsAt.IsZero() && !f.EndsAt.After(f.StartsAt) {
		errs.Add("ends_at", "must be after starts_at")
	}
	if f.TimeZone != "" {
		if _, err := time.LoadLocation(f.TimeZone); err != nil || f.TimeZone == "Local" || !strings.Contains(f.TimeZone+"/", "/") {
			errs.Add("timezone", "must be an IANA time zone such as Europe/Paris")
		}
	}
	opens, closes := f.RegistrationOpensAt, f.RegistrationClosesAt
	if opens != nil && closes != nil && !closes.After(*opens) {
		errs.Add("registration_closes_at", "must be after registration_opens_at")
	}
	if closes != nil && !f.EndsAt.IsZero() && !closes.Before(f.EndsAt) {
		errs.Add("registration_closes_at", "must be before the meeting ends")
	}
	if opens != nil && !f.EndsAt.IsZero() && !opens.Before(f.EndsAt) {
		errs.Add("registration_opens_at", "must be before the meeting ends")
	}
	if f.FundedSeatsPerState > f.SeatsPerState {
		errs.Add("funded_seats_per_state", "must not exceed seats_per_state")
	}
	if (f.Format == "online" || f.Format == "hybrid") && f.OnlineURL == "" {
		errs.Add("online_url", "is required for online and hybrid meetings")
	}
	switch {
	case f.Audience == AudienceCustom && len(f.InvitedStates) == 0:
		errs.Add("invited_states", "name at least one state for a custom audience")
	case f.Audience != AudienceCustom && len(f.InvitedStates) > 0:
		errs.Add("invited_states", "is only for a custom audience")
	}
	for _, code := range f.InvitedStates {
		status, ok := roster[code]
		switch {
		case !ok:
			errs.Add("invited_states", "unknown state "+code)
		case status == state.StatusInactive:
			errs.Add("invited_states", "state "+code+" is inactive")
		}
	}
}

// checkPublishable adds the rules a meeting must meet to be published.
func (f Fields) checkPublishable(errs apperr.Fields) {
	if f.TitleEN == "" {
		errs.Add("title_en", "is required to publish")
	}
	if f.TitleFR == "" {
		errs.Add("title_fr", "is required to publish")
	}
}

// placeOrTimeChanged reports whether a change matters to calendars, which
// then need a higher SEQUENCE.
func placeOrTimeChanged(a, b Fields) bool {
	return !a.StartsAt.Equal(b.StartsAt) || !a.EndsAt.Equal(b.EndsAt) || a.TimeZone != b.TimeZone ||
		a.VenueEN != b.VenueEN || a.VenueFR != b.VenueFR || a.OnlineURL != b.OnlineURL || a.Format != b.Format
}
