package printout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/printout"
)

// The member states write their names in Polish, Romanian, Turkish, Greek,
// Ukrainian, Serbian…: every one of them must come out of the PDF as typed,
// in each style the agenda uses (bold title and numbers, regular notes,
// italic speakers and footer).
func TestAgendaPDFKeepsEuropeanScripts(t *testing.T) {
	start := time.Date(2027, 3, 9, 9, 30, 0, 0, time.UTC)
	m := meeting.Meeting{ID: 7, Fields: meeting.Fields{
		TitleEN: "Łódź seminar — Ελλάδα", TitleFR: "Séminaire de Łódź — Ελλάδα",
		StartsAt: start, EndsAt: start.Add(8 * time.Hour), TimeZone: "Europe/Warsaw",
		VenueEN: "Uniwersytet Łódzki, Łódź",
	}}
	parent := int64(1)
	items := []meeting.Item{
		{ID: 1, Number: "1", ItemFields: meeting.ItemFields{
			TitleEN: "Opening — Україна", TitleFR: "Ouverture — Україна",
			NotesEN: "Report of Republika Српска", NotesFR: "Rapport de la Republika Српска",
			Speakers: meeting.Speakers{{Name: "Ștefan Țăran", Function: "Chair"}, {Name: "Çağrı Şahin"}},
		}},
		{ID: 2, Number: "1.1", ItemFields: meeting.ItemFields{ParentID: &parent,
			TitleEN: "Tour de table: Čeština, Ελληνικά", TitleFR: "Tour de table : Čeština, Ελληνικά"}},
	}
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			labels := printout.Labels{Agenda: "Agenda", Speakers: "Speakers:", TimesNote: "Times: Europe/Warsaw", Printed: "Printed — Ελλάδα"}
			pdf, err := printout.AgendaPDF(m, items, lang, labels)
			if err != nil {
				t.Fatal(err)
			}
			text := pdftest.Text(t, pdf)
			for _, want := range []string{
				m.Title(lang), "Uniwersytet Łódzki, Łódź", items[0].Title(lang), items[0].Notes(lang),
				"Ștefan Țăran (Chair); Çağrı Şahin", items[1].Title(lang), "Printed — Ελλάδα",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the PDF reads %q\nwithout %q", text, want)
				}
			}
		})
	}
}
