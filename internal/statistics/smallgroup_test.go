package statistics

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func show(g Gender) string {
	s := ""
	for _, n := range g.Figures() {
		if n == nil {
			s += " -"
		} else {
			s += fmt.Sprintf(" %d", *n)
		}
	}
	return s[1:]
}

// The small-group rule: no figure from 1 to 4; when one figure alone
// would be withheld, the smallest shown one goes too (else total minus the
// others gives it back); a group under 5 shows nothing.
func TestSmallGroupRule(t *testing.T) {
	for _, c := range []struct {
		counts []int
		want   string
	}{
		{[]int{10, 7, 0, 0, 6}, "10 7 0 0 6"},
		{[]int{10, 7, 2, 0, 6}, "10 7 - - 6"}, // 2 withheld, and the 0 with it
		{[]int{10, 7, 2, 5, 6}, "10 7 - - 6"}, // 2 withheld, and the 5 with it
		{[]int{10, 7, 2, 3, 6}, "10 7 - - 6"}, // two withheld already
		{[]int{2, 1, 0, 0, 1}, "- - - - -"},   // four people
		{[]int{0, 0, 0, 0, 0}, "- - - - -"},   // nobody
		{[]int{5, 0, 0, 0, 0}, "5 0 0 0 0"},   // five people, all women: shown
		{[]int{6, 3, 1, 1, 1}, "6 - - - -"},   // the fixture of the web tests
	} {
		g := smallGroupRule(c.counts...)
		if got := show(g); got != c.want {
			t.Errorf("%v: shown %q, want %q", c.counts, got, c.want)
		}
		if g.Withheld != (c.want != show(Gender{Woman: &c.counts[0], Man: &c.counts[1], Other: &c.counts[2], Undisclosed: &c.counts[3], Unknown: &c.counts[4]})) {
			t.Errorf("%v: withheld = %v", c.counts, g.Withheld)
		}
		if g.Threshold != SmallGroup {
			t.Errorf("threshold %d", g.Threshold)
		}
	}
}

// A state named like a formula by an admin stays text in the exports.
func TestExportsDefuseFormulas(t *testing.T) {
	r := Report{From: "2025-01-01", To: "2025-12-31", States: []Invitee{{Code: "XX", Name: "=HYPERLINK(\"x\")"}}}
	var b strings.Builder
	if err := WriteCSV(&b, r, "en"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `'=HYPERLINK`) {
		t.Errorf("the formula is not defused:\n%s", b.String())
	}
}

func TestParseFilterDefaults(t *testing.T) {
	today := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ from, to, want string }{
		{"", "", "2025-01-01 2025-12-31"},
		{"2026-06-01", "", "2026-06-01 2026-12-03"},
		{"", "2025-06-30", "2025-01-01 2025-06-30"},
	} {
		f, err := ParseFilter(c.from, c.to, "", "en", today)
		if got := f.From.Format(time.DateOnly) + " " + f.To.Format(time.DateOnly); err != nil || got != c.want {
			t.Errorf("from %q to %q: %s %v, want %s", c.from, c.to, got, err, c.want)
		}
	}
}
