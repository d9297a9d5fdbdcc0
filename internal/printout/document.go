package printout

import (
	"fmt"
	"slices"
	"sync"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
)

// Font is the font family every Agora PDF writes in, with the styles ""
// (regular), "B", "I" and "BI". It is the Go font family, embedded (as
// subsets) in each document: unlike the PDF core fonts, which only know
// Windows-1252, it covers Latin with its extensions (Łódź, Ștefan Țăran,
// Çağrı, Čeština), Greek and Cyrillic, which is what the member states
// write their names in. The fonts come with golang.org/x/image under the
// Go licence (BSD style), so nothing is downloaded or installed.
const Font = "Go"

// goFonts are the TrueType files behind each style of Font.
var goFonts = []struct {
	style string
	ttf   []byte
}{
	{"", goregular.TTF},
	{"B", gobold.TTF},
	{"I", goitalic.TTF},
	{"BI", gobolditalic.TTF},
}

// parsedFonts are goFonts parsed, once per process (the files are
// constants): each document is given them as they are, where loading a
// style from the file cost about a millisecond (fpdf parsed it and
// fingerprinted its widths as JSON) in every document.
var parsedFonts = sync.OnceValues(func() (map[string]*fpdf.UTF8Font, error) {
	fonts := make(map[string]*fpdf.UTF8Font, len(goFonts))
	for _, f := range goFonts {
		parsed, err := fpdf.ParseUTF8Font(f.ttf)
		if err != nil {
			return nil, fmt.Errorf("printout: font %s %q: %w", Font, f.style, err)
		}
		fonts[f.style] = parsed
	}
	return fonts, nil
})

// NewDocument starts an empty A4 document in millimetres, orientation "P"
// (portrait) or "L" (landscape), with Font ready in every style. Every PDF
// Agora renders (agendas, letters, badges, lists) starts here, so all of
// them write names the same way. Text goes in as UTF-8, untranslated.
func NewDocument(orientation string) (*fpdf.Fpdf, error) {
	return newDocument(orientation, "", "B", "I", "BI")
}

// newDocument is NewDocument with Font in the given styles only: each
// style a document holds is subset and embedded when it is written out,
// which letters rendered by the hundred in an invitation run do not pay
// for styles they never use.
func newDocument(orientation string, styles ...string) (*fpdf.Fpdf, error) {
	fonts, err := parsedFonts()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New(orientation, "mm", "A4", "")
	for _, f := range goFonts {
		if slices.Contains(styles, f.style) {
			pdf.AddParsedUTF8Font(Font, f.style, fonts[f.style])
		}
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("printout: load fonts: %w", err)
	}
	pdf.SetFont(Font, "", 11)
	return pdf, nil
}

// newMeetingDocument starts a portrait document about m in lang: its
// metadata (title, author), margins, a footer with printed and the page
// number, and the first page headed by the meeting's title, dates (in the
// meeting's time zone) and venue. Agendas and lists of participants open
// the same way.
func newMeetingDocument(m meeting.Meeting, lang, docTitle, printed string) (*fpdf.Fpdf, error) {
	pdf, err := NewDocument("P")
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(docTitle, true)
	pdf.SetAuthor("Council of Europe — Agora", true)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont(Font, "I", 8)
		pdf.CellFormat(0, 10, fmt.Sprintf("%s — %d", printed, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	loc := m.Zone()
	pdf.SetFont(Font, "B", 16)
	pdf.MultiCell(0, 8, m.Title(lang), "", "L", false)
	pdf.SetFont(Font, "", 11)
	when := i18n.DateTime(m.StartsAt.In(loc), lang) + " – " + i18n.DateTime(m.EndsAt.In(loc), lang)
	pdf.MultiCell(0, 6, when, "", "L", false)
	if venue := m.VenueIn(lang); venue != "" {
		pdf.MultiCell(0, 6, venue, "", "L", false)
	}
	return pdf, nil
}
