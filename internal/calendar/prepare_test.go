package calendar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// An event prepared once and addressed to each attendee is byte for byte
// what Render writes for it: every method, with and without a time zone,
// names that need quoting, folding or cleaning.
func TestPreparedEventIsTheRenderedOne(t *testing.T) {
	people := [][]Attendee{
		{{Name: "Dupont; Jean", Email: "jean.dupont@example.fr"}},
		{{Name: `Máire "Molly" O'Brien`, Email: "m.obrien@example.ie"}},
		{{Name: strings.Repeat("Ἀλέξανδρος ", 9) + "Παπαδόπουλος", Email: "a.p@example.gr"}},
		{{Name: "Line\r\nATTENDEE:mailto:spy@example.org", Email: "x@example.org"}},
		{{Email: "no.name@example.org"}, {Name: "Two, People", Email: "two@example.org"}},
	}
	for _, m := range []Method{MethodRequest, MethodCancel, MethodPublish, MethodNone} {
		for _, zone := range []string{"Europe/Paris", "UTC"} {
			e := plenary(t)
			e.TimeZone = zone
			p, err := Prepare(e, m)
			if err != nil {
				t.Fatalf("%s %s: Prepare: %v", m, zone, err)
			}
			for _, as := range people {
				e.Attendees = as
				want := render(t, e, m)
				got, err := p.For(as...)
				if err != nil {
					t.Fatalf("%s %s %v: For: %v", m, zone, as, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s %s %v:\n%s\nwant\n%s", m, zone, as, got, want)
				}
			}
		}
	}
}

func TestPreparedEventRefusesWhatRenderRefuses(t *testing.T) {
	e := plenary(t)
	p, err := Prepare(e, MethodRequest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.For(Attendee{Email: "a#b@example.org"}); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("attendee a#b@example.org: %v, want ErrInvalidEvent", err)
	}
	if _, err := p.For(); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("a REQUEST without attendees: %v, want ErrInvalidEvent", err)
	}
	e.End = e.Start
	if _, err := Prepare(e, MethodRequest); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("an event that ends when it starts: %v, want ErrInvalidEvent", err)
	}
}
