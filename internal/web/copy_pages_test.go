package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
)

// The secretariat copies a meeting from its page into a new draft, lands
// on the draft's editor, and deletes a draft after confirming; read back
// from the database and the pages, in English and French.
func TestCopyAndDeleteDraftPages(t *testing.T) {
	e := apptest.Start(t)
	src, _ := copySource(t, e)
	sec := signInHTTP(t, e, "secretariat@example.org")
	overview := fmt.Sprintf("/secretariat/meetings/%d", src.ID)
	meetings := func() int { return dbCount(t, e, `SELECT count(*) FROM meetings`) }

	_, page := sec.get(overview)
	if !strings.Contains(page, `action="/secretariat/meetings/`+fmt.Sprint(src.ID)+`/copy"`) || !strings.Contains(page, `value="2028-03-09T09:30"`) {
		t.Fatalf("the overview offers no copy form a year later:\n%.3000s", page)
	}
	if strings.Contains(page, "Delete this draft") {
		t.Error("a published meeting offers to be deleted")
	}

	// A start left empty: the form again with the error, nothing made.
	n := meetings()
	code, body := sec.post(overview+"/copy", page, url.Values{"starts_at": {""}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-starts_at"`) || meetings() != n {
		t.Fatalf("copy without a start: %d, %d meetings (was %d)\n%.2000s", code, meetings(), n, body)
	}

	code, loc := sec.postForLocation(overview+"/copy", page, url.Values{"starts_at": {"2028-03-14T09:30"}})
	var newID int64
	if err := e.App.DB.Get(&newID, `SELECT max(id) FROM meetings`); err != nil {
		t.Fatal(err)
	}
	if code != http.StatusSeeOther || loc != fmt.Sprintf("/secretariat/meetings/%d/edit", newID) || newID == src.ID {
		t.Fatalf("copy: %d to %q (new meeting %d)", code, loc, newID)
	}
	var start time.Time
	var lifecycle string
	if err := e.App.DB.QueryRow(`SELECT starts_at, lifecycle FROM meetings WHERE id = $1`, newID).Scan(&start, &lifecycle); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if want := time.Date(2028, 3, 14, 9, 30, 0, 0, paris); !start.Equal(want) || lifecycle != "draft" {
		t.Errorf("the copy starts %s (%s), want %s as a draft", start, lifecycle, want)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1`, newID); n != 3 {
		t.Errorf("the copy has %d agenda items, want 3", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'meeting.copy' AND subject_id = $1 AND user_id = $2`, newID, e.Users["secretariat"].ID); n != 1 {
		t.Errorf("audit entries of the copy: %d", n)
	}
	_, edit := sec.get(loc)
	if !strings.Contains(edit, "The copy is saved as a draft") || !strings.Contains(edit, `value="Plenary 2027"`) {
		t.Errorf("the editor of the copy:\n%.3000s", edit)
	}

	// Deleting the draft asks first.
	draft := fmt.Sprintf("/secretariat/meetings/%d", newID)
	_, page = sec.get(draft)
	if !strings.Contains(page, "Delete this draft") {
		t.Fatalf("the draft offers no delete button:\n%.3000s", page)
	}
	code, confirm := sec.post(draft+"/delete", page, url.Values{})
	if code != http.StatusOK || !strings.Contains(confirm, "Yes, delete this draft") || dbCount(t, e, `SELECT count(*) FROM meetings WHERE id = $1`, newID) != 1 {
		t.Fatalf("first press: %d, meeting still there: %d\n%.3000s", code, dbCount(t, e, `SELECT count(*) FROM meetings WHERE id = $1`, newID), confirm)
	}
	code, loc = sec.postForLocation(draft+"/delete", confirm, url.Values{"confirm": {"yes"}})
	if code != http.StatusSeeOther || loc != "/secretariat" {
		t.Fatalf("confirmed: %d to %q", code, loc)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM meetings WHERE id = $1`, newID) + dbCount(t, e, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1`, newID); n != 0 {
		t.Errorf("%d rows of the deleted draft left", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'meeting.delete' AND subject_id = $1 AND user_id = $2`, newID, e.Users["secretariat"].ID); n != 1 {
		t.Errorf("audit entries of the delete: %d", n)
	}
	if _, dash := sec.get("/secretariat"); !strings.Contains(html.UnescapeString(dash), "The draft “Plenary 2027” is deleted.") {
		t.Errorf("no word of the deletion on the dashboard:\n%.3000s", dash)
	}
	if code, _ := sec.get(draft); code != http.StatusNotFound {
		t.Errorf("the deleted draft's page: %d", code)
	}

	// A published meeting is not deleted, even when the form is forged.
	_, page = sec.get(overview)
	code, body = sec.post(overview+"/delete", page, url.Values{"confirm": {"yes"}})
	if code != http.StatusConflict || !strings.Contains(body, "only a draft can be deleted") || dbCount(t, e, `SELECT count(*) FROM meetings WHERE id = $1`, src.ID) != 1 {
		t.Errorf("delete a published meeting: %d\n%.2000s", code, body)
	}

	// A focal point can do neither.
	fp := signInHTTP(t, e, "fp.fr@example.org")
	_, fpPage := fp.get("/delegation")
	n = meetings()
	if code, _ := fp.post(overview+"/copy", fpPage, url.Values{"starts_at": {"2028-03-14T09:30"}}); code == http.StatusSeeOther || meetings() != n {
		t.Errorf("a focal point copied a meeting: %d", code)
	}

	// In French.
	fr := frenchClient(t, e, "secretariat@example.org")
	_, page = fr.get(overview)
	showsFrench(t, "the overview", page, []string{"Copier dans un nouveau brouillon", "Début de la nouvelle réunion (heure de Europe/Paris)"})
	code, loc = fr.postForLocation(overview+"/copy", page, url.Values{"starts_at": {"2029-03-13T09:30"}})
	if code != http.StatusSeeOther {
		t.Fatalf("copy in French: %d", code)
	}
	_, page = fr.get(strings.TrimSuffix(loc, "/edit"))
	code, confirm = fr.post(strings.TrimSuffix(loc, "/edit")+"/delete", page, url.Values{})
	if code != http.StatusOK {
		t.Fatalf("asking to delete in French: %d", code)
	}
	showsFrench(t, "the confirmation", confirm, []string{"Supprimer ce brouillon et son ordre du jour (3 points) ? C'est définitif.", "Oui, supprimer ce brouillon"})
}
