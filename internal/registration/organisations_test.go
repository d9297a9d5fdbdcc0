package registration_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// orgSetup is setup with organisations invited too: EUDA and WHO, 2 seats
// and 1 funded seat per organisation, and overrides for FR (4, 2) and
// EUDA (3, 1).
func orgSetup(t *testing.T) fixture {
	return setup(t, func(b map[string]any) {
		b["invited_organisations"] = []string{"EUDA", "WHO"}
		b["seats_per_organisation"], b["funded_seats_per_organisation"] = 2, 1
		b["quotas"] = map[string]any{"FR": map[string]any{"seats": 4, "funded_seats": 2}, "EUDA": map[string]any{"seats": 3, "funded_seats": 1}}
	})
}

// Many people registering at once for states and organisations, through
// two agora processes: each invitee's confirmed and funded seats stop at
// its own quota (its override, else the default of its kind), whatever
// its kind; everyone else waits.
func TestOrganisationQuotasUnderConcurrency(t *testing.T) {
	f := orgSetup(t)
	second := apptest.Start(t, apptest.Options{Join: f.e})
	want := map[string][2]int{"EUDA": {3, 1}, "WHO": {2, 1}, "FR": {4, 2}, "DE": {2, 1}}
	const each = 15
	invitees := []string{"EUDA", "WHO", "FR", "DE"}
	codes := make([]int, each*len(invitees))
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			b := person(i)
			b["invitation_token"] = f.links[invitees[i%len(invitees)]]
			b["funding_requested"] = true
			env := f.e
			if i%2 == 1 {
				env = second
			}
			for try := 0; try < 5; try++ {
				if codes[i], _ = env.Do("POST", f.path("/registrations"), "", b); codes[i] != http.StatusServiceUnavailable {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Fatalf("registration %d: status %d", i, c)
		}
	}
	for code, q := range want {
		if n := f.count(t, "invitee = $2 AND status = 'confirmed'", code); n != q[0] {
			t.Errorf("%s: %d confirmed for %d seats", code, n, q[0])
		}
		if n := f.count(t, "invitee = $2 AND funded", code); n != q[1] {
			t.Errorf("%s: %d funded for %d funded seats", code, n, q[1])
		}
		if n := f.count(t, "invitee = $2 AND status = 'waitlisted'", code); n != each-q[0] {
			t.Errorf("%s: %d waiting, want %d", code, n, each-q[0])
		}
	}
	if n := f.count(t, "invitee IN ('EUDA', 'WHO') AND (organisation_code IS DISTINCT FROM invitee OR state_code IS NOT NULL)"); n != 0 {
		t.Errorf("%d registrations of organisations not stored as such", n)
	}

	// The organisation's focal point cancels a funded seat: the earliest
	// person waiting for EUDA (not for another invitee) takes it, funded.
	var first, funded int64
	db := f.e.App.DB
	if err := db.Get(&first, `SELECT id FROM registrations WHERE meeting_id = $1 AND invitee = 'EUDA' AND status = 'waitlisted'
		ORDER BY waitlisted_at, id LIMIT 1`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&funded, `SELECT id FROM registrations WHERE meeting_id = $1 AND invitee = 'EUDA' AND funded`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	if code, _ := f.e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", funded), "fp_FR", nil); code != 404 {
		t.Errorf("FR's focal point cancelling EUDA's delegate: %d", code)
	}
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", funded), "fp_EUDA", nil, 200, nil)
	var promoted registration.Registration
	f.e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", first), "fp_EUDA", nil, 200, &promoted)
	if promoted.Status != "confirmed" || !promoted.Funded || promoted.OrganisationCode == nil || *promoted.OrganisationCode != "EUDA" {
		t.Errorf("earliest waiting for EUDA after a funded seat was freed: %+v", promoted)
	}
	if n := f.count(t, "invitee = 'EUDA' AND status = 'confirmed'"); n != 3 {
		t.Errorf("EUDA: %d confirmed after cancel and promotion", n)
	}

	// An override below the seats taken is refused, field by field, and
	// changes nothing; one above them promotes the next person waiting.
	quotas := func(euda int) map[string]any {
		return map[string]any{"quotas": map[string]any{"FR": map[string]any{"seats": 4, "funded_seats": 2},
			"EUDA": map[string]any{"seats": euda, "funded_seats": 1}}}
	}
	code, body := f.e.Do("PATCH", f.path(""), "secretariat", quotas(2))
	if code != 422 || apptest.ErrorFields(body)["quotas"] == "" {
		t.Errorf("override below the seats taken: %d %s, want a 422 on quotas", code, body)
	}
	var m meeting.Meeting
	f.e.JSON("GET", f.path(""), "secretariat", nil, 200, &m)
	if m.Quotas["EUDA"].Seats != 3 {
		t.Errorf("the refused override was saved: %+v", m.Quotas)
	}
	code, body = f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{"quotas": map[string]any{"WHO": map[string]any{"seats": 0, "funded_seats": 0},
		"FR": map[string]any{"seats": 4, "funded_seats": 2}, "EUDA": map[string]any{"seats": 3, "funded_seats": 1}}})
	if code != 422 || apptest.ErrorFields(body)["quotas"] == "" {
		t.Errorf("an override that takes away WHO's seats: %d %s, want a 422 on quotas", code, body)
	}
	// Removing EUDA's override would leave it the 2 seats of an
	// organisation, below the 3 it holds: refused too.
	code, body = f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{"quotas": map[string]any{"FR": map[string]any{"seats": 4, "funded_seats": 2}}})
	if code != 422 || apptest.ErrorFields(body)["quotas"] == "" {
		t.Errorf("removing an override whose default is below the seats taken: %d %s, want a 422 on quotas", code, body)
	}
	// Lowering a default below what an invitee without an override holds
	// (DE and WHO are full) is refused on that default's field, and
	// changes nothing.
	for field, value := range map[string]int{"seats_per_state": 1, "funded_seats_per_state": 0,
		"seats_per_organisation": 1, "funded_seats_per_organisation": 0} {
		code, body := f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{field: value})
		if code != 422 || apptest.ErrorFields(body)[field] == "" {
			t.Errorf("%s lowered to %d below the seats taken: %d %s, want a 422 on %s", field, value, code, body, field)
		}
	}
	f.e.JSON("GET", f.path(""), "secretariat", nil, 200, &m)
	if m.SeatsPerState != 2 || m.FundedSeatsPerState != 1 || m.SeatsPerOrganisation != 2 || m.FundedSeatsPerOrganisation != 1 {
		t.Errorf("a refused default was saved: seats per state %d (%d funded), per organisation %d (%d funded)",
			m.SeatsPerState, m.FundedSeatsPerState, m.SeatsPerOrganisation, m.FundedSeatsPerOrganisation)
	}
	f.e.JSON("PATCH", f.path(""), "secretariat", quotas(4), 200, nil)
	if n := f.count(t, "invitee = 'EUDA' AND status = 'confirmed'"); n != 4 {
		t.Errorf("EUDA: %d confirmed after its seats went to 4", n)
	}
}

// An organisation's focal point registers people for their organisation
// (and only for it); an organisation's code in "state" or in
// "organisation_code" names it alike.
func TestOrganisationFocalPointRegisters(t *testing.T) {
	f := orgSetup(t)
	var r registration.Result
	f.e.JSON("POST", f.path("/registrations"), "fp_EUDA", person(1), 201, &r)
	if r.State != "EUDA" || r.OrganisationCode == nil || *r.OrganisationCode != "EUDA" || r.StateCode != nil || r.Status != "confirmed" {
		t.Errorf("registered by EUDA's focal point: %+v", r)
	}
	b := person(2)
	b["organisation_code"] = "EUDA"
	f.e.JSON("POST", f.path("/registrations"), "secretariat", b, 201, nil)
	for _, c := range []struct {
		as   string
		body map[string]any
		want int
		desc string
	}{
		{"fp_EUDA", map[string]any{"state": "FR"}, 403, "EUDA's focal point registering for FR"},
		{"fp_EUDA", map[string]any{"organisation_code": "WHO"}, 403, "EUDA's focal point registering for WHO"},
		{"fp_FR", map[string]any{"organisation_code": "EUDA"}, 403, "FR's focal point registering for EUDA"},
		{"secretariat", map[string]any{"organisation_code": "UNODC"}, 422, "an organisation not invited"},
		{"secretariat", map[string]any{"organisation_code": "NOPE"}, 422, "an unknown organisation"},
		{"secretariat", map[string]any{"organisation_code": "e u"}, 422, "a code of the wrong shape"},
		{"secretariat", map[string]any{"state": "FR", "organisation_code": "EUDA"}, 422, "both a state and an organisation"},
	} {
		b := person(3)
		for k, v := range c.body {
			b[k] = v
		}
		if code, body := f.e.Do("POST", f.path("/registrations"), c.as, b); code != c.want {
			t.Errorf("%s: %d %s, want %d", c.desc, code, body, c.want)
		}
	}
	if n := f.count(t, "email = 'p003@example.org'"); n != 0 {
		t.Errorf("refused registrations wrote %d rows", n)
	}
}
