package mail

import (
	"context"
	"fmt"
	"regexp"

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

// StoreAttachments stores files inside tx, in one statement, and returns
// their ids in order, for [Outbox.Attach].
func (o *Outbox) StoreAttachments(ctx context.Context, tx *sqlx.Tx, files []Attachment) ([]int64, error) {
	if len(files) == 0 {
		return nil, nil
	}
	names, types := make([]string, len(files)), make([]string, len(files))
	contents := make(pq.ByteaArray, len(files))
	for i, f := range files {
		if !attachmentNameRE.MatchString(f.Filename) || !contentTypeRE.MatchString(f.ContentType) {
			return nil, fmt.Errorf("mail: attachment %q (%s): bad name or type", f.Filename, f.ContentType)
		}
		names[i], types[i], contents[i] = f.Filename, f.ContentType, f.Content
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `
		INSERT INTO mail_attachments (filename, content_type, content)
		SELECT filename, content_type, content FROM unnest($1::text[], $2::text[], $3::bytea[]) WITH ORDINALITY AS u(filename, content_type, content, n)
		ORDER BY n
		RETURNING id`, pq.StringArray(names), pq.StringArray(types), contents)
	if err != nil {
		return nil, fmt.Errorf("mail: store %d attachments: %w", len(files), err)
	}
	if len(ids) != len(files) {
		return nil, fmt.Errorf("mail: stored %d attachments of %d", len(ids), len(files))
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
	var names, types, keys []string
	var contents pq.ByteaArray
	for key, f := range byKey {
		if key == "" || len(key) > 500 || !attachmentNameRE.MatchString(f.Filename) || !contentTypeRE.MatchString(f.ContentType) {
			return nil, fmt.Errorf("mail: attachment %q (%s) under %q: bad name, type or key", f.Filename, f.ContentType, key)
		}
		names, types, keys, contents = append(names, f.Filename), append(types, f.ContentType), append(keys, key), append(contents, f.Content)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO mail_attachments (filename, content_type, content, cache_key)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[])
		ON CONFLICT (cache_key) DO NOTHING`, pq.StringArray(names), pq.StringArray(types), contents, pq.StringArray(keys))
	if err != nil {
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
