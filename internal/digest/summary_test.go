package digest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/meeting"
)

var paris, _ = time.LoadLocation("Europe/Paris")

func parisTime(day, hour, minute int) *time.Time {
	t := time.Date(2027, time.March, day, hour, minute, 0, 0, paris)
	return &t
}

// ch is a recorded change as the history holds it (JSON null for nil).
func ch(what, field string, item int64, before, after any) meeting.Change {
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	c := meeting.Change{What: what, Field: field, Before: raw(before), After: raw(after)}
	if item != 0 {
		c.AgendaItemID = &item
	}
	return c
}

func TestSummaryLines(t *testing.T) {
	m := meeting.Meeting{ID: 7, Fields: meeting.Fields{
		TitleEN: "Plenary", TitleFR: "Plénière", TimeZone: "Europe/Paris",
		VenueEN: "Human Rights Building", VenueFR: "Palais des droits de l'homme",
		StartsAt: *parisTime(9, 9, 0), EndsAt: *parisTime(10, 17, 0),
	}}
	one := int64(1)
	agenda := map[int64]meeting.Item{
		1: {ID: 1, Number: "1", ItemFields: meeting.ItemFields{TitleEN: "Opening", TitleFR: "Ouverture",
			StartsAt: parisTime(9, 10, 0), EndsAt: parisTime(9, 10, 30)}},
		2: {ID: 2, Number: "2", ItemFields: meeting.ItemFields{TitleEN: "Budget", TitleFR: "Budget"}},
		3: {ID: 3, Number: "2.1", ItemFields: meeting.ItemFields{ParentID: &one, TitleEN: "Working methods"}},
	}
	tests := []struct {
		name     string
		changes  []meeting.Change
		en, fr   []string
		calendar bool
	}{
		{
			name: "venue changed twice: first before, last after, each reader in their language",
			changes: []meeting.Change{
				ch("update", "venue_en", 0, "Palace of Europe", "Agora building"),
				ch("update", "venue_fr", 0, "Palais de l'Europe", "Palais des droits de l'homme"),
				ch("update", "venue_en", 0, "Agora building", "Human Rights Building"),
			},
			en:       []string{"Venue: Palace of Europe → Human Rights Building"},
			fr:       []string{"Lieu : Palais de l'Europe → Palais des droits de l'homme"},
			calendar: true,
		},
		{
			name: "venue changed and changed back: no news",
			changes: []meeting.Change{
				ch("update", "venue_en", 0, "Palace of Europe", "Agora building"),
				ch("update", "venue_en", 0, "Agora building", "Palace of Europe"),
			},
		},
		{
			name: "venue recorded before it had two languages",
			changes: []meeting.Change{
				ch("update", "venue", 0, "Palais de l'Europe", "Agora building"),
			},
			en:       []string{"Venue: Palais de l'Europe → Agora building"},
			fr:       []string{"Lieu : Palais de l'Europe → Agora building"},
			calendar: true,
		},
		{
			name: "dates, in the meeting's time zone",
			changes: []meeting.Change{
				ch("update", "starts_at", 0, parisTime(9, 9, 30), parisTime(9, 9, 0)),
				ch("update", "format", 0, "in_person", "hybrid"),
				ch("update", "online_url", 0, "", "https://meet.example.org/plenary"),
			},
			en: []string{
				"Start: Tuesday 9 March 2027, 09:30 → Tuesday 9 March 2027, 09:00",
				"Format: in person → hybrid (in person and online)",
				"Online link: (none) → https://meet.example.org/plenary",
			},
			fr: []string{
				"Début : mardi 9 mars 2027, 09:30 → mardi 9 mars 2027, 09:00",
				"Format : en présentiel → hybride (en présentiel et en ligne)",
				"Lien en ligne : (aucun) → https://meet.example.org/plenary",
			},
			calendar: true,
		},
		{
			name:    "English title corrected: French readers are not concerned",
			changes: []meeting.Change{ch("update", "title_en", 0, "Plenay", "Plenary")},
			en:      []string{"Title: Plenay → Plenary"},
		},
		{
			name: "description and fields delegates do not see",
			changes: []meeting.Change{
				ch("update", "description_en", 0, "a", "b"), ch("update", "description_fr", 0, "a", "b"),
				ch("update", "seats_per_state", 0, 2, 3), ch("update", "invited_states", 0, []string{}, []string{"FR"}),
				ch("publish", "status", 0, "draft", "published"),
			},
			en: []string{"Description updated"},
			fr: []string{"Description mise à jour"},
		},
		{
			name:    "item removed: its title comes from the history",
			changes: []meeting.Change{ch("agenda.delete", "", 9, map[string]any{"id": 9, "title_en": "Any other business", "title_fr": "Divers"}, nil)},
			en:      []string{"Agenda: item 'Any other business' removed"},
			fr:      []string{"Ordre du jour : point « Divers » supprimé"},
		},
		{
			name: "item added then renamed, and one added then removed",
			changes: []meeting.Change{
				ch("agenda.add", "", 2, nil, map[string]any{"title_en": "Budgte", "title_fr": "Budget"}),
				ch("agenda.update", "title_en", 2, "Budgte", "Budget"),
				ch("agenda.add", "", 8, nil, map[string]any{"title_en": "Oops", "title_fr": "Oups"}),
				ch("agenda.delete", "", 8, map[string]any{"title_en": "Oops", "title_fr": "Oups"}, nil),
			},
			en: []string{"Agenda: item 2 'Budget' added"},
			fr: []string{"Ordre du jour : point 2 « Budget » ajouté"},
		},
		{
			name: "item moved to the next day, renamed, new speakers",
			changes: []meeting.Change{
				ch("agenda.update", "starts_at", 1, parisTime(9, 10, 0), parisTime(10, 10, 0)),
				ch("agenda.update", "ends_at", 1, parisTime(9, 10, 30), parisTime(10, 10, 30)),
				ch("agenda.update", "title_fr", 1, "Ouvertur", "Ouverture"),
				ch("agenda.update", "speakers", 1, []map[string]string{{"name": "A. Chair"}},
					[]map[string]string{{"name": "A. Chair"}, {"name": "B. Rapporteur"}}),
			},
			en: []string{
				"Agenda item 'Opening': time changed Tuesday 9 March 2027, 10:00–10:30 → Wednesday 10 March 2027, 10:00–10:30",
				"Agenda item 'Opening': speakers changed: A. Chair → A. Chair, B. Rapporteur",
			},
			fr: []string{
				"Point « Ouverture » de l'ordre du jour : horaire modifié mardi 9 mars 2027, 10:00–10:30 → mercredi 10 mars 2027, 10:00–10:30",
				"Point « Ouvertur » de l'ordre du jour : renommé « Ouverture »",
				"Point « Ouverture » de l'ordre du jour : intervenants modifiés : A. Chair → A. Chair, B. Rapporteur",
			},
		},
		{
			name: "sub-item with an English title only: French readers see its English changes",
			changes: []meeting.Change{
				ch("agenda.update", "parent_id", 3, nil, 1),
				ch("agenda.update", "notes_en", 3, "", "See document T-PC (2027) 1"),
				ch("agenda.update", "starts_at", 3, nil, parisTime(9, 11, 0)),
			},
			en: []string{
				"Agenda item 'Working methods': moved (now item 2.1)",
				"Agenda item 'Working methods': notes updated",
				"Agenda item 'Working methods': time changed no set time → Tuesday 9 March 2027, 11:00",
			},
			fr: []string{
				"Point « Working methods » de l'ordre du jour : déplacé (désormais point 2.1)",
				"Point « Working methods » de l'ordre du jour : notes mises à jour",
				"Point « Working methods » de l'ordre du jour : horaire modifié sans horaire → mardi 9 mars 2027, 11:00",
			},
		},
		{
			name:    "changes of an item removed since, with its parent",
			changes: []meeting.Change{ch("agenda.update", "title_en", 42, "A", "B")},
		},
		{
			name: "reordered, and reordered back",
			changes: []meeting.Change{
				ch("agenda.reorder", "order", 0, []int64{1, 2}, []int64{2, 1}),
			},
			en: []string{"Agenda: items reordered"},
			fr: []string{"Ordre du jour : ordre des points modifié"},
		},
		{
			name: "reordered back",
			changes: []meeting.Change{
				ch("agenda.reorder", "order", 0, []int64{1, 2}, []int64{2, 1}),
				ch("agenda.reorder", "order", 0, []int64{2, 1}, []int64{1, 2}),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := summarize(tt.changes)
			for lang, want := range map[string][]string{"en": tt.en, "fr": tt.fr} {
				if got := n.lines(lang, m, agenda); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s:\n got %q\nwant %q", lang, got, want)
				}
			}
			if got := n.timeOrPlaceChanged(); got != tt.calendar {
				t.Errorf("calendar update: %v, want %v", got, tt.calendar)
			}
		})
	}
}

func TestNumbered(t *testing.T) {
	p := int64(10)
	items := numbered([]meeting.Item{
		{ID: 11, ItemFields: meeting.ItemFields{ParentID: &p, Position: 2}},
		{ID: 20, ItemFields: meeting.ItemFields{Position: 2}},
		{ID: 10, ItemFields: meeting.ItemFields{Position: 1}},
		{ID: 12, ItemFields: meeting.ItemFields{ParentID: &p, Position: 1}},
	})
	want := map[int64]string{10: "1", 12: "1.1", 11: "1.2", 20: "2"}
	for id, num := range want {
		if items[id].Number != num {
			t.Errorf("item %d is numbered %q, want %q", id, items[id].Number, num)
		}
	}
}
