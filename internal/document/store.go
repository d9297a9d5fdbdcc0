package document

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

const docColumns = `id, meeting_id, symbol, title_en, title_fr, agenda_item_id, access, position, updated_at`

// getDocument reads a document that is not withdrawn; lock "" or
// " FOR NO KEY UPDATE".
func getDocument(ctx context.Context, q sqlx.QueryerContext, id int64, lock string) (Document, error) {
	var d Document
	err := sqlx.GetContext(ctx, q, &d, `SELECT `+docColumns+` FROM documents WHERE id = $1 AND withdrawn_at IS NULL`+lock, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, errNoDocument()
	}
	if err != nil {
		return Document{}, fmt.Errorf("document: get %d: %w", id, err)
	}
	return d, nil
}

// meetingDocuments lists a meeting's documents that are not withdrawn, in order.
func meetingDocuments(ctx context.Context, q sqlx.QueryerContext, meetingID int64) ([]Document, error) {
	var ds []Document
	err := sqlx.SelectContext(ctx, q, &ds, `SELECT `+docColumns+` FROM documents
		WHERE meeting_id = $1 AND withdrawn_at IS NULL ORDER BY position, id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("document: list of meeting %d: %w", meetingID, err)
	}
	return ds, nil
}

const fileColumns = `id, document_id, language, version, filename, content_type, size, sha256, chunk_size, created_at`

// attachFiles fills each document's current files (the newest version of
// each language, in language order) and, when withVersions, the older ones.
func attachFiles(ctx context.Context, q sqlx.QueryerContext, ds []Document, withVersions bool) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]int64, len(ds))
	at := make(map[int64]int, len(ds))
	for i, d := range ds {
		ids[i], at[d.ID] = d.ID, i
	}
	var fs []File
	err := sqlx.SelectContext(ctx, q, &fs, `SELECT `+fileColumns+` FROM document_files
		WHERE document_id = ANY($1) AND version IS NOT NULL
		ORDER BY document_id, CASE language WHEN 'en' THEN 0 WHEN 'fr' THEN 1 ELSE 2 END, language, version DESC`, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("document: files: %w", err)
	}
	for _, f := range fs {
		d := &ds[at[f.DocumentID]]
		n := len(d.Files)
		if n > 0 && d.Files[n-1].Language == f.Language {
			if withVersions {
				d.Versions = append(d.Versions, f)
			}
			continue
		}
		d.Files = append(d.Files, f)
	}
	for i := range ds {
		if ds[i].Files == nil {
			ds[i].Files = []File{}
		}
	}
	return nil
}

// fileOf reads the file of a document in lang: the current one (version
// 0) or the given version.
func fileOf(ctx context.Context, q sqlx.QueryerContext, docID int64, lang string, version int) (File, error) {
	var f File
	query := `SELECT ` + fileColumns + ` FROM document_files WHERE document_id = $1 AND language = $2 AND version IS NOT NULL`
	args := []any{docID, lang}
	if version > 0 {
		query += ` AND version = $3`
		args = append(args, version)
	} else {
		query += ` ORDER BY version DESC LIMIT 1`
	}
	err := sqlx.GetContext(ctx, q, &f, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, errNoDocument()
	}
	if err != nil {
		return File{}, fmt.Errorf("document: file of %d: %w", docID, err)
	}
	return f, nil
}
