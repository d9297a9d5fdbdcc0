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
	b["reminder_focal_points_days"] = 4
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
