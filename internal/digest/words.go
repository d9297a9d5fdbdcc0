package digest

import "fmt"

// words are the phrases of the summary lines in one language.
type words struct {
	title, start, end, timeZone, format, venue, onlineURL string
	descriptionUpdated                                    string
	none, noTime                                          string
	formats                                               map[string]string
	quote                                                 func(string) string
	// field is "Venue: A → B".
	field string
	// Agenda lines; %s are the quoted title and, for added, the number.
	added, addedNumbered, removed, reordered string
	// item prefixes a change of one agenda item: "Agenda item 'X': ".
	item                                                         string
	timeChanged, renamed, notesUpdated, speakersChanged, movedTo string
	moved, changed                                               string
	// Document lines; %s is the symbol and quoted title.
	docNew, docReplaced string
}

var english = words{
	title: "Title", start: "Start", end: "End", timeZone: "Time zone", format: "Format", venue: "Venue",
	onlineURL:          "Online link",
	descriptionUpdated: "Description updated",
	none:               "(none)",
	noTime:             "no set time",
	formats:            map[string]string{"in_person": "in person", "online": "online", "hybrid": "hybrid (in person and online)"},
	quote:              func(s string) string { return "'" + s + "'" },
	field:              "%s: %s → %s",
	added:              "Agenda: item %s added",
	addedNumbered:      "Agenda: item %s %s added",
	removed:            "Agenda: item %s removed",
	reordered:          "Agenda: items reordered",
	item:               "Agenda item %s: ",
	timeChanged:        "time changed %s → %s",
	renamed:            "renamed %s",
	notesUpdated:       "notes updated",
	speakersChanged:    "speakers changed: %s → %s",
	movedTo:            "moved (now item %s)",
	moved:              "moved",
	changed:            "changed",
	docNew:             "New document: %s",
	docReplaced:        "Document updated: %s",
}

var french = words{
	title: "Titre", start: "Début", end: "Fin", timeZone: "Fuseau horaire", format: "Format", venue: "Lieu",
	onlineURL:          "Lien en ligne",
	descriptionUpdated: "Description mise à jour",
	none:               "(aucun)",
	noTime:             "sans horaire",
	formats:            map[string]string{"in_person": "en présentiel", "online": "en ligne", "hybrid": "hybride (en présentiel et en ligne)"},
	quote:              func(s string) string { return "« " + s + " »" },
	field:              "%s : %s → %s",
	added:              "Ordre du jour : point %s ajouté",
	addedNumbered:      "Ordre du jour : point %s %s ajouté",
	removed:            "Ordre du jour : point %s supprimé",
	reordered:          "Ordre du jour : ordre des points modifié",
	item:               "Point %s de l'ordre du jour : ",
	timeChanged:        "horaire modifié %s → %s",
	renamed:            "renommé %s",
	notesUpdated:       "notes mises à jour",
	speakersChanged:    "intervenants modifiés : %s → %s",
	movedTo:            "déplacé (désormais point %s)",
	moved:              "déplacé",
	changed:            "modifié",
	docNew:             "Nouveau document : %s",
	docReplaced:        "Document mis à jour : %s",
}

func wordsIn(lang string) *words {
	if lang == "fr" {
		return &french
	}
	return &english
}

// fieldLine is "Label: before → after", with "(none)" for an empty value.
func (w *words) fieldLine(label, before, after string) string {
	return fmt.Sprintf(w.field, label, w.orNone(before), w.orNone(after))
}

func (w *words) orNone(s string) string {
	if s == "" {
		return w.none
	}
	return s
}

func (w *words) formatName(f string) string {
	if name, ok := w.formats[f]; ok {
		return name
	}
	return f
}
