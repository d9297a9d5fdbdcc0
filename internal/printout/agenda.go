// Package printout renders printable documents as PDF: the agenda of a
// meeting, in English or French.
package printout

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
)

// Labels are the translated words the document needs.
type Labels struct {
	Agenda, Speakers, TimesNote, Printed string
	// Documents heads the documents listed under an item ("Documents:");
	// ItemDocuments are those lines by agenda item id, and General the
	// meeting's documents under no item (none: nothing is shown).
	Documents     string
	ItemDocuments map[int64][]string
	General       []string
}

// AgendaPDF renders a meeting's agenda as an A4 PDF in lang. Titles,
// venues and speakers' names keep their own script (see Font).
func AgendaPDF(m meeting.Meeting, items []meeting.Item, lang string, l Labels) ([]byte, error) {
	pdf, err := newMeetingDocument(m, lang, m.Title(lang), l.Printed)
	if err != nil {
		return nil, err
	}
	loc := m.Zone()
	pdf.SetFont(Font, "I", 9)
	pdf.MultiCell(0, 5, l.TimesNote, "", "L", false)
	pdf.Ln(4)
	pdf.SetFont(Font, "B", 13)
	pdf.CellFormat(0, 8, l.Agenda, "", 1, "L", false, 0, "")

	for _, it := range items {
		indent := 0.0
		if it.Depth() > 0 {
			indent = 10
		}
		pdf.SetX(20 + indent)
		pdf.SetFont(Font, "B", 11)
		pdf.CellFormat(14, 6, it.Number, "", 0, "L", false, 0, "")
		title := it.Title(lang)
		if it.StartsAt != nil {
			title = i18n.Clock(it.StartsAt.In(loc)) + "  " + title
		}
		pdf.MultiCell(0, 6, title, "", "L", false)
		pdf.SetFont(Font, "", 10)
		if notes := it.Notes(lang); notes != "" {
			pdf.SetX(34 + indent)
			pdf.MultiCell(0, 5, notes, "", "L", false)
		}
		if len(it.Speakers) > 0 {
			var names []string
			for _, s := range it.Speakers {
				if s.Function != "" {
					names = append(names, s.Name+" ("+s.Function+")")
				} else {
					names = append(names, s.Name)
				}
			}
			pdf.SetX(34 + indent)
			pdf.SetFont(Font, "I", 10)
			pdf.MultiCell(0, 5, l.Speakers+" "+strings.Join(names, "; "), "", "L", false)
		}
		documentLines(pdf, 34+indent, l.Documents, l.ItemDocuments[it.ID])
		pdf.Ln(1)
	}
	if len(l.General) > 0 {
		pdf.Ln(3)
		documentLines(pdf, 20, l.Documents, l.General)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("printout: agenda: %w", err)
	}
	return buf.Bytes(), nil
}

// documentLines lists documents (symbol and title) at x, under a heading.
func documentLines(pdf *fpdf.Fpdf, x float64, heading string, lines []string) {
	if len(lines) == 0 {
		return
	}
	pdf.SetX(x)
	pdf.SetFont(Font, "B", 9)
	pdf.MultiCell(0, 5, heading, "", "L", false)
	pdf.SetFont(Font, "", 9)
	for _, line := range lines {
		pdf.SetX(x + 4)
		pdf.MultiCell(0, 4.5, "• "+line, "", "L", false)
	}
}
