package printout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
)

// Letterhead is the top and the signature of every letter Agora writes in
// the secretariat's name (invitation letters, certificates of attendance),
// from the settings (config.Letters).
type Letterhead struct {
	Organisation string
	Address      []string
	// Signatory and SignatoryTitle sign the letters.
	Signatory, SignatoryTitle string
	// Logo is the image file's content, LogoType "PNG" or "JPG"; nil: none.
	Logo     []byte
	LogoType string
}

// Version is a short fingerprint of the letterhead: letters stored for
// reuse are told apart by it when the settings change.
func (l Letterhead) Version() string {
	h := sha256.New()
	for _, part := range append([]string{l.Organisation, l.Signatory, l.SignatoryTitle, l.LogoType}, l.Address...) {
		h.Write([]byte(part + "\x00"))
	}
	h.Write(l.Logo)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// NewLetterhead reads the logo file, if any (PNG or JPEG).
func NewLetterhead(organisation string, address []string, signatory, signatoryTitle, logoFile string) (Letterhead, error) {
	l := Letterhead{Organisation: organisation, Address: address, Signatory: signatory, SignatoryTitle: signatoryTitle}
	if logoFile == "" {
		return l, nil
	}
	b, err := os.ReadFile(logoFile)
	if err != nil {
		return Letterhead{}, fmt.Errorf("printout: logo: %w", err)
	}
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		l.LogoType = "PNG"
	case bytes.HasPrefix(b, []byte{0xff, 0xd8}):
		l.LogoType = "JPG"
	default:
		return Letterhead{}, fmt.Errorf("printout: logo %s is neither PNG nor JPEG", logoFile)
	}
	l.Logo = b
	// Try it once now, so that a broken file stops the start, not a letter.
	pdf, err := NewDocument("P")
	if err != nil {
		return Letterhead{}, err
	}
	l.drawLogo(pdf)
	if err := pdf.Error(); err != nil {
		return Letterhead{}, fmt.Errorf("printout: logo %s: %w", logoFile, err)
	}
	return l, nil
}

// logoHeight is the printed height of the logo, in millimetres.
const logoHeight = 18.0

func (l Letterhead) drawLogo(pdf *fpdf.Fpdf) {
	opt := fpdf.ImageOptions{ImageType: l.LogoType}
	pdf.RegisterImageOptionsReader("logo", opt, bytes.NewReader(l.Logo))
	pdf.ImageOptions("logo", 25, 15, 0, logoHeight, false, opt, 0, "")
}

// newLetter starts an A4 letter in lang: metadata, margins, the
// letterhead (logo, organisation, address) and a rule under it, and a
// footer with the page number.
func newLetter(l Letterhead, title, lang string) (*fpdf.Fpdf, error) {
	pdf, err := newDocument("P", "", "B") // letters write in these two styles only
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(title, true)
	pdf.SetAuthor(l.Organisation, true)
	pdf.SetLang(lang)
	pdf.SetMargins(25, 20, 25)
	pdf.SetAutoPageBreak(true, 22)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont(Font, "", 8)
		pdf.CellFormat(0, 10, fmt.Sprintf("%s — %d", l.Organisation, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	x := 25.0
	top := 15.0
	if l.Logo != nil {
		l.drawLogo(pdf)
		x = 25 + logoHeight*1.6 + 5 // room for a wide logo
	}
	pdf.SetXY(x, top)
	pdf.SetFont(Font, "B", 13)
	pdf.MultiCell(185-x, 6, l.Organisation, "", "L", false)
	pdf.SetFont(Font, "", 9)
	for _, line := range l.Address {
		pdf.SetX(x)
		pdf.MultiCell(185-x, 4.5, line, "", "L", false)
	}
	y := max(pdf.GetY(), top+logoHeight) + 4
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.3)
	pdf.Line(25, y, 185, y)
	pdf.SetXY(25, y+8)
	pdf.SetFont(Font, "", 11)
	return pdf, nil
}

// placeAndDate writes the letter's date at the right: "Strasbourg, 3
// December 2026" when place is known.
func placeAndDate(pdf *fpdf.Fpdf, place string, when time.Time, lang string) {
	text := i18n.Date(when, lang)
	if place != "" {
		text = place + ", " + text
	}
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(0, 6, text, "", 1, "R", false, 0, "")
	pdf.Ln(6)
}

// signature writes the signature block.
func signature(pdf *fpdf.Fpdf, l Letterhead) {
	pdf.Ln(14)
	pdf.SetX(110)
	pdf.SetFont(Font, "B", 11)
	pdf.MultiCell(75, 6, l.Signatory, "", "L", false)
	if l.SignatoryTitle != "" {
		pdf.SetX(110)
		pdf.SetFont(Font, "", 10)
		pdf.MultiCell(75, 5, l.SignatoryTitle, "", "L", false)
	}
}

// paragraph writes a paragraph of body text.
func paragraph(pdf *fpdf.Fpdf, text string) {
	pdf.SetFont(Font, "", 11)
	pdf.MultiCell(0, 6, text, "", "L", false)
	pdf.Ln(3)
}

// meetingWhen is a meeting's dates in its zone: one date, or "from – to".
func meetingWhen(m meeting.Meeting, lang string) string {
	loc := m.Zone()
	from, to := i18n.Date(m.StartsAt.In(loc), lang), i18n.Date(m.EndsAt.In(loc), lang)
	if from == to {
		return from
	}
	return from + " – " + to
}

func output(pdf *fpdf.Fpdf, what string) ([]byte, error) {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("printout: %s: %w", what, err)
	}
	return buf.Bytes(), nil
}

// CertificateLabels are the translated sentences of a certificate, with
// the person's, the meeting's and the invitee's names already in them.
type CertificateLabels struct {
	Title string
	// Certifies introduces the name ("… certifies that"), Attended follows
	// it ("representing Poland, attended"), Days lists the days when the
	// meeting lasted several.
	Certifies, Attended, Days string
	// Issued is the place of issue ("" for none).
	Issued string
}

// CertificatePDF renders a certificate of attendance of name at meeting m
// in lang, under the letterhead, dated now.
func CertificatePDF(l Letterhead, m meeting.Meeting, name, lang string, labels CertificateLabels, now time.Time) ([]byte, error) {
	pdf, err := newLetter(l, labels.Title+" — "+name, lang)
	if err != nil {
		return nil, err
	}
	placeAndDate(pdf, labels.Issued, now.In(m.Zone()), lang)
	pdf.Ln(6)
	pdf.SetFont(Font, "B", 18)
	pdf.CellFormat(0, 10, labels.Title, "", 1, "C", false, 0, "")
	pdf.Ln(10)
	paragraph(pdf, labels.Certifies)
	pdf.SetFont(Font, "B", 15)
	pdf.MultiCell(0, 8, name, "", "C", false)
	pdf.Ln(3)
	paragraph(pdf, labels.Attended)
	pdf.SetFont(Font, "B", 12)
	pdf.MultiCell(0, 7, m.Title(lang), "", "C", false)
	pdf.SetFont(Font, "", 11)
	where := meetingWhen(m, lang)
	if venue := m.VenueIn(lang); venue != "" {
		where = venue + " — " + where
	}
	pdf.MultiCell(0, 6, where, "", "C", false)
	pdf.Ln(4)
	if labels.Days != "" {
		paragraph(pdf, labels.Days)
	}
	signature(pdf, l)
	return output(pdf, "certificate")
}

// DayList writes days (YYYY-MM-DD) as dates in lang, separated by commas.
func DayList(days []string, lang string) string {
	var out []string
	for _, d := range days {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			out = append(out, i18n.Date(t, lang))
		}
	}
	return strings.Join(out, ", ")
}
