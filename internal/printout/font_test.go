package printout

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
)

// A document given the fonts parsed once is, byte for byte, the document
// fpdf writes when it parses them itself, including when many documents
// share the parsed fonts at the same time (each cuts its own subsets).
func TestParsedFontsWriteTheSameDocument(t *testing.T) {
	fonts, err := parsedFonts()
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC)
	render := func(text string, add func(pdf *fpdf.Fpdf, style string, ttf []byte)) []byte {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.SetCreationDate(created)
		pdf.SetModificationDate(created)
		pdf.SetCatalogSort(true) // fonts in order, not in a map's
		for _, f := range goFonts {
			add(pdf, f.style, f.ttf)
		}
		pdf.AddPage()
		for _, style := range []string{"", "B", "I", "BI"} {
			pdf.SetFont(Font, style, 11)
			pdf.MultiCell(0, 6, text+" "+style, "", "L", false)
		}
		var buf bytes.Buffer
		if err := pdf.Output(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	// Each text twice at once, so that documents share the cut of a set of
	// runes, and texts of other runes in between, which must not.
	texts := []string{"Łódź, Ștefan Țăran, Çağrı — Ελλάδα, Україна", "Türkiye — République de Moldova", "Sakartvelo {nb}",
		"Łódź, Ștefan Țăran, Çağrı — Ελλάδα, Україна Ж"}
	got := make([][2][]byte, len(texts))
	var wg sync.WaitGroup
	for i, text := range texts {
		for k := range 2 {
			wg.Go(func() {
				got[i][k] = render(text, func(pdf *fpdf.Fpdf, style string, _ []byte) { pdf.AddParsedUTF8Font(Font, style, fonts[style]) })
			})
		}
	}
	wg.Wait()
	for i, text := range texts {
		want := render(text, func(pdf *fpdf.Fpdf, style string, ttf []byte) { pdf.AddUTF8FontFromBytes(Font, style, ttf) })
		if !bytes.Equal(got[i][0], want) || !bytes.Equal(got[i][1], want) {
			t.Errorf("%q: %d and %d bytes with the parsed fonts, %d parsing them again, not the same", text, len(got[i][0]), len(got[i][1]), len(want))
		}
	}
}
