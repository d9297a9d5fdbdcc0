package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
)

func publishedMeeting(t *testing.T, e *apptest.Env, public bool) meeting.Meeting {
	t.Helper()
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": "Plenary of Permanent Correspondents",
		"title_fr":       "Réunion plénière des correspondants permanents — quatre-vingt-quinzième session, ordre du jour détaillé",
		"description_fr": "Première réunion de l'année ; échanges sur la stratégie.",
		"starts_at":      "2027-03-09T09:30:00+01:00", "ends_at": "2027-03-10T17:00:00+01:00",
		"venue": "Palais de l'Europe, Strasbourg", "public": public,
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Opening of the meeting", "title_fr": "Ouverture de la réunion",
		"starts_at": "2027-03-09T09:30:00+01:00", "ends_at": "2027-03-09T10:00:00+01:00"}, 201, nil)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Adoption of the agenda", "title_fr": "Adoption de l'ordre du jour",
		"speakers": []map[string]string{{"name": "Élise Müller", "function": "Présidente"}}}, 201, nil)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, &m)
	return m
}

func getPage(t *testing.T, e *apptest.Env, path string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String(), resp.Header
}

func inOrder(t *testing.T, body string, words ...string) {
	t.Helper()
	last := -1
	for _, w := range words {
		i := strings.Index(body, w)
		if i < 0 {
			t.Errorf("page lacks %q", w)
			return
		}
		if i < last {
			t.Errorf("%q appears before the words listed ahead of it (%v)", w, words)
		}
		last = i
	}
}

func TestMeetingPageInFrenchAndEnglish(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	path := fmt.Sprintf("/meetings/%d", m.ID)

	code, fr, _ := getPage(t, e, path+"?lang=fr")
	if code != 200 {
		t.Fatalf("French page: %d", code)
	}
	for _, want := range []string{`<html lang="fr">`, "Réunion plénière des correspondants permanents", "mardi 9 mars 2027, 09:30",
		"mercredi 10 mars 2027, 17:00", "Ouverture de la réunion", "Adoption de l&#39;ordre du jour", "Élise Müller",
		"Ordre du jour", "Europe/Paris", "Français"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French page lacks %q", want)
		}
	}
	inOrder(t, fr, ">Albanie<", ">Allemagne<", ">Andorre<", ">Autriche<", ">Espagne<", ">Estonie<")

	code, en, _ := getPage(t, e, path+"?lang=en")
	if code != 200 {
		t.Fatalf("English page: %d", code)
	}
	for _, want := range []string{`<html lang="en">`, "Plenary of Permanent Correspondents", "Tuesday 9 March 2027, 09:30", "Opening of the meeting"} {
		if !strings.Contains(en, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	inOrder(t, en, ">Albania<", ">Andorra<", ">Austria<", ">Germany<")

	// Accept-Language picks French when nothing else says.
	if _, body, _ := getPage(t, e, path, "Accept-Language", "fr-CH, fr;q=0.9, en;q=0.8"); !strings.Contains(body, "mardi 9 mars 2027") {
		t.Error("Accept-Language: fr not honoured")
	}
	// A language chosen with ?lang= sticks through the cookie.
	_, _, h := getPage(t, e, path+"?lang=fr")
	cookie := strings.Join(h.Values("Set-Cookie"), "; ")
	if !strings.Contains(cookie, "agora_lang=fr") {
		t.Fatalf("no language cookie: %q", cookie)
	}
	if _, body, _ := getPage(t, e, path, "Cookie", "agora_lang=fr", "Accept-Language", "en"); !strings.Contains(body, "mardi") {
		t.Error("language cookie not honoured over Accept-Language")
	}

	if code, body, _ := getPage(t, e, "/meetings?lang=fr"); code != 200 || !strings.Contains(body, "Réunions à venir") {
		t.Errorf("meetings list: %d", code)
	}
	code, print, _ := getPage(t, e, path+"/agenda/print?lang=fr")
	if code != 200 || !strings.Contains(print, "Ouverture de la réunion") || !strings.Contains(print, "09:30") {
		t.Errorf("printable agenda: %d", code)
	}
	code, pdf, h := getPage(t, e, path+"/agenda.pdf?lang=fr")
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") || len(pdf) < 1000 {
		t.Errorf("agenda PDF: %d %s, %d bytes", code, h.Get("Content-Type"), len(pdf))
	}
}

// The agenda PDF keeps names in every script the member states write in,
// in both languages: entered through the API, read back by a PDF reader.
func TestAgendaPDFKeepsEuropeanNames(t *testing.T) {
	e := apptest.Start(t)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": "Expert group in Łódź", "title_fr": "Groupe d'experts à Łódź",
		"starts_at": "2027-04-12T09:00:00+02:00", "ends_at": "2027-04-12T17:00:00+02:00",
		"venue": "Uniwersytet Łódzki, Łódź", "public": true,
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{
		"title_en": "Reports from Ελλάδα, Україна and Република Српска", "title_fr": "Rapports de Ελλάδα, Україна et Република Српска",
		"notes_en": "Presented by Çağrı Şahin", "notes_fr": "Présenté par Çağrı Şahin",
		"speakers": []map[string]string{{"name": "Ștefan Țăran", "function": "Președinte"}},
	}, 201, nil)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)

	for lang, want := range map[string][]string{
		"en": {"Expert group in Łódź", "Uniwersytet Łódzki, Łódź", "Reports from Ελλάδα, Україна and Република Српска",
			"Presented by Çağrı Şahin", "Ștefan Țăran (Președinte)"},
		"fr": {"Groupe d'experts à Łódź", "Uniwersytet Łódzki, Łódź", "Rapports de Ελλάδα, Україна et Република Српска",
			"Présenté par Çağrı Şahin", "Ștefan Țăran (Președinte)"},
	} {
		code, pdf, h := getPage(t, e, fmt.Sprintf("/meetings/%d/agenda.pdf?lang=%s", m.ID, lang))
		if code != 200 || h.Get("Content-Type") != "application/pdf" {
			t.Fatalf("agenda PDF (%s): %d %s", lang, code, h.Get("Content-Type"))
		}
		text := pdftest.Text(t, []byte(pdf))
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the %s agenda PDF reads %q\nwithout %q", lang, text, w)
			}
		}
	}
}

func TestHiddenMeetingsAreNotFoundOnPages(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	var draft meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{"kind": "bureau", "title_en": "Secret draft",
		"starts_at": "2027-05-01T09:00:00+02:00", "ends_at": "2027-05-01T12:00:00+02:00", "public": true}, 201, &draft)
	for _, id := range []int64{m.ID, draft.ID, 999999} {
		for _, suffix := range []string{"", "/agenda/print", "/agenda.pdf", "/calendar.ics"} {
			code, body, _ := getPage(t, e, fmt.Sprintf("/meetings/%d%s", id, suffix))
			if code != 404 || strings.Contains(body, "Secret draft") || strings.Contains(body, "Plenary") {
				t.Errorf("/meetings/%d%s: %d for the public", id, suffix, code)
			}
		}
	}
	if _, body, _ := getPage(t, e, "/meetings"); strings.Contains(body, "Secret draft") || strings.Contains(body, "Plenary") {
		t.Error("the public list shows a draft or a non-public meeting")
	}
}

func calendarOf(t *testing.T, e *apptest.Env, id int64, lang string) (*ics.VEvent, string) {
	t.Helper()
	code, body, h := getPage(t, e, fmt.Sprintf("/meetings/%d/calendar.ics?lang=%s", id, lang))
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar.ics: %d %s", code, h.Get("Content-Type"))
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("calendar does not parse: %v\n%s", err, body)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	return events[0], body
}

func prop(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func TestCalendarFile(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	ev, raw := calendarOf(t, e, m.ID, "fr")
	if prop(ev, ics.ComponentPropertySummary) != m.TitleFR {
		t.Errorf("SUMMARY %q, want the French title", prop(ev, ics.ComponentPropertySummary))
	}
	for _, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
	uid, seq := prop(ev, ics.ComponentPropertyUniqueId), prop(ev, ics.ComponentPropertySequence)
	start := ev.GetProperty(ics.ComponentPropertyDtStart)
	if start == nil || start.ICalParameters["TZID"] == nil || start.ICalParameters["TZID"][0] != "Europe/Paris" || start.Value != "20270309T093000" {
		t.Errorf("DTSTART %+v", start)
	}
	if !strings.Contains(raw, "BEGIN:VTIMEZONE") || prop(ev, ics.ComponentPropertyLocation) != "Palais de l'Europe, Strasbourg" {
		t.Error("no VTIMEZONE or wrong LOCATION")
	}
	if !strings.Contains(prop(ev, ics.ComponentPropertyUrl), fmt.Sprintf("/meetings/%d", m.ID)) {
		t.Errorf("URL %q", prop(ev, ics.ComponentPropertyUrl))
	}

	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"venue": "Agora, Strasbourg"}, 200, nil)
	ev2, _ := calendarOf(t, e, m.ID, "en")
	if prop(ev2, ics.ComponentPropertyUniqueId) != uid || num(prop(ev2, ics.ComponentPropertySequence)) <= num(seq) {
		t.Errorf("after a venue change: UID %q→%q, SEQUENCE %s→%s", uid, prop(ev2, ics.ComponentPropertyUniqueId), seq, prop(ev2, ics.ComponentPropertySequence))
	}
	if prop(ev2, ics.ComponentPropertySummary) != m.TitleEN {
		t.Errorf("English SUMMARY %q", prop(ev2, ics.ComponentPropertySummary))
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/cancel", m.ID), "secretariat", map[string]any{"reason": "Salle indisponible"}, 200, nil)
	ev3, _ := calendarOf(t, e, m.ID, "fr")
	if prop(ev3, ics.ComponentPropertyStatus) != "CANCELLED" || num(prop(ev3, ics.ComponentPropertySequence)) <= num(prop(ev2, ics.ComponentPropertySequence)) {
		t.Errorf("after cancelling: STATUS %q SEQUENCE %s", prop(ev3, ics.ComponentPropertyStatus), prop(ev3, ics.ComponentPropertySequence))
	}
}

// num reads a SEQUENCE as a number (as text "10" would sort before "9").
func num(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
