package audit_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

func TestTrailRecordsActionsAndIsAppendOnly(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(20 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{"kind": "forum", "title_en": "Forum", "title_fr": "Forum",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339),
		"audience": "custom", "invited_states": []string{"FR"}}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)
	e.JSON("POST", "/api/v1/states/FR/focal-points", "secretariat", map[string]string{"name": "Jean Dupont", "email": "jd@example.org", "language": "fr"}, 201, nil)
	e.JSON("POST", path+"/invitations", "secretariat", nil, 200, nil)
	var reg registration.Result
	e.JSON("POST", path+"/registrations", "fp_FR", map[string]any{"first_name": "Ana", "last_name": "Silva", "email": "ana@example.org",
		"delegation_role": "delegate", "language": "en"}, 201, &reg)
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/check-in", reg.ID), "secretariat", nil, 200, nil)
	e.JSON("PUT", "/api/v1/states/MT", "admin", map[string]string{"name_en": "Malta", "name_fr": "Malte", "status": "member"}, 200, nil)

	var page struct {
		Entries []audit.Entry `json:"entries"`
	}
	if code, _ := e.Do("GET", fmt.Sprintf("/api/v1/audit?meeting_id=%d", m.ID), "fp_FR", nil); code != 403 {
		t.Errorf("focal point reading the audit trail: %d", code)
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/audit?meeting_id=%d", m.ID), "secretariat", nil, 200, &page)
	var actions []string
	for i := len(page.Entries) - 1; i >= 0; i-- {
		actions = append(actions, page.Entries[i].Action)
	}
	want := "meeting.create meeting.publish invitation.send registration.create registration.check_in"
	if strings.Join(actions, " ") != want {
		t.Errorf("meeting trail:\n got %s\nwant %s", strings.Join(actions, " "), want)
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/audit?registration_id=%d", reg.ID), "secretariat", nil, 200, &page)
	if len(page.Entries) != 2 || page.Entries[1].UserName == nil || *page.Entries[1].UserName != "Françoise Point" {
		t.Errorf("person's trail: %+v", page.Entries)
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/audit?user_id=%d", e.Users["admin"].ID), "secretariat", nil, 200, &page)
	if len(page.Entries) != 1 || page.Entries[0].Action != "state.update" {
		t.Errorf("admin's trail: %+v", page.Entries)
	}
	// No personal data in the trail.
	var leaks int
	if err := e.App.DB.Get(&leaks, `SELECT count(*) FROM audit_log WHERE details::text ILIKE '%ana@example.org%' OR details::text ILIKE '%Silva%'`); err != nil || leaks != 0 {
		t.Errorf("personal data in the audit trail: %d (%v)", leaks, err)
	}
	// Append-only for the application's database role.
	for _, q := range []string{`UPDATE audit_log SET action = 'x.y'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := e.App.DB.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}
