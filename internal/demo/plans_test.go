package demo

import (
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/state"
)

// Every plan names people who exist, in states of the roster.
func TestPlansNamePeopleWhoExist(t *testing.T) {
	roster := map[string]bool{}
	for _, st := range state.Roster {
		roster[st.Code] = true
	}
	for _, o := range organisation.Roster {
		roster[o.Code] = true
	}
	for code, d := range delegations {
		if !roster[code] {
			t.Errorf("%s is not in the roster", code)
		}
		if len(d.People) < 3 {
			t.Errorf("%s has %d people, want at least 3", code, len(d.People))
		}
	}
	all := append(append(append([]delegationPlan{}, plenaryPlans...), webinarPlans...), expertPlans...)
	for _, p := range all {
		d, ok := delegations[p.code]
		if !ok || p.from+len(p.via) > len(d.People) {
			t.Errorf("plan %+v names people %s does not have", p, p.code)
		}
		for _, via := range []byte(p.via) {
			if _, ok := map[byte]bool{viaFocalPoint: true, viaSecretariat: true, viaLink: true}[via]; !ok {
				t.Errorf("plan %+v: unknown way %q", p, via)
			}
		}
	}
}

func TestMailbox(t *testing.T) {
	for in, want := range map[string]string{
		"Wiśniewska": "wisniewska", "Yılmaz": "yilmaz", "O'Brien": "obrien", "Guðrún": "gudrun",
		"Sørensen": "sorensen", "García Fernández": "garcia-fernandez", "de Vries": "de-vries",
		"Bērziņa": "berzina", "Leïla": "leila", "Ayşe": "ayse", "Hodžić": "hodzic",
	} {
		if got := mailbox(in); got != want {
			t.Errorf("mailbox(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMeetingDaysAvoidBreaks(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, paris)
	d := meetingDay(now, 24, time.Thursday, paris) // 24 December …
	if got := d.at(0, 10, 0).Format("Mon 2006-01-02 15:04"); got != "Thu 2027-01-07 10:00" {
		t.Errorf("webinar day = %s, want the first Thursday after the Christmas break", got)
	}
	summer := time.Date(2027, 9, 20, 12, 0, 0, 0, paris)
	if got := meetingDay(summer, -45, time.Monday, paris).t.Format("2006-01-02"); got != "2027-07-26" {
		t.Errorf("a past meeting in August moves back into July, got %s", got)
	}
}
