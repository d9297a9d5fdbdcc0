package web

import (
	"strconv"

	"github.com/coe-agora/agora/internal/meeting"
)

// secSettingsValues puts the hybrid and reminder settings in the editor:
// empty for 0 (no limit, no reminder), as the overall capacity.
func secSettingsValues(f *form, mf meeting.Fields) {
	for name, n := range map[string]int{"in_person_capacity": mf.InPersonCapacity,
		"reminder_focal_points_days": mf.ReminderFocalPointsDays, "reminder_participants_days": mf.ReminderParticipantsDays} {
		f.Values[name] = ""
		if n != 0 {
			f.Values[name] = strconv.Itoa(n)
		}
	}
	f.Values["funding_decision"] = ""
	if mf.FundingBySecretariat() {
		f.Values["funding_decision"] = meeting.FundingSecretariat
	}
}
