package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestFoldNeverSplitsACharacter(t *testing.T) {
	// Shifting the text by one octet at a time puts every fold point inside
	// a two-, three- or four-octet character at some shift.
	for _, text := range []string{strings.Repeat("é", 200), strings.Repeat("…—", 100), strings.Repeat("€𝄞a", 80)} {
		for shift := 0; shift < 4; shift++ {
			line := "DESCRIPTION:" + strings.Repeat("x", shift) + text
			var b bytes.Buffer
			fold(&b, line)
			checkLines(t, b.Bytes())
			if got := unfold(b.Bytes()); len(got) != 1 || got[0] != line {
				t.Errorf("shift %d: unfolding does not restore the line", shift)
			}
		}
	}
}

func BenchmarkRender(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	e := Event{
		UID: "meeting-42@agora.example.org", Summary: longSummary, Description: longDescr, TimeZone: "Europe/Paris",
		Start: time.Date(2026, time.June, 15, 9, 30, 0, 0, loc), End: time.Date(2026, time.June, 16, 13, 0, 0, 0, loc),
		Organizer: Attendee{Email: "secretariat@agora.example.org"}, Attendees: []Attendee{{Email: "jean.dupont@example.fr"}},
	}
	for b.Loop() {
		if _, err := Render(e, MethodRequest); err != nil {
			b.Fatal(err)
		}
	}
}
