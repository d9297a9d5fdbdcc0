package meeting

import (
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/validate"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func validFields() Fields {
	f := DefaultFields()
	f.Kind = "plenary"
	f.TitleEN, f.TitleFR = "Plenary of Permanent Correspondents", "Réunion plénière des correspondants permanents"
	f.StartsAt, f.EndsAt = at("2027-03-09T09:30:00+01:00"), at("2027-03-10T17:00:00+01:00")
	f.RegistrationOpensAt, f.RegistrationClosesAt = ptr(at("2027-01-10T00:00:00+01:00")), ptr(at("2027-03-01T00:00:00+01:00"))
	f.VenueEN = "Agora building, Strasbourg"
	f.SeatsPerState, f.FundedSeatsPerState = 2, 1
	return f
}

var roster = map[string]invitee.Invitee{"FR": {Code: "FR", Kind: "state", Status: "member"}, "DE": {Code: "DE", Kind: "state", Status: "member"},
	"MA": {Code: "MA", Kind: "state", Status: "partner"}, "RU": {Code: "RU", Kind: "state", Status: "inactive"},
	"EUDA": {Code: "EUDA", Kind: "organisation", Status: "active"}, "OLD-NGO": {Code: "OLD-NGO", Kind: "organisation", Status: "inactive"}}

// One case per rule: each must produce an error on its own field, and the
// valid meeting must produce none.
func TestMeetingRules(t *testing.T) {
	v := validate.New()
	tests := []struct {
		name  string
		edit  func(*Fields)
		field string
	}{
		{"valid", func(*Fields) {}, ""},
		{"ends before it starts", func(f *Fields) { f.EndsAt = f.StartsAt.Add(-time.Hour) }, "ends_at"},
		{"ends when it starts", func(f *Fields) { f.EndsAt = f.StartsAt }, "ends_at"},
		{"registration closes before it opens", func(f *Fields) { f.RegistrationClosesAt = ptr(f.RegistrationOpensAt.Add(-time.Hour)) }, "registration_closes_at"},
		{"registration closes after the meeting ends", func(f *Fields) { f.RegistrationClosesAt = ptr(f.EndsAt.Add(time.Hour)) }, "registration_closes_at"},
		{"registration opens after the meeting ends", func(f *Fields) {
			f.RegistrationOpensAt, f.RegistrationClosesAt = ptr(f.EndsAt.Add(time.Hour)), nil
		}, "registration_opens_at"},
		{"more funded seats than seats", func(f *Fields) { f.FundedSeatsPerState = 3 }, "funded_seats_per_state"},
		{"negative seats", func(f *Fields) { f.SeatsPerState, f.FundedSeatsPerState = -1, 0 }, "seats_per_state"},
		{"negative funded seats", func(f *Fields) { f.FundedSeatsPerState = -1 }, "funded_seats_per_state"},
		{"negative capacity", func(f *Fields) { f.Capacity = -5 }, "capacity"},
		{"unknown time zone", func(f *Fields) { f.TimeZone = "Europe/Atlantis" }, "timezone"},
		{"offset instead of a zone", func(f *Fields) { f.TimeZone = "+01:00" }, "timezone"},
		{"no title at all", func(f *Fields) { f.TitleEN, f.TitleFR = "", "" }, "title_en"},
		{"online without a link", func(f *Fields) { f.Format = "online" }, "online_url"},
		{"hybrid without a link", func(f *Fields) { f.Format = "hybrid" }, "online_url"},
		{"link that is not a URL", func(f *Fields) { f.Format, f.OnlineURL = "online", "javascript:alert(1)" }, "online_url"},
		{"unknown kind", func(f *Fields) { f.Kind = "party" }, "kind"},
		{"unknown format", func(f *Fields) { f.Format = "telepathy" }, "format"},
		{"unknown language", func(f *Fields) { f.Languages = []string{"en", "de"} }, "languages[1]"},
		{"no language", func(f *Fields) { f.Languages = []string{} }, "languages"},
		{"unknown audience", func(f *Fields) { f.Audience = "everyone" }, "audience"},
		{"custom audience without states", func(f *Fields) { f.Audience = AudienceCustom }, "invited_states"},
		{"states without custom audience", func(f *Fields) { f.InvitedStates = []string{"FR"} }, "invited_states"},
		{"invited state not in roster", func(f *Fields) { f.Audience, f.InvitedStates = AudienceCustom, []string{"FR", "XX"} }, "invited_states"},
		{"an organisation among the states", func(f *Fields) { f.Audience, f.InvitedStates = AudienceCustom, []string{"EUDA"} }, "invited_states"},
		{"a state among the organisations", func(f *Fields) { f.InvitedOrganisations = []string{"FR"} }, "invited_organisations"},
		{"an inactive organisation", func(f *Fields) { f.InvitedOrganisations = []string{"OLD-NGO"} }, "invited_organisations"},
		{"an organisation code of the wrong shape", func(f *Fields) { f.InvitedOrganisations = []string{"E U"} }, "invited_organisations"},
		{"more funded seats than seats per organisation", func(f *Fields) { f.SeatsPerOrganisation, f.FundedSeatsPerOrganisation = 1, 2 }, "funded_seats_per_organisation"},
		{"an override of an unknown invitee", func(f *Fields) { f.Quotas = Quotas{"XY": {Seats: 1}} }, "quotas"},
		{"an override code of the wrong shape", func(f *Fields) { f.Quotas = Quotas{"é": {Seats: 1}} }, "quotas"},
		{"an override with more funded seats than seats", func(f *Fields) { f.Quotas = Quotas{"EUDA": {Seats: 1, FundedSeats: 2}} }, "quotas"},
		{"an override out of bounds", func(f *Fields) { f.Quotas = Quotas{"FR": {Seats: -1}} }, "quotas"},
		{"invited state inactive", func(f *Fields) { f.Audience, f.InvitedStates = AudienceCustom, []string{"RU"} }, "invited_states"},
		{"title on two lines", func(f *Fields) { f.TitleEN = "Plenary\r\nBcc: x@example.org" }, "title_en"},
		{"title too long", func(f *Fields) { f.TitleFR = string(make([]rune, 301)) }, "title_fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFields()
			tt.edit(&f)
			errs := apperr.Fields{}
			f.check(v, roster, errs)
			if tt.field == "" {
				if len(errs) > 0 {
					t.Fatalf("valid meeting rejected: %v", errs)
				}
				return
			}
			if errs[tt.field].Key == "" {
				t.Fatalf("want an error on %s, got %v", tt.field, errs)
			}
		})
	}
}

func TestPublishRequiresBothTitles(t *testing.T) {
	for _, f := range []Fields{{TitleEN: "Only English"}, {TitleFR: "Seulement en français"}} {
		errs := apperr.Fields{}
		f.checkPublishable(errs)
		if len(errs) != 1 {
			t.Errorf("%+v: want one missing title, got %v", f, errs)
		}
	}
}

func TestAgendaNumbering(t *testing.T) {
	one, two := int64(1), int64(2)
	items := displayOrder([]Item{
		{ID: 3, ItemFields: ItemFields{ParentID: &two, Position: 2}},
		{ID: 2, ItemFields: ItemFields{Position: 2}},
		{ID: 4, ItemFields: ItemFields{ParentID: &two, Position: 1}},
		{ID: 1, ItemFields: ItemFields{Position: 1}},
		{ID: 5, ItemFields: ItemFields{ParentID: &one, Position: 1}},
		{ID: 6, ItemFields: ItemFields{Position: 3}},
	})
	want := []struct {
		id     int64
		number string
	}{{1, "1"}, {5, "1.1"}, {2, "2"}, {4, "2.1"}, {3, "2.2"}, {6, "3"}}
	for i, w := range want {
		if items[i].ID != w.id || items[i].Number != w.number {
			t.Errorf("position %d: item %d numbered %q, want item %d numbered %q", i, items[i].ID, items[i].Number, w.id, w.number)
		}
	}
}

// The public pages are kept until the status they show can next change by
// the clock: registration opening, registration closing (its date, else
// the start), the end.
func TestStatusChangesAfter(t *testing.T) {
	f := validFields() // opens 2027-01-10, closes 2027-03-01, starts 2027-03-09 09:30, ends 2027-03-10 17:00
	noDates := validFields()
	noDates.RegistrationOpensAt, noDates.RegistrationClosesAt = nil, nil
	tests := []struct {
		name  string
		f     Fields
		after string
		want  string // "" for none
	}{
		{"before opening", f, "2026-12-01T00:00:00+01:00", "2027-01-10T00:00:00+01:00"},
		{"at opening", f, "2027-01-10T00:00:00+01:00", "2027-03-01T00:00:00+01:00"},
		{"while open", f, "2027-02-01T00:00:00+01:00", "2027-03-01T00:00:00+01:00"},
		{"closed, not started", f, "2027-03-05T00:00:00+01:00", "2027-03-10T17:00:00+01:00"},
		{"during the meeting", f, "2027-03-10T09:00:00+01:00", "2027-03-10T17:00:00+01:00"},
		{"held", f, "2027-03-10T17:00:00+01:00", ""},
		{"no window: closes at the start", noDates, "2027-02-01T00:00:00+01:00", "2027-03-09T09:30:00+01:00"},
		{"no window, started", noDates, "2027-03-09T10:00:00+01:00", "2027-03-10T17:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Meeting{Fields: tt.f}.StatusChangesAfter(at(tt.after))
			switch {
			case tt.want == "" && ok:
				t.Errorf("next change %s, want none", got)
			case tt.want != "" && (!ok || !got.Equal(at(tt.want))):
				t.Errorf("next change %s (%v), want %s", got, ok, tt.want)
			}
		})
	}
}
