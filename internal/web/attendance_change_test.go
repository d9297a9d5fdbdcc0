package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

// roomMeeting publishes a hybrid meeting for France and Germany whose room
// holds one person, and registers Anne in the room (in English) and Bruno
// online (in French), both of France.
func roomMeeting(t *testing.T, e *apptest.Env) (m meeting.Meeting, anne, bruno registration.Result) {
	t.Helper()
	b := draftBody()
	b["in_person_capacity"], b["audience"], b["invited_states"], b["seats_per_state"] = 1, "custom", []string{"FR", "DE"}, 3
	b["title_fr"] = "Plénière des correspondants permanents"
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	register := func(first, lang, attendance string) (r registration.Result) {
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{"state": "FR", "first_name": first,
			"last_name": "Salle", "email": strings.ToLower(first) + "@example.org", "delegation_role": "delegate", "language": lang, "attendance": attendance}, 201, &r)
		return r
	}
	return m, register("Anne", "en", "in_person"), register("Bruno", "fr", "online")
}

// A focal point or the secretariat changes how a delegate attends a
// hybrid meeting: the change is read back through the API and the
// database, the person is told by email in their language (with the
// online link when they now attend online), a place given up in the room
// can be taken by another, a full room is a field error that changes
// nothing, and other states' focal points, bad values and meetings that
// are not hybrid are refused.
func TestAttendanceChangedByFocalPointOrSecretariat(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	m, anne, bruno := roomMeeting(t, e)
	attendanceOf := func(id int64) string {
		var a string
		if err := e.App.DB.Get(&a, `SELECT attendance FROM registrations WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return a
	}
	set := func(id int64, as, attendance string) (int, []byte) {
		return e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/attendance", id), as, map[string]string{"attendance": attendance})
	}

	// France's focal point moves Anne online: the room's place is free.
	var got registration.Registration
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/attendance", anne.ID), "fp_FR", map[string]string{"attendance": "online"}, 200, &got)
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", anne.ID), "secretariat", nil, 200, &got)
	if got.Attendance != "online" || attendanceOf(anne.ID) != "online" {
		t.Errorf("Anne attends %q (API), %q (database), want online", got.Attendance, attendanceOf(anne.ID))
	}
	told := mailTo(t, mp, "anne@example.org", "How you attend has changed")
	if !strings.Contains(told.Text, "you now attend online") || !strings.Contains(told.Text, "https://meet.example.org/pc95") {
		t.Errorf("Anne's email:\n%s", told.Text)
	}
	// Bruno takes the place in the room; his email is in French.
	if code, body := set(bruno.ID, "secretariat", "in_person"); code != http.StatusOK {
		t.Fatalf("moving Bruno into the room: %d %s", code, body)
	}
	if text := mailTo(t, mp, "bruno@example.org", "Votre mode de participation a changé").Text; !strings.Contains(text, "vous y participez désormais en présentiel") {
		t.Errorf("Bruno's email:\n%s", text)
	}
	// The room is full again: Anne cannot come back in person.
	if code, body := set(anne.ID, "fp_FR", "in_person"); code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)["attendance"] == "" {
		t.Errorf("a full room: %d %s", code, body)
	}
	if attendanceOf(anne.ID) != "online" {
		t.Error("a refused change was written")
	}
	// Refused: another state's focal point (as if missing), nobody, a bad value.
	if code, _ := set(anne.ID, "fp_DE", "in_person"); code != http.StatusNotFound {
		t.Errorf("Germany's focal point: %d", code)
	}
	if code, _ := set(anne.ID, "", "in_person"); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", code)
	}
	if code, body := set(anne.ID, "secretariat", "teleport"); code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)["attendance"] == "" {
		t.Errorf("a bad value: %d %s", code, body)
	}
	// Asking for what is already so changes, records and sends nothing.
	if code, body := set(anne.ID, "fp_FR", "online"); code != http.StatusOK {
		t.Errorf("asking for the attendance Anne already has: %d %s", code, body)
	}
	var n int
	if err := e.App.DB.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'registration.attendance' AND meeting_id = $1`, m.ID); err != nil || n != 2 {
		t.Errorf("%d audit entries, want 2 (%v)", n, err)
	}

	// At a meeting that is not hybrid, there is nothing to choose.
	b := draftBody()
	b["format"], b["online_url"], b["audience"], b["invited_states"] = "in_person", "", "custom", []string{"FR"}
	b["title_fr"] = "Plénière en présentiel"
	var inPerson meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &inPerson)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", inPerson.ID), "secretariat", nil, 200, nil)
	var carl registration.Result
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", inPerson.ID), "secretariat", map[string]any{"state": "FR",
		"first_name": "Carl", "last_name": "Salle", "email": "carl@example.org", "delegation_role": "delegate", "language": "en"}, 201, &carl)
	if code, body := set(carl.ID, "fp_FR", "online"); code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)["attendance"] == "" {
		t.Errorf("online at an in-person meeting: %d %s", code, body)
	}
}

// The focal point's delegation page moves a delegate online and back, and
// says why when the room is full; the page reads back what was saved.
func TestAttendanceOnTheDelegationPage(t *testing.T) {
	e := apptest.Start(t)
	m, anne, bruno := roomMeeting(t, e)
	fp := signInHTTP(t, e, "fp.fr@example.org")
	delegation := fmt.Sprintf("/meetings/%d/delegation", m.ID)
	move := func(id int64, to, lang string) string {
		_, page := fp.get(delegation + "?lang=" + lang)
		code, _ := fp.post(fmt.Sprintf("%s/%d/attendance?lang=%s", delegation, id, lang), page, url.Values{"attendance": {to}})
		if code != http.StatusSeeOther {
			t.Fatalf("moving %d %s: %d", id, to, code)
		}
		_, page = fp.get(delegation + "?lang=" + lang)
		return html.UnescapeString(page)
	}
	_, page := fp.get(delegation + "?lang=en")
	if !strings.Contains(page, fmt.Sprintf(`action="/meetings/%d/delegation/%d/attendance`, m.ID, anne.ID)) || !strings.Contains(page, "Move online") {
		t.Fatal("the delegation page offers no change of attendance")
	}
	if page := move(anne.ID, "online", "en"); !strings.Contains(page, "Anne Salle now attends online.") {
		t.Error("no word that Anne now attends online")
	}
	if page := move(bruno.ID, "in_person", "fr"); !strings.Contains(page, "Bruno Salle participe désormais en présentiel.") {
		t.Error("no word, in French, that Bruno now attends in person")
	}
	var got []string
	if err := e.App.DB.Select(&got, `SELECT attendance FROM registrations WHERE meeting_id = $1 ORDER BY first_name`, m.ID); err != nil ||
		strings.Join(got, ",") != "online,in_person" {
		t.Errorf("attendance in the database: %v %v", got, err)
	}
	if page := move(anne.ID, "in_person", "en"); !strings.Contains(page, "Attendance: the meeting room is full") {
		t.Error("a full room: the page does not say why Anne cannot come back")
	}
	var anneNow string
	if err := e.App.DB.Get(&anneNow, `SELECT attendance FROM registrations WHERE id = $1`, anne.ID); err != nil || anneNow != "online" {
		t.Errorf("after a refused move, Anne attends %q", anneNow)
	}
}

// The secretariat's registrations page moves people between the room and
// online too, and shows why when the room is full.
func TestAttendanceOnTheSecretariatsPage(t *testing.T) {
	e := apptest.Start(t)
	m, anne, bruno := roomMeeting(t, e)
	sec := signInHTTP(t, e, "secretariat@example.org")
	regs := fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID)
	_, page := sec.get(regs + "?lang=en")
	if !strings.Contains(page, fmt.Sprintf(`action="%s/%d/attendance"`, regs, anne.ID)) {
		t.Fatal("the registrations page offers no change of attendance")
	}
	// Bruno cannot take the room while Anne holds its one place.
	code, body := sec.post(fmt.Sprintf("%s/%d/attendance?lang=en", regs, bruno.ID), page, url.Values{"attendance": {"in_person"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Attendance: the meeting room is full") {
		t.Errorf("a full room on the secretariat's page: %d", code)
	}
	if code, _ := sec.post(fmt.Sprintf("%s/%d/attendance?lang=en", regs, anne.ID), page, url.Values{"attendance": {"online"}}); code != http.StatusSeeOther {
		t.Fatalf("moving Anne online: %d", code)
	}
	_, page = sec.get(regs + "?lang=en")
	if !strings.Contains(html.UnescapeString(page), "Anne Salle now attends online.") {
		t.Error("no word that Anne now attends online")
	}
	var got registration.Registration
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", anne.ID), "secretariat", nil, 200, &got)
	if got.Attendance != "online" {
		t.Errorf("Anne attends %q after the secretariat moved her online", got.Attendance)
	}
}
