package digest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/meeting"
)

// The document changes the digest tells (internal/document records them).
const (
	docPublish = "document.publish"
	docReplace = "document.replace"
	docUpdate  = "document.update"
)

// docNews is a document published or replaced within a burst.
type docNews struct {
	id       int64
	replaced bool
	// Set by documentsNow: the document as it stands.
	symbol, titleEN, titleFR string
}

// documentNews lists, in order, the documents a burst published (a first
// file, or a secretariat document opened to participants) or replaced.
// A document both published and replaced in one burst is new.
func documentNews(cs []meeting.Change) []docNews {
	var out []docNews
	seen := map[int64]int{}
	for _, c := range cs {
		var ref struct {
			ID int64 `json:"document_id"`
		}
		replaced := false
		switch {
		case c.What == docPublish:
		case c.What == docReplace:
			replaced = true
		case c.What == docUpdate && c.Field == "access" && str(c.Before) == "secretariat":
		default:
			continue
		}
		_ = json.Unmarshal(c.After, &ref)
		if ref.ID == 0 {
			continue
		}
		if i, ok := seen[ref.ID]; ok {
			out[i].replaced = out[i].replaced && replaced
			continue
		}
		seen[ref.ID] = len(out)
		out = append(out, docNews{id: ref.ID, replaced: replaced})
	}
	return out
}

// documentsNow keeps the news of documents that participants may read
// now (not withdrawn, not the secretariat's), with their current titles.
func documentsNow(ctx context.Context, tx *sqlx.Tx, news []docNews) ([]docNews, error) {
	if len(news) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(news))
	for i, n := range news {
		ids[i] = n.id
	}
	var rows []struct {
		ID      int64  `db:"id"`
		Symbol  string `db:"symbol"`
		TitleEN string `db:"title_en"`
		TitleFR string `db:"title_fr"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, symbol, title_en, title_fr FROM documents
		WHERE id = ANY($1) AND withdrawn_at IS NULL AND access <> 'secretariat'`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	now := map[int64]int{}
	for i, r := range rows {
		now[r.ID] = i
	}
	var out []docNews
	for _, n := range news {
		if i, ok := now[n.id]; ok {
			n.symbol, n.titleEN, n.titleFR = rows[i].Symbol, rows[i].TitleEN, rows[i].TitleFR
			out = append(out, n)
		}
	}
	return out, nil
}

// documentLines renders document news in lang: "New document: P-PG (2027)
// 3 'Draft conclusions'".
func documentLines(news []docNews, lang string) []string {
	w := wordsIn(lang)
	var out []string
	for _, n := range news {
		title := n.titleEN
		if lang == "fr" && n.titleFR != "" || title == "" {
			title = n.titleFR
		}
		name := w.quote(title)
		if n.symbol != "" {
			name = n.symbol + " " + name
		}
		format := w.docNew
		if n.replaced {
			format = w.docReplaced
		}
		out = append(out, fmt.Sprintf(format, name))
	}
	return out
}
