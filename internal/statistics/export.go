package statistics

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/coe-agora/agora/internal/registration"
)

// Table is one table of a report, as the exports write it: a name (the
// XLSX sheet, the CSV section's title), a header row and rows of cells.
// A nil cell is a figure withheld by the small-group rule.
type Table struct {
	Name   string
	Header []string
	Rows   [][]any
	// Note is a line written under the table ("" for none).
	Note string
}

func tr(lang, en, fr string) string {
	if lang == "fr" {
		return fr
	}
	return en
}

var genderLabels = map[string][2]string{
	"woman": {"Women", "Femmes"}, "man": {"Men", "Hommes"}, "other": {"Other", "Autre"},
	"undisclosed": {"Prefer not to say", "Préfère ne pas répondre"}, "unknown": {"Not answered", "Sans réponse"},
}

// GenderLabel names a gender figure (one of Genders) in lang.
func GenderLabel(g, lang string) string {
	l := genderLabels[g]
	return tr(lang, l[0], l[1])
}

// Tables returns the report's tables in lang, in the order the page shows
// them: summary, states, organisations, roles, people, gender.
func (r Report) Tables(lang string) []Table {
	count := func(label string, n any) []any { return []any{label, n} }
	rate := any(nil)
	if r.AttendanceRate != nil {
		rate = strconv.FormatFloat(*r.AttendanceRate*100, 'f', 1, 64) + " %"
	}
	kind := r.Kind
	if kind == "" {
		kind = tr(lang, "all", "tous")
	}
	summary := Table{Name: tr(lang, "Summary", "Synthèse"), Header: []string{tr(lang, "Figure", "Donnée"), tr(lang, "Value", "Valeur")},
		Rows: [][]any{
			count(tr(lang, "From", "Du"), r.From), count(tr(lang, "To", "Au"), r.To),
			count(tr(lang, "Kind of meeting", "Type de réunion"), kind),
			count(tr(lang, "Meetings held", "Réunions tenues"), r.Meetings),
			count(tr(lang, "Registered", "Inscrits"), r.Totals.Registered),
			count(tr(lang, "Confirmed", "Confirmés"), r.Totals.Confirmed),
			count(tr(lang, "Attended (checked in)", "Présents (arrivée enregistrée)"), r.Totals.Attended),
			count(tr(lang, "Funded", "Pris en charge"), r.Totals.Funded),
			count(tr(lang, "Pending approval", "En attente d'approbation"), r.Totals.Pending),
			count(tr(lang, "Still on a waiting list", "Restés sur liste d'attente"), r.Totals.Waitlisted),
			count(tr(lang, "Declined", "Refusés"), r.Totals.Declined),
			count(tr(lang, "Cancelled", "Annulés"), r.Totals.Cancelled),
			count(tr(lang, "Confirmed, in person", "Confirmés, sur place"), r.Totals.InPerson),
			count(tr(lang, "Confirmed, online", "Confirmés, en ligne"), r.Totals.Online),
			count(tr(lang, "Attendance rate", "Taux de présence"), rate),
		}}
	cols := []string{tr(lang, "Meetings", "Réunions"), tr(lang, "Registered", "Inscrits"), tr(lang, "Confirmed", "Confirmés"),
		tr(lang, "Attended", "Présents"), tr(lang, "Funded", "Pris en charge")}
	states := Table{Name: tr(lang, "States", "États"), Header: append([]string{tr(lang, "Code", "Code"), tr(lang, "State", "État")}, cols...)}
	for _, s := range r.States {
		states.Rows = append(states.Rows, []any{s.Code, s.Name, s.Meetings, s.Registered, s.Confirmed, s.Attended, s.Funded})
	}
	orgs := Table{Name: tr(lang, "Organisations", "Organisations"), Header: append([]string{tr(lang, "Code", "Code"), tr(lang, "Organisation", "Organisation")}, cols...)}
	for _, o := range r.Organisations {
		orgs.Rows = append(orgs.Rows, []any{o.Code, o.Name, o.Meetings, o.Registered, o.Confirmed, o.Attended, o.Funded})
	}
	roles := Table{Name: tr(lang, "Roles", "Rôles"), Header: append([]string{tr(lang, "Role", "Rôle")}, cols[1:]...)}
	for _, x := range r.Roles {
		roles.Rows = append(roles.Rows, []any{registration.RoleLabel(x.Role, lang), x.Registered, x.Confirmed, x.Attended, x.Funded})
	}
	people := Table{Name: tr(lang, "People", "Personnes"), Header: []string{tr(lang, "Participants", "Participants"), tr(lang, "Number", "Nombre")},
		Rows: [][]any{
			count(tr(lang, "First time", "Première fois"), r.People.New),
			count(tr(lang, "Returning", "Déjà venus"), r.People.Returning),
			count(tr(lang, "Anonymised (not linked)", "Anonymisés (non reliés)"), r.People.Unlinked),
		}}
	gender := Table{Name: tr(lang, "Gender", "Genre"), Header: []string{tr(lang, "Gender (self-declared)", "Genre (déclaré)"), tr(lang, "Confirmed", "Confirmés")}}
	for i, n := range r.Gender.Figures() {
		var v any
		if n != nil {
			v = *n
		}
		gender.Rows = append(gender.Rows, []any{GenderLabel(Genders[i], lang), v})
	}
	gender.Note = WithheldNote(r.Gender.Threshold, lang)
	return []Table{summary, states, orgs, roles, people, gender}
}

// WithheldNote explains the small-group rule in lang.
func WithheldNote(threshold int, lang string) string {
	if lang == "fr" {
		return fmt.Sprintf("Règle des petits groupes : aucun chiffre de 1 à %d n'est montré (ni un second qui permettrait de le retrouver), ni aucun chiffre d'un groupe de moins de %d personnes.", threshold-1, threshold)
	}
	return fmt.Sprintf("Small-group rule: no figure from 1 to %d is shown (nor a second one from which it could be worked out), nor any figure of a group of fewer than %d people.", threshold-1, threshold)
}

// withheldCell is how a withheld figure reads in the exports.
func withheldCell(lang string) string { return tr(lang, "withheld", "non communiqué") }

func cellText(v any, lang string) string {
	switch x := v.(type) {
	case nil:
		return withheldCell(lang)
	case string:
		return escapeFormula(x)
	default:
		return fmt.Sprint(x)
	}
}

// escapeFormula defuses a text a spreadsheet would evaluate (a state's
// name typed by an admin, say), as the participant exports do.
func escapeFormula(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// WriteCSV writes every table of r, one after the other: each starts with
// a line holding its name, then its header and rows, then an empty line.
// Like the participant exports: UTF-8 behind a byte order mark, CRLF, ';'
// in French and ',' in English.
func WriteCSV(w io.Writer, r Report, lang string) error {
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString("\uFEFF")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if lang == "fr" {
		cw.Comma = ';'
	}
	for i, t := range r.Tables(lang) {
		if i > 0 {
			_ = cw.Write([]string{""})
		}
		_ = cw.Write([]string{t.Name})
		_ = cw.Write(t.Header)
		for _, row := range t.Rows {
			line := make([]string, len(row))
			for j, v := range row {
				line[j] = cellText(v, lang)
			}
			_ = cw.Write(line)
		}
		if t.Note != "" {
			_ = cw.Write([]string{t.Note})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("statistics: write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("statistics: write csv: %w", err)
	}
	return nil
}

// WriteXLSX writes every table of r as a sheet of one workbook, figures
// as numbers, with a bold header row.
func WriteXLSX(w io.Writer, r Report, lang string) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("statistics: write xlsx: %w", cerr)
		}
	}()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("statistics: write xlsx: %w", err)
	}
	for i, t := range r.Tables(lang) {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), t.Name)
		} else {
			_, err = f.NewSheet(t.Name)
		}
		if err != nil {
			return fmt.Errorf("statistics: write xlsx: %w", err)
		}
		for j, h := range t.Header {
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := f.SetCellStr(t.Name, cell, h); err != nil {
				return fmt.Errorf("statistics: write xlsx: %w", err)
			}
		}
		last, _ := excelize.CoordinatesToCellName(len(t.Header), 1)
		if err := f.SetCellStyle(t.Name, "A1", last, bold); err != nil {
			return fmt.Errorf("statistics: write xlsx: %w", err)
		}
		for k, row := range t.Rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, k+2)
				switch x := v.(type) {
				case int:
					err = f.SetCellInt(t.Name, cell, int64(x))
				case nil:
					err = f.SetCellStr(t.Name, cell, withheldCell(lang))
				default:
					err = f.SetCellStr(t.Name, cell, cellText(v, lang))
				}
				if err != nil {
					return fmt.Errorf("statistics: write xlsx: %w", err)
				}
			}
		}
		if t.Note != "" {
			cell, _ := excelize.CoordinatesToCellName(1, len(t.Rows)+3)
			if err := f.SetCellStr(t.Name, cell, t.Note); err != nil {
				return fmt.Errorf("statistics: write xlsx: %w", err)
			}
		}
		if err := f.SetColWidth(t.Name, "A", "B", 30); err != nil {
			return fmt.Errorf("statistics: write xlsx: %w", err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("statistics: write xlsx: %w", err)
	}
	return nil
}
