package printout

import (
	"fmt"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
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

// NewDocument starts an empty A4 document in millimetres, orientation "P"
// (portrait) or "L" (landscape), with Font ready in every style. Every PDF
// Agora renders (agendas, letters, badges, lists) starts here, so all of
// them write names the same way. Text goes in as UTF-8, untranslated.
func NewDocument(orientation string) (*fpdf.Fpdf, error) {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	for _, f := range goFonts {
		pdf.AddUTF8FontFromBytes(Font, f.style, f.ttf)
	}
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("printout: load fonts: %w", err)
	}
	pdf.SetFont(Font, "", 11)
	return pdf, nil
}
