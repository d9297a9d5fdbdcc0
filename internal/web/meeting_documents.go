package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/meeting"
)

// docLink is one document as the meeting pages list it: in the page's
// language (else the other), with the other language offered.
type docLink struct {
	Symbol, Title   string
	URL, Filename   string
	Lang            string // the language of URL's file
	OtherURL, Other string // another language's file and its language ("" when none)
	OtherName       string // that language's name in the page's language
	Size            string // "1.2 MB"
}

// docsView is what the meeting pages show of the documents the visitor
// may read: under their agenda item, or the meeting's general ones.
type docsView struct {
	ByItem  map[int64][]docLink
	General []docLink
	ZipURL  string
	Any     bool
}

// Of returns the documents of an agenda item (for templates).
func (v *docsView) Of(itemID int64) []docLink {
	if v == nil {
		return nil
	}
	return v.ByItem[itemID]
}

// meetingDocuments builds the documents part of a meeting page for reader;
// token, when set, is the manage link the download addresses go through.
// Documents under an item no longer on the agenda are shown as general.
func (s *Server) meetingDocuments(ctx context.Context, r document.Reader, m meeting.Meeting, items []meeting.Item, lang, token string) (*docsView, error) {
	if s.deps.Documents == nil {
		return nil, nil
	}
	ds, _, err := s.deps.Documents.Documents(ctx, r, m.ID)
	if err != nil {
		return nil, err
	}
	ds = withURLs(ds, token)
	onAgenda := map[int64]bool{}
	for _, it := range items {
		onAgenda[it.ID] = true
	}
	v := &docsView{ByItem: map[int64][]docLink{}, ZipURL: fmt.Sprintf("/meetings/%d/documents.zip?lang=%s", m.ID, lang)}
	if token != "" {
		v.ZipURL = fmt.Sprintf("/api/v1/manage/%s/documents.zip?lang=%s", token, lang)
	}
	for _, d := range ds {
		f, ok := d.File(lang)
		if !ok {
			continue
		}
		l := docLink{Symbol: d.Symbol, Title: d.Title(lang), URL: f.URL, Filename: f.Filename, Lang: f.Language, Size: f.SizeText()}
		for _, o := range d.Files {
			if o.Language != f.Language {
				l.OtherURL, l.Other, l.OtherName = o.URL, o.Language, strings.ToUpper(o.Language)
				if o.Language == "en" || o.Language == "fr" {
					l.OtherName = s.cat.T(lang, "lang."+o.Language, nil)
				}
				break
			}
		}
		v.Any = true
		if d.AgendaItemID != nil && onAgenda[*d.AgendaItemID] {
			v.ByItem[*d.AgendaItemID] = append(v.ByItem[*d.AgendaItemID], l)
		} else {
			v.General = append(v.General, l)
		}
	}
	return v, nil
}

// pdfDocumentLines are the documents of a page as the agenda's PDF lists
// them: symbol and title.
func pdfDocumentLines(v *docsView) (byItem map[int64][]string, general []string) {
	if v == nil {
		return nil, nil
	}
	line := func(l docLink) string {
		if l.Symbol != "" {
			return l.Symbol + " — " + l.Title
		}
		return l.Title
	}
	byItem = map[int64][]string{}
	for id, ls := range v.ByItem {
		for _, l := range ls {
			byItem[id] = append(byItem[id], line(l))
		}
	}
	for _, l := range v.General {
		general = append(general, line(l))
	}
	return byItem, general
}
