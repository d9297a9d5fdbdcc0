package printout

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/coe-agora/agora/internal/registration"
)

// ParticipantLabels are the translated words of the list of participants.
type ParticipantLabels struct {
	Title, Printed, None string
	// AttendedOnly is the note saying the list keeps those who attended.
	AttendedOnly string
	// Groups name the groups of delegations by key, Roles the roles in a
	// delegation by value.
	Groups, Roles map[string]string
}

// ParticipantsPDF renders a meeting's list of participants as an A4 PDF in
// lang: the delegations by group, each person with name, function,
// organisation and role. It carries no email address and no online link:
// nothing in the list holds them.
func ParticipantsPDF(list registration.ParticipantList, lang string, l ParticipantLabels) ([]byte, error) {
	m := list.Meeting
	pdf, err := newMeetingDocument(m, lang, l.Title+" — "+m.Title(lang), l.Printed)
	if err != nil {
		return nil, err
	}
	pdf.Ln(4)
	pdf.SetFont(Font, "B", 14)
	pdf.CellFormat(0, 8, l.Title, "", 1, "L", false, 0, "")
	if list.AttendedOnly {
		pdf.SetFont(Font, "I", 9)
		pdf.MultiCell(0, 5, l.AttendedOnly, "", "L", false)
	}
	if list.Count == 0 {
		pdf.SetFont(Font, "", 11)
		pdf.MultiCell(0, 6, l.None, "", "L", false)
	}
	for _, g := range list.Groups {
		pdf.Ln(3)
		pdf.SetFont(Font, "B", 13)
		pdf.CellFormat(0, 8, l.Groups[g.Key], "", 1, "L", false, 0, "")
		for _, d := range g.Delegations {
			pdf.Ln(1)
			if d.Name != "" { // guests come as one delegation with no name: the group's title says who they are
				pdf.SetFont(Font, "B", 11)
				pdf.CellFormat(0, 7, d.Name, "B", 1, "L", false, 0, "")
			}
			for _, p := range d.People {
				pdf.SetFont(Font, "B", 10)
				pdf.SetX(24)
				pdf.MultiCell(0, 5, p.FirstName+" "+p.LastName+" — "+l.Roles[p.DelegationRole], "", "L", false)
				var about []string
				for _, s := range []string{p.Function, p.Organisation} {
					if s != "" {
						about = append(about, s)
					}
				}
				if len(about) > 0 {
					pdf.SetFont(Font, "", 10)
					pdf.SetX(24)
					pdf.MultiCell(0, 5, strings.Join(about, ", "), "", "L", false)
				}
				pdf.Ln(1)
			}
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("printout: participants: %w", err)
	}
	return buf.Bytes(), nil
}
