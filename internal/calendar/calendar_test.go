package calendar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

const (
	longSummary = "Réunion plénière des correspondants permanents — ordre du jour détaillé…"
	longDescr   = "Séance d'ouverture : allocution du Secrétaire exécutif, adoption de l'ordre du jour; " +
		"état des lieux des politiques en matière de drogues (Méditerranée, Europe du Sud-Est); " +
		"échanges sur la réduction des risques, la prévention et l'évaluation.\n" +
		"Deuxième journée : groupes de travail, synthèse, clôture — café, déjeuner offerts. " +
		"Chemin : C:\\Réunions\\2026; « accès » par l'entrée principale, près de la façade ouest."
)

func paris(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// plenary is a French-language invitation to a two-day meeting in Strasbourg.
func plenary(t *testing.T) Event {
	loc := paris(t)
	return Event{
		UID:         "meeting-42@agora.example.org",
		Sequence:    3,
		Summary:     longSummary,
		Description: longDescr,
		Location:    "Palais de l'Europe, salle 5; Strasbourg",
		URL:         "https://agora.example.org/meetings/42",
		Start:       time.Date(2026, time.June, 15, 9, 30, 0, 0, loc),
		End:         time.Date(2026, time.June, 16, 13, 0, 0, 0, loc),
		TimeZone:    "Europe/Paris",
		Stamp:       time.Date(2026, time.May, 1, 8, 0, 0, 0, time.UTC),
		Organizer:   Attendee{Name: "Secrétariat, Groupe Pompidou", Email: "secretariat@agora.example.org"},
		Attendees: []Attendee{
			{Name: "Dupont; Jean", Email: "jean.dupont@example.fr"},
			{Name: `Máire "Molly" O'Brien`, Email: "m.obrien@example.ie"},
		},
		Language: "fr",
	}
}

func render(t *testing.T, e Event, m Method) []byte {
	t.Helper()
	out, err := Render(e, m)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	checkLines(t, out)
	return out
}

// checkLines asserts what a mail client needs: CRLF everywhere, physical
// lines of at most 75 octets, each valid UTF-8 on its own.
func checkLines(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatal("output does not end with CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, line)
		}
	}
}

// unfold returns the logical content lines.
func unfold(out []byte) []string {
	s := strings.ReplaceAll(string(out), "\r\n ", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

func parse(t *testing.T, out []byte) (*ics.Calendar, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("golang-ical cannot parse the output: %v\n%s", err, out)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("got %d events, want 1", len(events))
	}
	return cal, events[0]
}

func calProp(cal *ics.Calendar, name ics.Property) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(name) {
			return p.Value
		}
	}
	return ""
}

func value(t *testing.T, ev *ics.VEvent, p ics.ComponentProperty) string {
	t.Helper()
	prop := ev.GetProperty(p)
	if prop == nil {
		t.Fatalf("no %s", p)
	}
	return prop.Value
}

func param(p *ics.IANAProperty, name ics.Parameter) string {
	if v := p.ICalParameters[string(name)]; len(v) == 1 {
		return v[0]
	}
	return ""
}

func TestRenderInvitation(t *testing.T) {
	e := plenary(t)
	out := render(t, e, MethodRequest)
	cal, ev := parse(t, out)

	for prop, want := range map[ics.Property]string{
		ics.PropertyVersion:   "2.0",
		ics.PropertyProductId: "-//Council of Europe//Agora//EN",
		ics.PropertyCalscale:  "GREGORIAN",
		ics.PropertyMethod:    "REQUEST",
	} {
		if got := calProp(cal, prop); got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
	for prop, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertyUniqueId:    e.UID,
		ics.ComponentPropertySequence:    "3",
		ics.ComponentPropertySummary:     longSummary,
		ics.ComponentPropertyDescription: longDescr,
		ics.ComponentPropertyLocation:    e.Location,
		ics.ComponentPropertyUrl:         e.URL,
		ics.ComponentPropertyStatus:      "CONFIRMED",
		ics.ComponentPropertyDtstamp:     "20260501T080000Z",
		ics.ComponentPropertyDtStart:     "20260615T093000",
		ics.ComponentPropertyDtEnd:       "20260616T130000",
	} {
		if got := value(t, ev, prop); got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
	if got := param(ev.GetProperty(ics.ComponentPropertySummary), ics.ParameterLanguage); got != "fr" {
		t.Errorf("SUMMARY LANGUAGE = %q, want fr", got)
	}
	for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
		if got := param(ev.GetProperty(p), ics.ParameterTzid); got != "Europe/Paris" {
			t.Errorf("%s TZID = %q, want Europe/Paris", p, got)
		}
	}
	if start, err := ev.GetStartAt(); err != nil || !start.Equal(e.Start) {
		t.Errorf("start = %v (%v), want %v", start, err, e.Start)
	}
	if tzs := cal.Timezones(); len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != "Europe/Paris" {
		t.Errorf("want one VTIMEZONE Europe/Paris, got %d", len(tzs))
	}

	org := ev.GetProperty(ics.ComponentPropertyOrganizer)
	if org.Value != "mailto:secretariat@agora.example.org" || param(org, ics.ParameterCn) != "Secrétariat, Groupe Pompidou" {
		t.Errorf("ORGANIZER = %q CN %q", org.Value, param(org, ics.ParameterCn))
	}
	attendees := ev.Attendees()
	if len(attendees) != 2 {
		t.Fatalf("got %d attendees, want 2", len(attendees))
	}
	wantCN := []string{"Dupont; Jean", "Máire 'Molly' O'Brien"} // DQUOTE cannot appear in a parameter
	for i, a := range attendees {
		if a.Email() != e.Attendees[i].Email || param(&a.IANAProperty, ics.ParameterCn) != wantCN[i] {
			t.Errorf("attendee %d = %q CN %q", i, a.Email(), param(&a.IANAProperty, ics.ParameterCn))
		}
		for p, want := range map[ics.Parameter]string{
			ics.ParameterRole: "REQ-PARTICIPANT", ics.ParameterParticipationStatus: "NEEDS-ACTION", ics.ParameterRsvp: "FALSE",
		} {
			if got := param(&a.IANAProperty, p); got != want {
				t.Errorf("attendee %d %s = %q, want %q", i, p, got, want)
			}
		}
	}

	// RFC 5545 quotes parameter values holding ":;,"; it has no backslash escapes there.
	text := strings.Join(unfold(out), "\n")
	for _, want := range []string{
		`ORGANIZER;CN="Secrétariat, Groupe Pompidou":mailto:secretariat@agora.example.org`,
		`ATTENDEE;CN="Dupont; Jean";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:jean.dupont@example.fr`,
		`ATTENDEE;CN=Máire 'Molly' O'Brien;PARTSTAT=`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestRenderMethods(t *testing.T) {
	tests := []struct {
		name          string
		method        Method
		cancelled     bool
		wantMethod    string
		wantStatus    string
		wantAttendees int
	}{
		{"download", MethodNone, false, "", "CONFIRMED", 0},
		{"download of a cancelled meeting", MethodNone, true, "", "CANCELLED", 0},
		{"publish", MethodPublish, false, "PUBLISH", "CONFIRMED", 0},
		{"invitation", MethodRequest, false, "REQUEST", "CONFIRMED", 2},
		{"cancellation of a meeting not marked cancelled", MethodCancel, false, "CANCEL", "CANCELLED", 2},
		{"cancellation", MethodCancel, true, "CANCEL", "CANCELLED", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plenary(t)
			e.Cancelled = tt.cancelled
			cal, ev := parse(t, render(t, e, tt.method))
			if got := calProp(cal, ics.PropertyMethod); got != tt.wantMethod {
				t.Errorf("METHOD = %q, want %q", got, tt.wantMethod)
			}
			if got := value(t, ev, ics.ComponentPropertyStatus); got != tt.wantStatus {
				t.Errorf("STATUS = %q, want %q", got, tt.wantStatus)
			}
			if got := len(ev.Attendees()); got != tt.wantAttendees {
				t.Errorf("got %d ATTENDEE, want %d", got, tt.wantAttendees)
			}
			if ev.GetProperty(ics.ComponentPropertyOrganizer) == nil {
				t.Error("no ORGANIZER")
			}
		})
	}
}

func TestRenderFoldsFrenchText(t *testing.T) {
	e := plenary(t)
	e.Summary = strings.Repeat(longSummary+" ; ", 4)
	out := render(t, e, MethodRequest)

	folded := 0
	for _, line := range strings.Split(string(out), "\r\n") {
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded < 10 {
		t.Fatalf("only %d continuation lines: the test text is too short to check folding", folded)
	}

	escape := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace
	lines := strings.Join(unfold(out), "\n")
	for _, want := range []string{
		"SUMMARY;LANGUAGE=fr:" + escape(e.Summary),
		"DESCRIPTION;LANGUAGE=fr:" + escape(longDescr),
	} {
		if !strings.Contains(lines, "\n"+want+"\n") {
			t.Errorf("unfolded output lacks %q", want)
		}
	}

	_, ev := parse(t, out)
	if got := value(t, ev, ics.ComponentPropertySummary); got != e.Summary {
		t.Errorf("SUMMARY round trip = %q, want %q", got, e.Summary)
	}
	if got := value(t, ev, ics.ComponentPropertyDescription); got != longDescr {
		t.Errorf("DESCRIPTION round trip = %q, want %q", got, longDescr)
	}
}

func TestRenderBlocksInjection(t *testing.T) {
	const evil = "ATTENDEE:mailto:evil@example.org"
	tests := []struct {
		name   string
		modify func(*Event)
	}{
		{"summary CRLF", func(e *Event) { e.Summary = "Réunion\r\n" + evil }},
		{"summary CR", func(e *Event) { e.Summary = "Réunion\r" + evil }},
		{"description LF", func(e *Event) { e.Description = "Ordre du jour\n" + evil }},
		{"location line separator", func(e *Event) { e.Location = "Strasbourg\u2028" + evil }},
		{"attendee name", func(e *Event) { e.Attendees[0].Name = "Jean\r\n" + evil }},
		{"attendee name with quote", func(e *Event) { e.Attendees[0].Name = "Jean\":mailto:evil@example.org\r\n" + evil }},
		{"organizer name", func(e *Event) { e.Organizer.Name = "Secrétariat\n" + evil }},
		{"UID-like text in summary", func(e *Event) { e.Summary = "x\r\nUID:other@example.org" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plenary(t)
			e.Attendees = e.Attendees[:1]
			tt.modify(&e)
			out := render(t, e, MethodRequest)

			var attendees, uids int
			for _, line := range unfold(out) {
				if strings.HasPrefix(line, "ATTENDEE") {
					attendees++
				}
				if strings.HasPrefix(line, "UID") {
					uids++
				}
			}
			if attendees != 1 || uids != 1 {
				t.Errorf("got %d ATTENDEE and %d UID lines, want 1 and 1:\n%s", attendees, uids, out)
			}
			_, ev := parse(t, out)
			if a := ev.Attendees(); len(a) != 1 || a[0].Email() != "jean.dupont@example.fr" {
				t.Errorf("parsed attendees: %v", a)
			}
		})
	}
}

func TestRenderKeepsLineBreaksAndDropsControls(t *testing.T) {
	e := plenary(t)
	e.Description = "Ligne 1\r\nLigne 2\rLigne 3\u2028Ligne 4\tfin\x00\x07\x7f"
	_, ev := parse(t, render(t, e, MethodNone))
	if got, want := value(t, ev, ics.ComponentPropertyDescription), "Ligne 1\nLigne 2\nLigne 3\nLigne 4\tfin"; got != want {
		t.Errorf("DESCRIPTION = %q, want %q", got, want)
	}
}

func TestRenderWithoutDaylightSaving(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	e := plenary(t)
	e.TimeZone = "Asia/Tokyo"
	e.Start = time.Date(2026, time.January, 20, 10, 0, 0, 0, tokyo)
	e.End = e.Start.Add(3 * time.Hour)
	cal, ev := parse(t, render(t, e, MethodPublish))

	if got := value(t, ev, ics.ComponentPropertyDtStart); got != "20260120T100000" {
		t.Errorf("DTSTART = %q", got)
	}
	tzs := cal.Timezones()
	if len(tzs) != 1 || len(tzs[0].Components) != 1 {
		t.Fatalf("want one VTIMEZONE with one observance, got %d timezones", len(tzs))
	}
	std, ok := tzs[0].Components[0].(*ics.Standard)
	if !ok {
		t.Fatalf("observance is %T, want STANDARD", tzs[0].Components[0])
	}
	for p, want := range map[ics.Property]string{ics.PropertyTzoffsetfrom: "+0900", ics.PropertyTzoffsetto: "+0900"} {
		if got := std.GetProperty(ics.ComponentProperty(p)); got == nil || got.Value != want {
			t.Errorf("%s = %v, want %s", p, got, want)
		}
	}
}

func TestRenderInUTC(t *testing.T) {
	for _, zone := range []string{"", "UTC", "Mars/Olympus_Mons"} {
		t.Run(zone, func(t *testing.T) {
			e := plenary(t)
			e.TimeZone = zone
			out := render(t, e, MethodNone)
			cal, ev := parse(t, out)
			if got := value(t, ev, ics.ComponentPropertyDtStart); got != "20260615T073000Z" {
				t.Errorf("DTSTART = %q, want 20260615T073000Z", got)
			}
			if len(cal.Timezones()) != 0 || bytes.Contains(out, []byte("TZID")) {
				t.Error("a UTC calendar has a VTIMEZONE or TZID")
			}
		})
	}
}

func TestRenderStampDefaultsToNow(t *testing.T) {
	e := plenary(t)
	e.Stamp = time.Time{}
	before := time.Now().Truncate(time.Second)
	_, ev := parse(t, render(t, e, MethodNone))
	stamp, err := ev.GetDtStampTime()
	if err != nil || stamp.Before(before) || stamp.After(time.Now()) {
		t.Errorf("DTSTAMP = %v (%v), want about now", stamp, err)
	}
}

func TestRenderRejectsInvalidEvents(t *testing.T) {
	tests := []struct {
		name   string
		method Method
		modify func(*Event)
	}{
		{"empty UID", MethodNone, func(e *Event) { e.UID = " " }},
		{"UID with newline", MethodNone, func(e *Event) { e.UID = "a\r\nb" }},
		{"end equals start", MethodNone, func(e *Event) { e.End = e.Start }},
		{"end before start", MethodNone, func(e *Event) { e.End = e.Start.Add(-time.Hour) }},
		{"no start", MethodNone, func(e *Event) { e.Start = time.Time{} }},
		{"negative sequence", MethodNone, func(e *Event) { e.Sequence = -1 }},
		{"unknown method", Method("REPLY"), func(*Event) {}},
		{"organizer with CRLF", MethodRequest, func(e *Event) {
			e.Organizer.Email = "secretariat@agora.example.org\r\nATTENDEE:mailto:evil@example.org"
		}},
		{"organizer with display name", MethodRequest, func(e *Event) { e.Organizer.Email = "Sec <sec@example.org>" }},
		{"attendee with quotes", MethodRequest, func(e *Event) { e.Attendees[0].Email = `"jean"@example.fr` }},
		{"attendee without domain", MethodRequest, func(e *Event) { e.Attendees[0].Email = "jean" }},
		{"attendee empty", MethodCancel, func(e *Event) { e.Attendees[0].Email = "" }},
		{"request without organizer", MethodRequest, func(e *Event) { e.Organizer = Attendee{} }},
		{"cancel without organizer", MethodCancel, func(e *Event) { e.Organizer = Attendee{} }},
		{"request without attendees", MethodRequest, func(e *Event) { e.Attendees = nil }},
		{"javascript URL", MethodNone, func(e *Event) { e.URL = "javascript:alert(1)" }},
		{"URL with newline", MethodNone, func(e *Event) { e.URL = "https://a.example/\r\nX:1" }},
		{"bad language", MethodNone, func(e *Event) { e.Language = "fr;X=1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plenary(t)
			tt.modify(&e)
			out, err := Render(e, tt.method)
			if !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("err = %v, want ErrInvalidEvent (output %q)", err, out)
			}
		})
	}
}
