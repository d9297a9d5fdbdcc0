package calendar

import (
	"fmt"
	"time"
	// Embed the zone database so that VTIMEZONE and TZID work on hosts
	// without /usr/share/zoneinfo (scratch or distroless images).
	_ "time/tzdata"

	ics "github.com/arran4/golang-ical"
)

// A transition is an instant at which a zone's UTC offset changes.
type transition struct {
	at       time.Time // first instant with the new offset
	from, to int       // UTC offsets in seconds before and after
	name     string    // abbreviation after the change, e.g. "CEST"
}

// onset is the local wall-clock time at which the transition happens, as
// VTIMEZONE sub-components write it (in the offset in force before).
func (t transition) onset() time.Time { return t.at.In(time.FixedZone("", t.from)) }

// vtimezone describes loc from Go's zone database for the years the event
// touches. When every offset change in those years follows a yearly rule
// ("last Sunday of March at 02:00") that also holds the year before and the
// year after, each becomes a STANDARD or DAYLIGHT with an RRULE starting the
// year before, so clients get other years right too. Otherwise (rules that
// move, such as Ramadan in Morocco) it lists the actual changes of those
// years. A zone whose offset does not change gets a single STANDARD.
func vtimezone(loc *time.Location, start, end time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	first, last := start.In(loc).Year(), end.In(loc).Year()
	from := time.Date(first, time.January, 1, 0, 0, 0, 0, loc)
	trs := transitions(loc, from, time.Date(last+1, time.January, 1, 0, 0, 0, 0, loc))

	if len(trs) == 0 {
		name, off := start.In(loc).Zone()
		addObservance(tz, false, time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC), off, off, name, "")
		return tz
	}

	std := trs[0].from
	for _, t := range trs {
		std = min(std, t.to)
	}

	if rules, ok := yearlyRules(loc, trs, first-1, last+1); ok {
		for _, r := range rules {
			t := r.in(first - 1)
			addObservance(tz, t.to > std, t.onset(), t.from, t.to, t.name, r.rrule())
		}
		return tz
	}

	name, off := from.Zone()
	addObservance(tz, off > std, from, off, off, name, "")
	for _, t := range trs {
		addObservance(tz, t.to > std, t.onset(), t.from, t.to, t.name, "")
	}
	return tz
}

// addObservance adds a STANDARD or DAYLIGHT sub-component starting at the
// wall-clock time of onset.
func addObservance(tz *ics.VTimezone, daylight bool, onset time.Time, from, to int, name, rrule string) {
	var cb *ics.ComponentBase
	if daylight {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		cb = &d.ComponentBase
	} else {
		cb = &tz.AddStandard().ComponentBase
	}
	cb.SetProperty(ics.ComponentPropertyDtStart, onset.Format(localFormat))
	cb.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(from))
	cb.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(to))
	if name != "" {
		cb.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
	if rrule != "" {
		cb.AddRrule(rrule)
	}
}

// transitions returns the offset changes of loc in [from, to). It probes
// once a day and bisects to the second, so it would miss only an offset that
// changes and changes back within a day, which no zone does.
func transitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	for t := from; t.Before(to); {
		next := t.Add(24 * time.Hour)
		before := offset(loc, t)
		if offset(loc, next) == before {
			t = next
			continue
		}
		lo, hi := t, next // offset(lo) == before != offset(hi)
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if offset(loc, mid) == before {
				lo = mid
			} else {
				hi = mid
			}
		}
		if !hi.Before(to) {
			break
		}
		name, after := hi.In(loc).Zone()
		out = append(out, transition{at: hi, from: before, to: after, name: name})
		t = hi
	}
	return out
}

func offset(loc *time.Location, t time.Time) int {
	_, off := t.In(loc).Zone()
	return off
}

// A yearlyRule is an offset change on the nth (or, when nth is -1, the last)
// given weekday of a month, at a wall-clock time.
type yearlyRule struct {
	month    time.Month
	weekday  time.Weekday
	nth      int
	clock    time.Duration // since local midnight, in the offset before
	from, to int
	loc      *time.Location
}

// in returns the rule's transition in year, with the zone's name for it.
func (r yearlyRule) in(year int) transition {
	var day int
	if r.nth > 0 {
		first := time.Date(year, r.month, 1, 0, 0, 0, 0, time.UTC).Weekday()
		day = 1 + (int(r.weekday)-int(first)+7)%7 + (r.nth-1)*7
	} else {
		end := time.Date(year, r.month+1, 0, 0, 0, 0, 0, time.UTC)
		day = end.Day() - (int(end.Weekday())-int(r.weekday)+7)%7
	}
	at := time.Date(year, r.month, day, 0, 0, 0, 0, time.FixedZone("", r.from)).Add(r.clock)
	name, _ := at.In(r.loc).Zone()
	return transition{at: at, from: r.from, to: r.to, name: name}
}

// holds reports whether the zone really changes offset as the rule says in year.
func (r yearlyRule) holds(year int) bool {
	at := r.in(year).at
	return offset(r.loc, at.Add(-time.Second)) == r.from && offset(r.loc, at) == r.to
}

func (r yearlyRule) rrule() string {
	days := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(r.month), r.nth, days[r.weekday])
}

// yearlyRules finds, for each transition, a yearly rule that reproduces it
// in every year from first to last; ok is false if one has none. Transitions
// of several years that share a rule yield it once.
func yearlyRules(loc *time.Location, trs []transition, first, last int) (rules []yearlyRule, ok bool) {
	seen := map[yearlyRule]bool{}
	for _, t := range trs {
		rule, found := ruleFor(loc, t, first, last)
		if !found {
			return nil, false
		}
		if !seen[rule] {
			seen[rule] = true
			rules = append(rules, rule)
		}
	}
	return rules, true
}

func ruleFor(loc *time.Location, t transition, first, last int) (yearlyRule, bool) {
	local := t.onset()
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
	base := yearlyRule{
		month:   local.Month(),
		weekday: local.Weekday(),
		clock:   local.Sub(midnight),
		from:    t.from,
		to:      t.to,
		loc:     loc,
	}
	// "Last Sunday" is the usual rule for a date in the month's last week;
	// otherwise, or if it does not hold, try "nth Sunday".
	var candidates []int
	if daysIn(local.Month(), local.Year())-local.Day() < 7 {
		candidates = append(candidates, -1)
	}
	if nth := (local.Day()-1)/7 + 1; nth <= 4 {
		candidates = append(candidates, nth)
	}
	for _, nth := range candidates {
		r := base
		r.nth = nth
		if allYears(r, first, last) {
			return r, true
		}
	}
	return yearlyRule{}, false
}

func allYears(r yearlyRule, first, last int) bool {
	for y := first; y <= last; y++ {
		if !r.holds(y) {
			return false
		}
	}
	return true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// utcOffset formats seconds east of UTC as RFC 5545 UTC-OFFSET: +0100, -0330.
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
