package demo

import (
	"bytes"
	"context"
	"fmt"

	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/printout"
)

// documents gives every demo meeting its documents: the draft agenda in
// English and French (real PDFs, public, under the agenda's first item),
// a participants' paper and the secretariat's notes.
func (s *seeder) documents(ctx context.Context) error {
	for i, m := range s.meetings {
		items, err := s.a.Meetings.AgendaOf(ctx, m)
		if err != nil {
			return fmt.Errorf("demo: agenda of %q: %w", m.TitleEN, err)
		}
		symbol := func(n int) string { return fmt.Sprintf("P-PG/%s (%d) %d", kindCode(m.Kind), m.StartsAt.Year(), 10*i+n) }
		agenda := document.Fields{Symbol: symbol(1), TitleEN: "Draft agenda", TitleFR: "Projet d'ordre du jour", Access: document.Public}
		if len(items) > 0 {
			agenda.AgendaItemID = &items[0].ID
		}
		var d document.Document
		for _, lang := range []string{"en", "fr"} {
			pdf, err := printout.AgendaPDF(m, items, lang, printout.Labels{Agenda: map[string]string{"en": "Draft agenda", "fr": "Projet d'ordre du jour"}[lang]})
			if err != nil {
				return fmt.Errorf("demo: agenda PDF: %w", err)
			}
			up := document.Upload{Language: lang, Filename: fmt.Sprintf("draft-agenda-%s.pdf", lang), Body: bytes.NewReader(pdf)}
			if lang == "en" {
				d, err = s.a.Documents.CreateWithFile(ctx, s.secretariat, m.ID, agenda, up)
			} else {
				_, err = s.a.Documents.PutFile(ctx, s.secretariat, d.ID, up)
			}
			if err != nil {
				return fmt.Errorf("demo: draft agenda of %q: %w", m.TitleEN, err)
			}
		}
		for _, extra := range []struct {
			fields   document.Fields
			filename string
			text     string
		}{
			{document.Fields{Symbol: symbol(2), TitleEN: "National reports: summary", TitleFR: "Rapports nationaux : synthèse", Access: document.Participants},
				"national-reports-summary.txt", "Summary of the national reports received for " + m.TitleEN + ".\n\nFor the participants of the meeting only.\n"},
			{document.Fields{Symbol: symbol(3), TitleEN: "Secretariat's speaking notes", TitleFR: "Notes d'intervention du secrétariat", Access: document.Secretariat},
				"speaking-notes.txt", "Speaking notes of the secretariat for " + m.TitleEN + ".\n"},
		} {
			if _, err := s.a.Documents.CreateWithFile(ctx, s.secretariat, m.ID, extra.fields,
				document.Upload{Language: "en", Filename: extra.filename, Body: bytes.NewReader([]byte(extra.text))}); err != nil {
				return fmt.Errorf("demo: document of %q: %w", m.TitleEN, err)
			}
		}
	}
	return nil
}

// kindCode is the short code of a kind of meeting in document symbols.
func kindCode(kind string) string {
	switch kind {
	case "plenary":
		return "PC"
	case "bureau":
		return "BUR"
	case "webinar":
		return "WEB"
	default:
		return "EG"
	}
}
