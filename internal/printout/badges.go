package printout

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// BadgeLabels are the translated words of the badges.
type BadgeLabels struct {
	// Title names the document (its metadata); None is the page printed
	// when no one is confirmed.
	Title, None string
	// Roles name the roles in a delegation by value.
	Roles map[string]string
}

// The sheet: A4 portrait, two columns of four badges of 90 × 65 mm,
// centred, with cut marks in the margins along every cut line and small
// crosses where inner cut lines meet.
const (
	badgeW, badgeH     = 90.0, 65.0
	badgeCols          = 2
	badgeRows          = 4
	badgeLeft          = (210 - badgeCols*badgeW) / 2
	badgeTop           = (297 - badgeRows*badgeH) / 2
	badgePad           = 5.0
	badgeQR            = 26.0 // side of the QR code, quiet zone excluded
	cutMark, cutCross  = 6.0, 2.0
	badgesPerPage      = badgeCols * badgeRows
	badgeNameSize      = 15.0
	badgeNameSmallSize = 11.0
)

// BadgesPDF renders badges on A4 sheets for meeting m in lang: per badge
// the meeting's title, the person's name, their invitee, their role and a
// QR code carrying their check-in code, drawn as vector squares so that it
// stays sharp at any print resolution.
func BadgesPDF(m meeting.Meeting, badges []registration.Badge, lang string, l BadgeLabels) ([]byte, error) {
	pdf, err := NewDocument("P")
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(l.Title+" — "+m.Title(lang), true)
	pdf.SetAuthor("Council of Europe — Agora", true)
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	if len(badges) == 0 {
		pdf.AddPage()
		pdf.SetXY(20, 20)
		pdf.SetFont(Font, "", 12)
		pdf.MultiCell(170, 6, l.None, "", "L", false)
	}
	title := m.Title(lang)
	for i, b := range badges {
		slot := i % badgesPerPage
		if slot == 0 {
			pdf.AddPage()
			cutMarks(pdf)
		}
		x := badgeLeft + float64(slot%badgeCols)*badgeW
		y := badgeTop + float64(slot/badgeCols)*badgeH
		if err := drawBadge(pdf, x, y, title, b, l); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("printout: badges: %w", err)
	}
	return buf.Bytes(), nil
}

// cutMarks draws the marks of one sheet.
func cutMarks(pdf *fpdf.Fpdf) {
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.2)
	right, bottom := badgeLeft+badgeCols*badgeW, badgeTop+badgeRows*badgeH
	for c := 0; c <= badgeCols; c++ {
		x := badgeLeft + float64(c)*badgeW
		pdf.Line(x, badgeTop-2-cutMark, x, badgeTop-2)
		pdf.Line(x, bottom+2, x, bottom+2+cutMark)
	}
	for r := 0; r <= badgeRows; r++ {
		y := badgeTop + float64(r)*badgeH
		pdf.Line(badgeLeft-2-cutMark, y, badgeLeft-2, y)
		pdf.Line(right+2, y, right+2+cutMark, y)
	}
	for c := 1; c < badgeCols; c++ {
		for r := 1; r < badgeRows; r++ {
			x, y := badgeLeft+float64(c)*badgeW, badgeTop+float64(r)*badgeH
			pdf.Line(x-cutCross, y, x+cutCross, y)
			pdf.Line(x, y-cutCross, x, y+cutCross)
		}
	}
}

// drawBadge draws one badge with its top left corner at (x, y).
func drawBadge(pdf *fpdf.Fpdf, x, y float64, title string, b registration.Badge, l BadgeLabels) error {
	textW := badgeW - 2*badgePad - badgeQR - 4
	pdf.SetTextColor(90, 90, 90)
	pdf.SetFont(Font, "", 7.5)
	pdf.SetXY(x+badgePad, y+badgePad)
	pdf.MultiCell(badgeW-2*badgePad, 3.5, clip(pdf, title, 2*(badgeW-2*badgePad)), "", "L", false)

	pdf.SetTextColor(0, 0, 0)
	name := b.FirstName + " " + b.LastName
	size := badgeNameSize
	pdf.SetFont(Font, "B", size)
	if pdf.GetStringWidth(name) > 2*textW {
		size = badgeNameSmallSize
		pdf.SetFont(Font, "B", size)
	}
	top := y + badgePad + 11
	pdf.SetXY(x+badgePad, top)
	pdf.MultiCell(textW, size*0.45, clip(pdf, name, 3*textW), "", "L", false)
	pdf.SetX(x + badgePad)
	pdf.SetFont(Font, "", 11)
	pdf.MultiCell(textW, 5, clip(pdf, b.InviteeName, 2*textW), "", "L", false)
	if role := l.Roles[b.Role]; role != "" {
		pdf.SetX(x + badgePad)
		pdf.SetFont(Font, "I", 9.5)
		pdf.MultiCell(textW, 4.5, role, "", "L", false)
	}
	// The code in letters too, at the bottom of the text column (clear of
	// the QR code's quiet zone), for the door to type when a camera fails.
	pdf.SetTextColor(90, 90, 90)
	pdf.SetFont(Font, "", 6.5)
	pdf.SetXY(x+badgePad, y+badgeH-badgePad-3)
	pdf.CellFormat(textW, 3, b.Code, "", 0, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	return drawQR(pdf, b.Code, x+badgeW-badgePad-badgeQR, y+badgeH-badgePad-badgeQR, badgeQR)
}

// clip shortens s with an ellipsis so that it fits in width (summed over
// the lines it wraps to) in the current font: a name of two hundred
// characters must not run over the next badge.
func clip(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// drawQR draws the QR code of text as black squares in a side × side
// square at (x, y); the badge's white around it is the quiet zone.
func drawQR(pdf *fpdf.Fpdf, text string, x, y, side float64) error {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("printout: QR code: %w", err)
	}
	q.DisableBorder = true
	bits := q.Bitmap()
	if len(bits) == 0 {
		return fmt.Errorf("printout: QR code of %d characters is empty", len(text))
	}
	module := side / float64(len(bits))
	pdf.SetFillColor(0, 0, 0)
	for row, line := range bits {
		// One rectangle per run of dark modules keeps the page small.
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < len(line) && line[col] {
				col++
			}
			pdf.Rect(x+float64(start)*module, y+float64(row)*module, float64(col-start)*module, module, "F")
		}
	}
	return nil
}
