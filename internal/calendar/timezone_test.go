package calendar

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func TestVTimezoneEuropeParis(t *testing.T) {
	cal, _ := parse(t, render(t, plenary(t), MethodNone))
	tz := cal.Timezones()[0]

	type observance struct{ kind, start, from, to, rrule string }
	var got []observance
	for _, c := range tz.Components {
		var o observance
		var cb *ics.ComponentBase
		switch c := c.(type) {
		case *ics.Standard:
			o.kind, cb = "STANDARD", &c.ComponentBase
		case *ics.Daylight:
			o.kind, cb = "DAYLIGHT", &c.ComponentBase
		default:
			t.Fatalf("unexpected %T in VTIMEZONE", c)
		}
		get := func(p ics.Property) string {
			if prop := cb.GetProperty(ics.ComponentProperty(p)); prop != nil {
				return prop.Value
			}
			return ""
		}
		o.start, o.from, o.to, o.rrule = get(ics.PropertyDtstart), get(ics.PropertyTzoffsetfrom), get(ics.PropertyTzoffsetto), get(ics.PropertyRrule)
		got = append(got, o)
	}
	// The rules start the year before the meeting, so they cover all of 2026.
	want := []observance{
		{"DAYLIGHT", "20250330T020000", "+0100", "+0200", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"},
		{"STANDARD", "20251026T030000", "+0200", "+0100", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("VTIMEZONE observances\n got %v\nwant %v", got, want)
	}
}

// TestVTimezoneMatchesGo reads the VTIMEZONE the way a calendar client does
// and checks that it gives Go's UTC offset for every hour of the year of the
// meeting, for zones with regular, southern, half-hour, negative
// (Europe/Dublin), moving (Ramadan in Morocco) and no daylight saving time.
func TestVTimezoneMatchesGo(t *testing.T) {
	tests := []struct {
		zone string
		year int
	}{
		{"Europe/Paris", 2026},
		{"Europe/Dublin", 2026},
		{"Europe/Istanbul", 2026},
		{"America/New_York", 2026},
		{"America/Santiago", 2026},
		{"Australia/Sydney", 2026},
		{"Australia/Lord_Howe", 2026},
		{"Asia/Tokyo", 2026},
		{"Asia/Jerusalem", 2028},
		{"Africa/Casablanca", 2026},
		{"Asia/Kolkata", 2027},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			e := plenary(t)
			e.TimeZone = tt.zone
			e.Start = time.Date(tt.year, time.June, 15, 9, 30, 0, 0, loc)
			e.End = e.Start.Add(8 * time.Hour)
			out := render(t, e, MethodNone)
			cal, err := ics.ParseCalendar(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			onsets := clientOnsets(t, cal.Timezones()[0], tt.year+1)

			from := time.Date(tt.year, time.January, 1, 0, 0, 0, 0, loc)
			for h := from; h.Year() == tt.year; h = h.Add(time.Hour) {
				_, want := h.In(loc).Zone()
				if got, ok := clientOffset(onsets, h); !ok || got != want {
					t.Fatalf("at %s: VTIMEZONE gives %d (ok %v), Go gives %d\n%s", h.In(loc), got, ok, want, out)
				}
			}
		})
	}
}

type onset struct {
	at time.Time
	to int
}

// clientOnsets lists when each observance of tz takes effect, up to the end
// of year last, expanding the RRULEs Render writes.
func clientOnsets(t *testing.T, tz *ics.VTimezone, last int) []onset {
	t.Helper()
	var out []onset
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		switch c := c.(type) {
		case *ics.Standard:
			cb = &c.ComponentBase
		case *ics.Daylight:
			cb = &c.ComponentBase
		}
		get := func(p ics.Property) string {
			if prop := cb.GetProperty(ics.ComponentProperty(p)); prop != nil {
				return prop.Value
			}
			return ""
		}
		from, to := parseOffset(t, get(ics.PropertyTzoffsetfrom)), parseOffset(t, get(ics.PropertyTzoffsetto))
		start, err := time.ParseInLocation("20060102T150405", get(ics.PropertyDtstart), time.FixedZone("", from))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, onset{start, to})
		rule := get(ics.PropertyRrule)
		if rule == "" {
			continue
		}
		month, nth, weekday := parseRRule(t, rule)
		clock := start.Sub(time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location()))
		for y := start.Year() + 1; y <= last; y++ {
			day := nthWeekday(y, month, weekday, nth)
			out = append(out, onset{time.Date(y, month, day, 0, 0, 0, 0, start.Location()).Add(clock), to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// clientOffset is the offset of the last onset not after t.
func clientOffset(onsets []onset, t time.Time) (int, bool) {
	off, ok := 0, false
	for _, o := range onsets {
		if o.at.After(t) {
			break
		}
		off, ok = o.to, true
	}
	return off, ok
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("bad UTC offset %q", s)
	}
	n := func(i int) int {
		v, err := strconv.Atoi(s[i : i+2])
		if err != nil {
			t.Fatalf("bad UTC offset %q", s)
		}
		return v
	}
	sec := n(1)*3600 + n(3)*60
	if len(s) == 7 {
		sec += n(5)
	}
	if s[0] == '-' {
		return -sec
	}
	return sec
}

func parseRRule(t *testing.T, rule string) (month time.Month, nth int, weekday time.Weekday) {
	t.Helper()
	parts := map[string]string{}
	for _, kv := range strings.Split(rule, ";") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	m, err := strconv.Atoi(parts["BYMONTH"])
	if parts["FREQ"] != "YEARLY" || err != nil || len(parts) != 3 {
		t.Fatalf("unexpected RRULE %q", rule)
	}
	byday := parts["BYDAY"]
	nth, err = strconv.Atoi(byday[:len(byday)-2])
	days := map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday,
		"WE": time.Wednesday, "TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday}
	wd, ok := days[byday[len(byday)-2:]]
	if err != nil || !ok || nth == 0 {
		t.Fatalf("unexpected BYDAY in %q", rule)
	}
	return time.Month(m), nth, wd
}

// nthWeekday is the day of month of the nth (from the end when negative)
// weekday, found by listing them.
func nthWeekday(year int, month time.Month, weekday time.Weekday, nth int) int {
	var days []int
	for d := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC); d.Month() == month; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == weekday {
			days = append(days, d.Day())
		}
	}
	if nth < 0 {
		return days[len(days)+nth]
	}
	return days[nth-1]
}
