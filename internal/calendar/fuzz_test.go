package calendar

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

// fuzzProperties are the properties Render may write in the VEVENT, with
// how many times each may appear (ATTENDEE is counted apart).
var fuzzProperties = map[string]bool{
	"UID": true, "DTSTAMP": true, "SEQUENCE": true, "DTSTART": true, "DTEND": true, "SUMMARY": false,
	"DESCRIPTION": false, "LOCATION": false, "URL": true, "STATUS": true, "ORGANIZER": true,
}

// FuzzRender renders a meeting whose texts and people's names are
// arbitrary (a title, a venue and a description typed by the secretariat,
// names typed by delegates) and asserts that the .ics stays what mail and
// calendar clients need: physical lines of at most 75 octets, each valid
// UTF-8 and ended by CRLF; one event with one UID; exactly the attendees
// given; texts and names that come back as text, never as new properties
// or parameters.
//
// Seeds live in testdata/fuzz/FuzzRender; run it longer with
//
//	go test -run '^$' -fuzz '^FuzzRender$' -fuzztime 1m ./internal/calendar
func FuzzRender(f *testing.F) {
	f.Add("Plénière", "Ordre du jour;\nclôture", "Palais de l'Europe, Strasbourg", "Secrétariat", "Dupont, Jean", `Máire "Molly" O'Brien`, "", byte(1), byte(2))
	f.Add("a\r\nATTENDEE:mailto:spy@example.org", "", "", "", "Eve\r\nATTENDEE:mailto:spy@example.org", "", "", byte(2), byte(1))
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	methods := []Method{MethodNone, MethodPublish, MethodRequest, MethodCancel}
	f.Fuzz(func(t *testing.T, summary, description, loc, organizer, a1, a2, a3 string, method, attendees byte) {
		m := methods[int(method)%len(methods)]
		e := Event{
			UID: "meeting-42@agora.example.org", Sequence: 2,
			Summary: summary, Description: description, Location: loc,
			URL:   "https://agora.example.org/meetings/42",
			Start: time.Date(2027, 3, 9, 9, 30, 0, 0, paris), End: time.Date(2027, 3, 10, 17, 0, 0, 0, paris),
			TimeZone: "Europe/Paris", Stamp: time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC),
			Organizer: Attendee{Name: organizer, Email: "secretariat@agora.example.org"},
			Language:  "fr",
		}
		for i, name := range []string{a1, a2, a3}[:int(attendees)%4] {
			e.Attendees = append(e.Attendees, Attendee{Name: name, Email: fmt.Sprintf("person%d@example.org", i+1)})
		}
		out, err := Render(e, m)
		if m == MethodRequest && len(e.Attendees) == 0 {
			if err == nil {
				t.Fatal("a REQUEST without attendees was rendered")
			}
			return
		}
		if err != nil {
			// Only UID, times, addresses, URL and language are refused, and
			// they are fixed here: free text must never stop a calendar.
			t.Fatalf("Render refused free text: %v", err)
		}

		fuzzCheckPhysicalLines(t, out)
		if n := strings.Count(string(out), "\r\nBEGIN:VEVENT\r\n"); n != 1 {
			t.Errorf("%d BEGIN:VEVENT lines\n%s", n, out)
		}

		cal, err := ics.ParseCalendar(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("golang-ical cannot parse the output: %v\n%s", err, out)
		}
		events := cal.Events()
		if len(events) != 1 {
			t.Fatalf("%d events\n%s", len(events), out)
		}
		ev := events[0]
		count := map[string]int{}
		var people []ics.IANAProperty
		for _, p := range ev.Properties {
			count[p.IANAToken]++
			if p.IANAToken == string(ics.ComponentPropertyAttendee) {
				people = append(people, p)
				continue
			}
			if _, ok := fuzzProperties[p.IANAToken]; !ok {
				t.Errorf("property %s was injected: %q\n%s", p.IANAToken, p.Value, out)
			}
		}
		for name, required := range fuzzProperties {
			if count[name] > 1 || required && count[name] != 1 {
				t.Errorf("%d %s properties\n%s", count[name], name, out)
			}
		}
		if uid := ev.GetProperty(ics.ComponentPropertyUniqueId); uid == nil || uid.Value != e.UID {
			t.Errorf("UID %+v, want %q", uid, e.UID)
		}

		for prop, given := range map[ics.ComponentProperty]string{
			ics.ComponentPropertySummary: summary, ics.ComponentPropertyDescription: description, ics.ComponentPropertyLocation: loc,
		} {
			want, got := cleanText(given), ""
			if p := ev.GetProperty(prop); p != nil {
				got = p.Value
			}
			if got != want {
				t.Errorf("%s reads back as %q, want %q", prop, got, want)
			}
		}

		wantPeople := 0
		if m == MethodRequest || m == MethodCancel {
			wantPeople = len(e.Attendees)
		}
		if len(people) != wantPeople {
			t.Fatalf("%d attendees for %s, want %d\n%s", len(people), m, wantPeople, out)
		}
		for i, p := range people {
			fuzzCheckPerson(t, &p, e.Attendees[i])
		}
		if org := ev.GetProperty(ics.ComponentPropertyOrganizer); org != nil {
			fuzzCheckPerson(t, org, e.Organizer)
		}
	})
}

// fuzzCheckPhysicalLines asserts CRLF line ends only, lines of at most 75
// octets, each valid UTF-8 on its own (RFC 5545 §3.1).
func fuzzCheckPhysicalLines(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatal("output does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if !utf8.Valid(line) {
			t.Errorf("line %d is not valid UTF-8 on its own: %q", i+1, line)
		}
	}
}

// fuzzCheckPerson asserts that an ORGANIZER or ATTENDEE carries the
// address given and the name as a single CN parameter, cleaned.
func fuzzCheckPerson(t *testing.T, p *ics.IANAProperty, a Attendee) {
	t.Helper()
	if p.Value != "mailto:"+a.Email {
		t.Errorf("%s is %q, want mailto:%s", p.IANAToken, p.Value, a.Email)
	}
	want := strings.TrimSpace(cleanParam(a.Name))
	cn := p.ICalParameters[string(ics.ParameterCn)]
	switch {
	case want == "" && len(cn) != 0:
		t.Errorf("%s has CN %q for an empty name", p.IANAToken, cn)
	case want != "" && !slices.Equal(cn, []string{want}):
		t.Errorf("%s CN reads back as %q, want %q", p.IANAToken, cn, want)
	}
	for k := range p.ICalParameters {
		switch ics.Parameter(k) {
		case ics.ParameterCn, ics.ParameterRole, ics.ParameterParticipationStatus, ics.ParameterRsvp:
		default:
			t.Errorf("%s has parameter %s: injected? %q", p.IANAToken, k, p.ICalParameters[k])
		}
	}
}
