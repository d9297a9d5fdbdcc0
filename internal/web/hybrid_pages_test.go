package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
)

// The secretariat sees the room and the reminders of a meeting on its
// page, in English and French, and reads them over the API; a room typed
// on the editor for a meeting that is not hybrid comes back as an error
// next to the field, changing nothing.
func TestRoomAndRemindersOnTheMeetingPages(t *testing.T) {
	e := apptest.Start(t)
	b := draftBody()
	b["format"], b["online_url"], b["in_person_capacity"] = "hybrid", "https://meet.example.org/forum", 35
	b["reminder_focal_points_days"], b["title_fr"] = 4, "Forum hybride"
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)

	var rs struct {
		Reminders []invitation.ReminderStatus `json:"reminders"`
	}
	e.JSON("GET", path+"/reminders", "secretariat", nil, 200, &rs)
	if len(rs.Reminders) != 2 || rs.Reminders[0].Kind != "focal_points" || rs.Reminders[0].DueAt == nil ||
		!rs.Reminders[0].DueAt.Equal(m.RegistrationCloses().AddDate(0, 0, -4)) || rs.Reminders[0].SentAt != nil ||
		rs.Reminders[1].Days != 0 || rs.Reminders[1].DueAt != nil {
		t.Errorf("reminders: %+v", rs.Reminders)
	}
	if code, _ := e.Do("GET", path+"/reminders", "fp_FR", nil); code != http.StatusForbidden {
		t.Errorf("a focal point reading the reminders: %d", code)
	}

	staff := signInHTTP(t, e, "secretariat@example.org")
	for lang, want := range map[string][]string{
		"en": {"People in the room", "35", "Reminder to focal points", "goes out on", "(4 days before)", "Practical reminder to participants", "none"},
		"fr": {"Personnes dans la salle", "35", "Relance des points focaux", "part le", "(4 jours avant)", "Rappel pratique aux participants", "aucun"},
	} {
		code, html := staff.get(fmt.Sprintf("/secretariat/meetings/%d?lang=%s", m.ID, lang))
		if code != 200 {
			t.Fatalf("overview in %s: %d", lang, code)
		}
		for _, w := range want {
			if !strings.Contains(html, w) {
				t.Errorf("overview in %s lacks %q", lang, w)
			}
		}
	}

	// Once published, the lists of registrations say how each person
	// attends, and never their gender.
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)
	e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Zoé", "last_name": "Distante",
		"email": "zoe@example.org", "delegation_role": "delegate", "language": "fr", "attendance": "online", "gender": "woman"}, 201, nil)
	focal := signInHTTP(t, e, "fp.fr@example.org")
	for _, c := range []struct {
		client     *pageClient
		page, want string
	}{
		{focal, fmt.Sprintf("/meetings/%d/delegation?lang=fr", m.ID), "en ligne"},
		{staff, fmt.Sprintf("/secretariat/meetings/%d/registrations?lang=en", m.ID), "online"},
	} {
		code, html := c.client.get(c.page)
		if code != 200 || !strings.Contains(html, `class="hint attendance">`+c.want) && !strings.Contains(html, `class="attendance">`+c.want) {
			t.Errorf("%s: %d, attendance %q not shown", c.page, code, c.want)
		}
		if strings.Contains(html, "woman") || strings.Contains(html, "Femme") {
			t.Errorf("%s shows the gender", c.page)
		}
	}

	if code, csv := e.Do("GET", path+"/registrations.csv?lang=fr", "secretariat", nil); code != 200 ||
		!strings.Contains(string(csv), "Participation") || !strings.Contains(string(csv), "en ligne") || strings.Contains(string(csv), "woman") {
		t.Errorf("CSV export: %d, attendance column missing or gender shown:\n%s", code, csv)
	}

	editor := fmt.Sprintf("/secretariat/meetings/%d/edit", m.ID)
	_, html := staff.get(editor + "?lang=fr")
	form := formOf(html)
	form.Set("format", "in_person")
	form.Set("online_url", "")
	if code, body := staff.post(editor, html, form); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "réunions hybrides") || !strings.Contains(body, `id="e-in_person_capacity"`) {
		t.Errorf("a room for an in-person meeting: %d, error next to the field: %v", code, strings.Contains(body, `id="e-in_person_capacity"`))
	}
	var after meeting.Meeting
	e.JSON("GET", path, "secretariat", nil, 200, &after)
	if after.Format != "hybrid" || after.InPersonCapacity != 35 {
		t.Errorf("after the refused edit: %s, room %d", after.Format, after.InPersonCapacity)
	}
}
