package registration

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// exportColumn is a column of the participant exports: its header in
// English and French, and how to read its value from a row.
type exportColumn struct {
	header [2]string
	value  func(r *Row, lang string) string
}

var exportColumns = []exportColumn{
	{[2]string{"State", "État"}, func(r *Row, _ string) string { return r.StateName }},
	{[2]string{"Last name", "Nom"}, func(r *Row, _ string) string { return r.LastName }},
	{[2]string{"First name", "Prénom"}, func(r *Row, _ string) string { return r.FirstName }},
	{[2]string{"Email", "Courriel"}, func(r *Row, _ string) string { return r.Email }},
	{[2]string{"Function", "Fonction"}, func(r *Row, _ string) string { return r.Function }},
	{[2]string{"Organisation", "Organisation"}, func(r *Row, _ string) string { return r.Organisation }},
	{[2]string{"Role in delegation", "Rôle dans la délégation"}, func(r *Row, lang string) string { return RoleLabel(r.DelegationRole, lang) }},
	{[2]string{"Status", "Statut"}, func(r *Row, lang string) string { return StatusLabel(r.Status, lang) }},
	{[2]string{"Funding requested", "Prise en charge demandée"}, func(r *Row, lang string) string { return yesNo(r.FundingRequested, lang) }},
	{[2]string{"Funded", "Pris(e) en charge"}, func(r *Row, lang string) string { return yesNo(r.Funded, lang) }},
	{[2]string{"Dietary requirements", "Régime alimentaire"}, func(r *Row, _ string) string { return r.Dietary }},
	{[2]string{"Accessibility needs", "Besoins d'accessibilité"}, func(r *Row, _ string) string { return r.Accessibility }},
	{[2]string{"Listed publicly (consent)", "Sur la liste publique (consentement)"}, func(r *Row, lang string) string { return yesNo(r.ListConsent, lang) }},
	{[2]string{"Checked in", "Arrivée enregistrée"}, func(r *Row, _ string) string {
		if r.CheckedInAt == nil {
			return ""
		}
		return exportTime(*r.CheckedInAt)
	}},
	{[2]string{"Registered at", "Date d'inscription"}, func(r *Row, _ string) string { return exportTime(r.CreatedAt) }},
	{[2]string{"Attendance", "Participation"}, func(r *Row, lang string) string { return AttendanceLabel(r.Attendance, lang) }},
}

// ExportColumns names the columns of the participant exports in lang
// ("fr" for French, anything else English), in the order WriteCSV and
// WriteXLSX write them.
func ExportColumns(lang string) []string {
	i := 0
	if lang == "fr" {
		i = 1
	}
	headers := make([]string, len(exportColumns))
	for j, c := range exportColumns {
		headers[j] = c.header[i]
	}
	return headers
}

// WriteCSV writes rows, in the order given (protocol order), as CSV for
// spreadsheets: UTF-8 behind a byte order mark, without which Excel reads
// the file in the local code page and mangles accents, Greek and Cyrillic;
// RFC 4180 quoting and CRLF line ends (a newline inside a cell is written
// as CRLF too, and encoding/csv reads it back as a newline; a lone CR is
// dropped). The separator is ';' in French and ',' in English, because
// French Excel, whose decimal separator is the comma, only splits columns
// on ';'. Cells that a spreadsheet would take for a formula are defused
// (see escapeFormula).
func WriteCSV(w io.Writer, rows []Row, lang string) error {
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString("\uFEFF") // errors resurface at Flush
	cw := csv.NewWriter(bw)         // reuses bw rather than buffering twice
	cw.UseCRLF = true
	if lang == "fr" {
		cw.Comma = ';'
	}
	if err := cw.Write(ExportColumns(lang)); err != nil {
		return fmt.Errorf("registration: write csv: %w", err)
	}
	record := make([]string, len(exportColumns))
	for i := range rows {
		for j, c := range exportColumns {
			record[j] = escapeFormula(c.value(&rows[i], lang))
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("registration: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("registration: write csv: %w", err)
	}
	return nil
}

// WriteXLSX writes rows, in the order given (protocol order), as an Excel
// workbook with one sheet named after title (already in lang, made a
// valid sheet name by sheetName): a bold, frozen header row with an
// auto-filter, and columns as wide as their content within limits.
//
// Every value is a string cell, never a formula, and is defused like the
// CSV (see escapeFormula) so that copying it out or re-saving it as CSV
// stays safe. Times are RFC 3339 strings, as in the CSV, rather than date
// cells: Excel dates carry no time zone, whereas the string keeps the
// offset, reads the same in every locale, and sorts as text when the
// offsets match.
func WriteXLSX(w io.Writer, rows []Row, lang string, title string) (err error) {
	f := excelize.NewFile()
	defer func() {
		// Close removes the temporary files of large streamed sheets.
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("registration: write xlsx: %w", cerr)
		}
	}()
	if err := writeSheet(f, sheetName(title), rows, lang); err != nil {
		return fmt.Errorf("registration: write xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("registration: write xlsx: %w", err)
	}
	return nil
}

// writeSheet streams the header and rows into the workbook's only sheet,
// renamed to name. The stream writer wants widths and panes before the
// first row, so the cells are worked out first to measure them.
func writeSheet(f *excelize.File, name string, rows []Row, lang string) error {
	if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	headers := ExportColumns(lang)
	n := len(headers)
	cells := make([]string, len(rows)*n)
	widths := make([]int, n)
	for j, h := range headers {
		widths[j] = utf8.RuneCountInString(h) + 2 // bold is wider
	}
	for i := range rows {
		for j, c := range exportColumns {
			v := escapeFormula(c.value(&rows[i], lang))
			cells[i*n+j] = v
			widths[j] = max(widths[j], utf8.RuneCountInString(v))
		}
	}
	// Last column first: excelize puts each new width in front, and Excel
	// wants the columns in ascending order.
	for j := n - 1; j >= 0; j-- {
		if err := sw.SetColWidth(j+1, j+1, float64(min(max(widths[j]+2, 8), 50))); err != nil {
			return err
		}
	}
	err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if err != nil {
		return err
	}
	line := make([]any, n)
	for j, h := range headers {
		line[j] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", line); err != nil {
		return err
	}
	for i := range rows {
		for j, v := range cells[i*n : (i+1)*n] {
			line[j] = nil // an empty cell is left out of the file
			if v != "" {
				line[j] = v
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), line); err != nil {
			return err
		}
	}
	// The filter goes on the streamed sheet itself, which Flush writes out.
	last, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return err
	}
	if err := f.AutoFilter(name, "A1:"+last+strconv.Itoa(len(rows)+1), nil); err != nil {
		return err
	}
	return sw.Flush()
}

// escapeFormula defuses a cell a spreadsheet would evaluate: a value that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe (OWASP, "CSV Injection"). Names, functions and needs are typed
// by anyone holding an invitation link, so "=HYPERLINK(...)" is a real
// threat to the secretariat who opens the export.
func escapeFormula(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// sheetName makes a valid worksheet name of title. Excel refuses []:*?/\,
// names over 31 UTF-16 units, an apostrophe at either end and the name
// "History". A straight apostrophe inside also becomes the typographic
// one, which French prefers anyway, because excelize does not double it
// when it quotes the sheet in the auto-filter's range ("Groupe d'experts"
// would give a workbook Excel has to repair).
func sheetName(title string) string {
	title = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r) || unicode.IsControl(r):
			return ' '
		case r == '\'':
			return '’'
		}
		return r
	}, title)
	title = strings.Join(strings.Fields(title), " ")
	units := 0
	for i, r := range title {
		if units += utf16.RuneLen(r); units > 31 {
			title = strings.TrimSpace(title[:i])
			break
		}
	}
	if title == "" || strings.EqualFold(title, "History") {
		return "Participants"
	}
	return title
}

func yesNo(b bool, lang string) string {
	switch {
	case b && lang == "fr":
		return "Oui"
	case lang == "fr":
		return "Non"
	case b:
		return "Yes"
	}
	return "No"
}

// exportTime writes t in RFC 3339 in its own zone; the offset makes it
// unambiguous, and the caller chooses the zone.
func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
