package web_test

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// A funding request left unfunded says why on the person's manage page:
// where the secretariat decides, the request awaits its decision; where
// funding is automatic and the delegation's funded seats are taken, the
// page says so (the secretariat may still grant it) instead of promising
// a decision no one is asked to make. In English and in French.
func TestManagePageTellsWhyFundingIsPending(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	manage := map[string]string{}
	for _, decision := range []string{"automatic", "secretariat"} {
		var m meeting.Meeting
		e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
			"kind": "plenary", "title_en": "Funding " + decision, "title_fr": "Prise en charge " + decision,
			"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
			"format": "in_person", "audience": "custom", "invited_states": []string{"FR"},
			"seats_per_state": 3, "funded_seats_per_state": 1, "funding_decision": decision,
		}, 201, &m)
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
		for i := range 2 {
			var r registration.Result
			e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{
				"state": "FR", "first_name": "Personne", "last_name": fmt.Sprintf("N%d", i), "email": fmt.Sprintf("fund-%s-%d@example.org", decision, i),
				"delegation_role": "delegate", "language": "en", "funding_requested": true,
			}, 201, &r)
			manage[fmt.Sprintf("%s-%d", decision, i)] = r.ManageURL[strings.Index(r.ManageURL, "/registrations/manage/"):]
		}
	}
	for key, want := range map[string][]string{
		"automatic-0":   {"travel costs covered"},
		"automatic-1":   {"funding requested: your delegation's funded seats are all taken", "the secretariat may still grant it"},
		"secretariat-1": {"funding requested, awaiting a decision"},
	} {
		code, body := e.Do("GET", manage[key], "", nil)
		if code != 200 {
			t.Fatalf("%s: %d", key, code)
		}
		page := html.UnescapeString(string(body))
		for _, w := range want {
			if !strings.Contains(page, w) {
				i := strings.Index(page, "reg-status")
				t.Errorf("%s: the manage page does not say %q: %.300s", key, w, page[max(i, 0):])
			}
		}
		if key == "automatic-1" && strings.Contains(string(body), "awaiting a decision") {
			t.Errorf("%s: an automatic meeting's page promises a decision", key)
		}
	}
	if code, body := e.Do("GET", manage["automatic-1"]+"?lang=fr", "", nil); code != 200 ||
		!strings.Contains(html.UnescapeString(string(body)), "les places prises en charge de votre délégation sont toutes attribuées") {
		t.Errorf("the French manage page: %d, without the reason", code)
	}
}
