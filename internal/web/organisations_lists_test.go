package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// Lists of registrations keep protocol order with organisations: the
// states first, then the organisations, each by name in the reader's
// language; the filter, the paging cursor and the exports follow.
func TestOrganisationsInRegistrationLists(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(50 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "forum", "title_en": "Forum", "title_fr": "Forum",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(6 * time.Hour).Format(time.RFC3339),
		"audience": "custom", "invited_states": []string{"FR", "DE"}, "invited_organisations": []string{"EUDA", "WHO"},
		"seats_per_organisation": 3,
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)
	n := 0
	for _, code := range []string{"WHO", "FR", "EUDA", "DE"} {
		for i := 0; i < 2; i++ {
			n++
			e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": code, "first_name": "P", "last_name": fmt.Sprintf("%s %d", code, i),
				"email": fmt.Sprintf("p%d@example.org", n), "delegation_role": "delegate", "language": "en"}, 201, nil)
		}
	}
	for lang, want := range map[string][]string{
		// English: France, Germany, then European Union Drugs Agency, World Health Organization.
		"en": {"FR", "FR", "DE", "DE", "EUDA", "EUDA", "WHO", "WHO"},
		// French: Allemagne, France, then Agence de l'Union européenne…, Organisation mondiale de la santé.
		"fr": {"DE", "DE", "FR", "FR", "EUDA", "EUDA", "WHO", "WHO"},
	} {
		var got []string
		cursor := ""
		for page := 0; page < 10; page++ { // pages of 3 cross from states to organisations
			var l struct {
				Registrations []registration.Row `json:"registrations"`
				Next          *string            `json:"next"`
			}
			e.JSON("GET", fmt.Sprintf("%s/registrations?limit=3&lang=%s&cursor=%s", path, lang, cursor), "secretariat", nil, 200, &l)
			for _, r := range l.Registrations {
				got = append(got, r.State)
			}
			if l.Next == nil || *l.Next == "" {
				break
			}
			cursor = *l.Next
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: registrations in the order %v, want %v", lang, got, want)
		}
	}
	var own struct {
		Registrations []registration.Row `json:"registrations"`
	}
	e.JSON("GET", path+"/registrations", "fp_EUDA", nil, 200, &own)
	if len(own.Registrations) != 2 || own.Registrations[0].StateName != "European Union Drugs Agency" {
		t.Errorf("EUDA's focal point sees %+v", own.Registrations)
	}
	if code, _ := e.Do("GET", path+"/registrations?state=FR", "fp_EUDA", nil); code != 403 {
		t.Errorf("EUDA's focal point asking for FR's registrations: %d", code)
	}
	code, csv := e.Do("GET", path+"/registrations.csv?lang=fr", "secretariat", nil)
	if code != 200 || !inOrderIn(string(csv), "Allemagne", "France", "Agence de l'Union européenne sur les drogues", "Organisation mondiale de la santé") {
		t.Errorf("CSV export: %d\n%s", code, csv)
	}
	staff := signInHTTP(t, e, "secretariat@example.org")
	code, page := staff.get(fmt.Sprintf("/secretariat/meetings/%d/registrations?state=EUDA", m.ID))
	if code != 200 || !strings.Contains(page, "EUDA 0") || strings.Contains(page, "WHO 0") || !strings.Contains(page, `<option value="EUDA" selected>`) {
		t.Errorf("the secretariat's list filtered on EUDA: %d", code)
	}
}
