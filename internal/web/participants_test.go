package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/registration"
)

const participantsSecretLink = "https://meet.example.org/participants-secret-room"

// participantsMeeting publishes a public hybrid meeting (with an online
// link) for member and partner states, two seats each, and registers:
// consenting people of four member states and two partner states, one
// FR participant who did not consent, and one FR participant beyond the
// seats (waitlisted). It returns the meeting and the registrations by
// first name.
func participantsMeeting(t *testing.T, e *apptest.Env) (meeting.Meeting, map[string]registration.Result) {
	t.Helper()
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": "Expert group on prevention", "title_fr": "Groupe d'experts sur la prévention",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "format": "hybrid", "online_url": participantsSecretLink, "public": true,
		"audience": "custom", "invited_states": []string{"FR", "DE", "GR", "PL", "UA", "DZ", "EG"},
		"seats_per_state": 2, "funded_seats_per_state": 0,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	people := []struct {
		state, first, last, function, organisation, role string
		consent                                          bool
	}{
		{"FR", "Ștefan", "Țăran", "Łódź liaison", "Ελλάδα Україна", "head", true},
		{"FR", "Noé", "Sansaccord", "Analyst", "Ministère", "delegate", false},
		{"FR", "Wanda", "Attente", "Analyst", "Ministère", "delegate", true}, // third for two seats: waitlisted
		{"DE", "Çağrı", "Şahin", "Referent", "Bundesministerium", "delegate", true},
		{"GR", "Ελένη", "Παπαδοπούλου", "Σύμβουλος", "Υπουργείο Υγείας", "adviser", true},
		{"PL", "Łucja", "Kowalska", "Ekspert", "Krajowe Biuro", "expert", true},
		{"UA", "Олена", "Коваленко", "Експерт", "Україна", "delegate", true},
		{"DZ", "Amina", "Benali", "Directrice", "Ministère de la santé", "head", true},
		{"EG", "Karim", "Mansour", "Adviser", "Ministry of Health", "adviser", true},
	}
	regs := map[string]registration.Result{}
	for i, p := range people {
		var r registration.Result
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{
			"state": p.state, "first_name": p.first, "last_name": p.last, "email": fmt.Sprintf("person%d@participants.example.org", i),
			"function": p.function, "organisation": p.organisation, "delegation_role": p.role, "language": "en",
			"list_consent": p.consent,
		}, 201, &r)
		regs[p.first] = r
	}
	if regs["Wanda"].Status != registration.StatusWaitlisted || regs["Noé"].Status != registration.StatusConfirmed {
		t.Fatalf("fixture: Wanda %s, Noé %s", regs["Wanda"].Status, regs["Noé"].Status)
	}
	return m, regs
}

// absentFromList checks what the list must never show: people who did not
// consent or hold no seat, email addresses, the online link.
func absentFromList(t *testing.T, what, body string) {
	t.Helper()
	for _, no := range []string{"Noé", "Sansaccord", "Wanda", "Attente", "participants.example.org", "@", participantsSecretLink, "secret-room"} {
		if strings.Contains(body, no) {
			t.Errorf("%s shows %q", what, no)
		}
	}
}

// The list of participants, page and PDF, in English and French: member
// states then partner states, each in the alphabet of the language, each
// person with function, organisation and role; only confirmed people who
// consented; no email, no online link, even for the secretariat.
func TestParticipantsListPageAndPDF(t *testing.T) {
	e := apptest.Start(t)
	m, _ := participantsMeeting(t, e)
	path := fmt.Sprintf("/meetings/%d/participants", m.ID)

	code, en, _ := getPage(t, e, path+"?lang=en")
	if code != 200 {
		t.Fatalf("English page: %d %s", code, en)
	}
	inOrder(t, en, "List of participants", "Member states",
		"France", "Ștefan Țăran", "Łódź liaison", "Ελλάδα Україна", "Head of delegation",
		"Germany", "Çağrı Şahin", "Greece", "Ελένη Παπαδοπούλου", "<td>Adviser</td>",
		"Poland", "Łucja Kowalska", "<td>Expert</td>", "Ukraine", "Олена Коваленко",
		"Partner states", "Algeria", "Amina Benali", "Egypt", "Karim Mansour")
	absentFromList(t, "English page", en)

	code, fr, _ := getPage(t, e, path+"?lang=fr")
	if code != 200 {
		t.Fatalf("French page: %d", code)
	}
	inOrder(t, fr, `<html lang="fr">`, "Liste des participants", "États membres",
		"Allemagne", "Çağrı Şahin", "<td>Délégué",
		"France", "Ștefan Țăran", "Chef de délégation",
		"Grèce", "Pologne", "Ukraine",
		"États partenaires", "Algérie", "Amina Benali", "Égypte", "Karim Mansour")
	absentFromList(t, "French page", fr)

	// The PDF, read back by a PDF reader: the names in their own script.
	for _, lang := range []string{"en", "fr"} {
		code, body, h := getPage(t, e, path+".pdf?lang="+lang)
		if code != 200 || h.Get("Content-Type") != "application/pdf" {
			t.Fatalf("PDF (%s): %d %s", lang, code, h.Get("Content-Type"))
		}
		text := pdftest.Text(t, []byte(body))
		want := map[string][]string{
			"en": {"List of participants", "Member states", "France", "Ștefan Țăran", "Head of delegation", "Łódź liaison, Ελλάδα Україна",
				"Germany", "Çağrı Şahin", "Greece", "Ελένη Παπαδοπούλου", "Ukraine", "Олена Коваленко", "Partner states", "Algeria", "Egypt"},
			"fr": {"Liste des participants", "États membres", "Allemagne", "Çağrı Şahin", "France", "Ștefan Țăran", "Chef de délégation",
				"Łódź liaison, Ελλάδα Україна", "Grèce", "Pologne", "Ukraine", "États partenaires", "Algérie", "Égypte"},
		}[lang]
		inOrder(t, text, want...)
		absentFromList(t, "PDF ("+lang+")", text)
	}

	// Signed in as the secretariat, who may see the online link elsewhere:
	// still not on the list.
	staff := signInHTTP(t, e, "secretariat@example.org")
	for _, p := range []string{path, path + "?lang=fr"} {
		code, body := staff.get(p)
		if code != 200 {
			t.Fatalf("GET %s as the secretariat: %d", p, code)
		}
		absentFromList(t, p+" as the secretariat", body)
	}
	_, pdf := staff.get(path + ".pdf")
	absentFromList(t, "PDF as the secretariat", pdftest.Text(t, []byte(pdf)))

	// Both meeting pages lead to it.
	if _, body, _ := getPage(t, e, fmt.Sprintf("/meetings/%d?lang=fr", m.ID)); !strings.Contains(body, path+"?lang=fr") ||
		!strings.Contains(body, "Liste des participants") {
		t.Error("the public meeting page has no link to the list of participants")
	}
	if _, body := staff.get(fmt.Sprintf("/secretariat/meetings/%d?lang=en", m.ID)); !strings.Contains(body, path+"?lang=en") ||
		!strings.Contains(body, path+".pdf?lang=en") {
		t.Error("the secretariat's meeting page has no link to the list of participants and its PDF")
	}
}

// After the meeting, ?attended=1 keeps those who were checked in, on the
// page and in the PDF; before it, there is no such view.
func TestParticipantsListAttendedAfterTheMeeting(t *testing.T) {
	e := apptest.Start(t)
	m, regs := participantsMeeting(t, e)
	path := fmt.Sprintf("/meetings/%d/participants", m.ID)
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/check-in", regs["Çağrı"].ID), "secretariat", nil, 200, nil)

	// Before the meeting: everyone, and no offer to narrow the list.
	_, before, _ := getPage(t, e, path+"?attended=1")
	if !strings.Contains(before, "Ștefan Țăran") || !strings.Contains(before, "Çağrı Şahin") {
		t.Error("before the meeting, ?attended=1 narrows the list")
	}
	if strings.Contains(before, "Show only those who attended") || strings.Contains(before, "&amp;attended=1\">") {
		t.Error("before the meeting, the page offers to show those who attended")
	}

	if _, err := e.App.DB.Exec(`UPDATE meetings SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 day'
		WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	_, all, _ := getPage(t, e, path)
	if !strings.Contains(all, "Ștefan Țăran") || !strings.Contains(all, path+"?lang=en&amp;attended=1") {
		t.Error("after the meeting, the full list lacks someone or the link to those who attended")
	}
	for _, lang := range []string{"en", "fr"} {
		code, page, _ := getPage(t, e, path+"?attended=1&lang="+lang)
		if code != 200 {
			t.Fatalf("attended (%s): %d", lang, code)
		}
		if !strings.Contains(page, "Çağrı Şahin") {
			t.Errorf("attended (%s): the person checked in is missing", lang)
		}
		for _, no := range []string{"Ștefan", "Ελένη", "Amina", "Олена"} {
			if strings.Contains(page, no) {
				t.Errorf("attended (%s): %s was not checked in but is listed", lang, no)
			}
		}
		note := map[string]string{"en": "who attended are shown", "fr": "qui étaient présents"}[lang]
		if !strings.Contains(page, note) || !strings.Contains(page, fmt.Sprintf(`href="%s?lang=%s"`, path, lang)) {
			t.Errorf("attended (%s): no note or no way back to everyone", lang)
		}
		_, pdf, _ := getPage(t, e, path+".pdf?attended=1&lang="+lang)
		text := pdftest.Text(t, []byte(pdf))
		if !strings.Contains(text, "Çağrı Şahin") || strings.Contains(text, "Ștefan") || strings.Contains(text, "Amina") {
			t.Errorf("attended PDF (%s): %s", lang, text)
		}
	}
}

// The list is seen as the meeting is: a non-public meeting only by people
// signed in, a draft by the secretariat alone; others get "not found".
func TestParticipantsListAccess(t *testing.T) {
	e := apptest.Start(t)
	hidden := publishedMeeting(t, e, false)
	var draft meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "bureau", "title_en": "Draft bureau", "title_fr": "Bureau en projet",
		"starts_at": "2027-05-04T09:30:00+02:00", "ends_at": "2027-05-04T17:00:00+02:00", "public": true,
	}, 201, &draft)
	for _, id := range []int64{hidden.ID, draft.ID} {
		for _, suffix := range []string{"", ".pdf", "?lang=fr", ".pdf?lang=fr"} {
			p := fmt.Sprintf("/meetings/%d/participants%s", id, suffix)
			if code, _, _ := getPage(t, e, p); code != 404 {
				t.Errorf("GET %s as a visitor: %d, want 404", p, code)
			}
		}
	}
	fp := signInHTTP(t, e, "fp.de@example.org")
	if code, _ := fp.get(fmt.Sprintf("/meetings/%d/participants", hidden.ID)); code != 200 {
		t.Errorf("a signed-in focal point on a non-public meeting: %d, want 200", code)
	}
	if code, _ := fp.get(fmt.Sprintf("/meetings/%d/participants.pdf", draft.ID)); code != 404 {
		t.Errorf("a focal point on a draft: %d, want 404", code)
	}
	staff := signInHTTP(t, e, "secretariat@example.org")
	if code, _ := staff.get(fmt.Sprintf("/meetings/%d/participants", draft.ID)); code != 200 {
		t.Errorf("the secretariat on a draft: %d, want 200", code)
	}
	if code, _ := e.Do("GET", fmt.Sprintf("/meetings/%d/participants", hidden.ID), "", nil); code != 404 {
		t.Errorf("anonymous: %d", code)
	}
}
