package demo

import "time"

// calendarDay is a day in a meeting's time zone, at midnight.
type calendarDay struct{ t time.Time }

// meetingDay returns the first wd on or after now+days, in loc, moved by
// whole weeks away from now while it falls in a break when nobody meets.
func meetingDay(now time.Time, days int, wd time.Weekday, loc *time.Location) calendarDay {
	t := now.In(loc).AddDate(0, 0, days)
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, 1)
	}
	step := 7
	if days < 0 {
		step = -7
	}
	for inBreak(t) {
		t = t.AddDate(0, 0, step)
	}
	return calendarDay{t}
}

// inBreak reports whether t falls in the Christmas break or in August.
func inBreak(t time.Time) bool {
	switch t.Month() {
	case time.August:
		return true
	case time.December:
		return t.Day() >= 18
	case time.January:
		return t.Day() <= 6
	}
	return false
}

// at returns the time hh:mm on the day, plus offset days.
func (d calendarDay) at(offset, hh, mm int) time.Time {
	return time.Date(d.t.Year(), d.t.Month(), d.t.Day()+offset, hh, mm, 0, 0, d.t.Location())
}

// clock is a time of day on one of a meeting's days (0: the first).
type clock struct{ day, hh, mm int }

func (c clock) zero() bool { return c == clock{} }

func ptr[T any](v T) *T { return &v }
