package mail

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Attachment is a file attached to emails, stored once (mail_attachments)
// and shared by every email that carries it.
type Attachment struct {
	Filename    string
	ContentType string
	Content     []byte
}

var (
	attachmentNameRE = regexp.MustCompile(`^[^\r\n"/\\]{1,200}$`)
	contentTypeRE    = regexp.MustCompile(`^[a-z]+/[a-z0-9.+-]+$`)
)

// StoreAttachments stores files inside tx and returns their ids in
// order, for [Outbox.Attach].
func (o *Outbox) StoreAttachments(ctx context.Context, tx *sqlx.Tx, files []Attachment) ([]int64, error) {
	for _, f := range files {
		if !attachmentNameRE.MatchString(f.Filename) || !contentTypeRE.MatchString(f.ContentType) {
			return nil, fmt.Errorf("mail: attachment %q (%s): bad name or type", f.Filename, f.ContentType)
		}
	}
	ids, err := insertAttachments(ctx, tx, files, nil)
	if err == nil && len(ids) != len(files) {
		err = fmt.Errorf("mail: stored %d attachments of %d", len(ids), len(files))
	}
	return ids, err
}

// attachmentsPerInsert bounds the rows of one INSERT (four parameters
// each, under PostgreSQL's 65,535).
const attachmentsPerInsert = 200

// insertAttachments stores files (under keys, when given: a key already
// stored keeps its file and returns no id) and returns the new ids in
// order. Each file is a parameter of its own: sent as one bytea array,
// PostgreSQL parsed the whole array as text, which cost three times as
// much as the rows for a run's letters.
func insertAttachments(ctx context.Context, tx *sqlx.Tx, files []Attachment, keys []string) ([]int64, error) {
	var ids []int64
	for start := 0; start < len(files); start += attachmentsPerInsert {
		chunk := files[start:min(start+attachmentsPerInsert, len(files))]
		var q strings.Builder
		q.WriteString(`INSERT INTO mail_attachments (filename, content_type, content, cache_key) VALUES `)
		args := make([]any, 0, 4*len(chunk))
		for i, f := range chunk {
			var key *string
			if keys != nil {
				key = &keys[start+i]
			}
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d::bytea, $%d)", n+1, n+2, n+3, n+4)
			args = append(args, f.Filename, f.ContentType, f.Content, key)
		}
		if keys != nil {
			q.WriteString(` ON CONFLICT (cache_key) DO NOTHING`)
		}
		q.WriteString(` RETURNING id`)
		var got []int64
		if err := tx.SelectContext(ctx, &got, q.String(), args...); err != nil {
			return nil, fmt.Errorf("mail: store %d attachments: %w", len(chunk), err)
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// Attach gives the emails queued in tx under the dedupe keys the stored
// attachment of each (by key), in one statement; emails already carrying
// one keep it. Done in the transaction that queued them, before it
// commits, no worker ever sees them without.
func (o *Outbox) Attach(ctx context.Context, tx *sqlx.Tx, byKey map[string]int64) error {
	if len(byKey) == 0 {
		return nil
	}
	keys, ids := make([]string, 0, len(byKey)), make([]int64, 0, len(byKey))
	for k, id := range byKey {
		keys, ids = append(keys, k), append(ids, id)
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE outgoing_mail m SET attachment_id = u.id
		FROM unnest($1::text[], $2::bigint[]) AS u(key, id)
		WHERE m.dedupe_key = u.key AND m.attachment_id IS NULL`, pq.StringArray(keys), pq.Int64Array(ids))
	if err != nil {
		return fmt.Errorf("mail: attach: %w", err)
	}
	return nil
}

// StoreShared stores documents that may be reused, each under its key
// (say, a state's invitation letter for one version of a meeting), inside
// tx; a key already stored keeps its document. It returns the ids of all
// the keys.
func (o *Outbox) StoreShared(ctx context.Context, tx *sqlx.Tx, byKey map[string]Attachment) (map[string]int64, error) {
	if len(byKey) == 0 {
		return map[string]int64{}, nil
	}
	keys := make([]string, 0, len(byKey))
	files := make([]Attachment, 0, len(byKey))
	for key, f := range byKey {
		if key == "" || len(key) > 500 || !attachmentNameRE.MatchString(f.Filename) || !contentTypeRE.MatchString(f.ContentType) {
			return nil, fmt.Errorf("mail: attachment %q (%s) under %q: bad name, type or key", f.Filename, f.ContentType, key)
		}
		keys, files = append(keys, key), append(files, f)
	}
	if _, err := insertAttachments(ctx, tx, files, keys); err != nil {
		return nil, fmt.Errorf("mail: store %d shared attachments: %w", len(keys), err)
	}
	ids, err := o.SharedAttachments(ctx, tx, keys)
	if err == nil && len(ids) != len(keys) {
		err = fmt.Errorf("mail: %d shared attachments of %d stored", len(ids), len(keys))
	}
	return ids, err
}

// SharedAttachments returns the ids of the documents stored under keys
// (StoreShared), for those that are.
func (o *Outbox) SharedAttachments(ctx context.Context, tx *sqlx.Tx, keys []string) (map[string]int64, error) {
	var rows []struct {
		Key string `db:"cache_key"`
		ID  int64  `db:"id"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT cache_key, id FROM mail_attachments WHERE cache_key = ANY($1)`, pq.StringArray(keys)); err != nil {
		return nil, fmt.Errorf("mail: shared attachments: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] = r.ID
	}
	return out, nil
}
