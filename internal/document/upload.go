package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

// Upload is a file to store as a document's file in one language.
type Upload struct {
	Language string
	Filename string
	Body     io.Reader
	// SHA256, when the sender gave it (hex), must match the bytes received.
	SHA256 string
}

var languageCode = regexp.MustCompile(`^[a-z]{2}$`)

// CleanFilename keeps the last element of a path a client sent, without
// control characters, at most 200 characters; "" when nothing is left.
func CleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == "/" {
		return ""
	}
	if r := []rune(name); len(r) > 200 {
		ext := path.Ext(name)
		name = string(r[:200-len([]rune(ext))]) + ext
	}
	return name
}

// PutFile stores up as the document's file in its language; a file
// already there becomes an earlier version. The bytes go to the database
// chunk by chunk as they arrive, in one transaction with the file's row:
// if the upload stops (client gone, too large, refused content), the
// transaction is rolled back and nothing of it remains. The document is
// locked only at the end, to number the version.
func (s *Service) PutFile(ctx context.Context, a auth.Actor, docID int64, up Upload) (Document, error) {
	if err := requireManager(a); err != nil {
		return Document{}, err
	}
	up.Filename = CleanFilename(up.Filename)
	errs := apperr.Fields{}
	if !languageCode.MatchString(up.Language) {
		errs.Add("language", apperr.M("err.doc_language"))
	}
	if up.Filename == "" || path.Ext(up.Filename) == "" {
		errs.Add("filename", apperr.M("err.doc_filename"))
	}
	if err := errs.Err(); err != nil {
		return Document{}, err
	}
	if _, err := getDocument(ctx, s.db, docID, ""); err != nil {
		return Document{}, err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Document{}, fmt.Errorf("document: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	d, err := s.putFile(ctx, tx, a, docID, up)
	if err != nil {
		return Document{}, err
	}
	if err := tx.Commit(); err != nil {
		return Document{}, fmt.Errorf("document: commit: %w", err)
	}
	one := []Document{d}
	err = attachFiles(ctx, s.db, one, true)
	return one[0], err
}

func (s *Service) putFile(ctx context.Context, tx *sqlx.Tx, a auth.Actor, docID int64, up Upload) (Document, error) {
	f := File{DocumentID: docID, Language: up.Language, Filename: up.Filename, ChunkSize: ChunkSize}
	err := tx.GetContext(ctx, &f.ID, `
		INSERT INTO document_files (document_id, language, filename, content_type, size, sha256, chunk_size, uploaded_by)
		VALUES ($1, $2, $3, '', 0, '', $4, nullif($5, 0)) RETURNING id`, docID, up.Language, up.Filename, ChunkSize, a.ID())
	if err != nil {
		return Document{}, fmt.Errorf("document: file row: %w", err)
	}
	sum := sha256.New()
	buf := make([]byte, ChunkSize)
	var head []byte
	body := io.LimitReader(up.Body, s.cfg.MaxBytes+1)
	for n := 0; ; n++ {
		k, rerr := io.ReadFull(body, buf)
		if k > 0 {
			f.Size += int64(k)
			if f.Size > s.cfg.MaxBytes {
				return Document{}, s.tooLarge()
			}
			if head == nil {
				head = append([]byte(nil), buf[:min(k, sniffLen)]...)
			}
			sum.Write(buf[:k])
			if _, err := tx.ExecContext(ctx, `INSERT INTO document_chunks (file_id, n, data) VALUES ($1, $2, $3)`, f.ID, n, buf[:k]); err != nil {
				return Document{}, fmt.Errorf("document: chunk %d: %w", n, err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			var maxBytes *http.MaxBytesError
			if errors.As(rerr, &maxBytes) {
				return Document{}, s.tooLarge()
			}
			return Document{}, apperr.Wrap(rerr, apperr.Malformed, apperr.M("err.doc_interrupted"))
		}
	}
	if f.Size == 0 {
		return Document{}, apperr.InvalidField("file", apperr.M("err.doc_empty"))
	}
	f.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if up.SHA256 != "" && !strings.EqualFold(up.SHA256, f.SHA256) {
		return Document{}, apperr.InvalidField("file", apperr.M("err.doc_checksum"))
	}
	// Office files are ZIP archives: their table of contents, at the end,
	// is read back from the chunks just written.
	if f.ContentType, err = sniff(head, up.Filename, f.Size, NewContent(ctx, tx, f)); err != nil {
		return Document{}, err
	}
	d, err := getDocument(ctx, tx, docID, " FOR NO KEY UPDATE")
	if err != nil {
		return Document{}, err // withdrawn meanwhile
	}
	err = tx.GetContext(ctx, &f.Version, `
		UPDATE document_files SET content_type = $2, size = $3, sha256 = $4,
			version = (SELECT coalesce(max(version), 0) + 1 FROM document_files WHERE document_id = $5 AND language = $6)
		WHERE id = $1 RETURNING version`, f.ID, f.ContentType, f.Size, f.SHA256, docID, up.Language)
	if err != nil {
		return Document{}, fmt.Errorf("document: file version: %w", err)
	}
	if err := tx.GetContext(ctx, &d.UpdatedAt, `UPDATE documents SET updated_at = now() WHERE id = $1 RETURNING updated_at`, docID); err != nil {
		return Document{}, fmt.Errorf("document: touch: %w", err)
	}
	what := ChangePublish
	if f.Version > 1 {
		what = ChangeReplace
	}
	after := docJSON(d)
	after["language"], after["version"] = f.Language, f.Version
	return d, s.record(ctx, tx, a, d, what, "", nil, after, map[string]any{"language": f.Language, "version": f.Version, "size": f.Size})
}

func (s *Service) tooLarge() error {
	return apperr.New(apperr.TooLarge, apperr.M("err.doc_too_large", "N", s.cfg.MaxBytes))
}

// CreateWithFile adds a document with its first file in one transaction,
// so a refused or interrupted upload leaves no empty document behind. Its
// position is read without the meeting's lock, which an upload must not
// hold for minutes: two documents added at once may share a position, and
// are then shown in the order they were added.
func (s *Service) CreateWithFile(ctx context.Context, a auth.Actor, meetingID int64, f Fields, up Upload) (Document, error) {
	if err := requireManager(a); err != nil {
		return Document{}, err
	}
	if _, err := s.meetings.Meeting(ctx, a, meetingID); err != nil {
		return Document{}, err
	}
	if err := s.check(ctx, s.db, meetingID, &f); err != nil {
		return Document{}, err
	}
	up.Filename = CleanFilename(up.Filename)
	if !languageCode.MatchString(up.Language) {
		return Document{}, apperr.InvalidField("language", apperr.M("err.doc_language"))
	}
	if up.Filename == "" || path.Ext(up.Filename) == "" {
		return Document{}, apperr.InvalidField("filename", apperr.M("err.doc_filename"))
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Document{}, fmt.Errorf("document: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	var d Document
	err = tx.GetContext(ctx, &d, `
		INSERT INTO documents (meeting_id, agenda_item_id, symbol, title_en, title_fr, access, position, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(max(position), 0) + 1 FROM documents WHERE meeting_id = $1), nullif($7, 0))
		RETURNING `+docColumns, meetingID, f.AgendaItemID, f.Symbol, f.TitleEN, f.TitleFR, f.Access, a.ID())
	if err != nil {
		return Document{}, fmt.Errorf("document: insert: %w", err)
	}
	if err := s.record(ctx, tx, a, d, ChangeCreate, "", nil, docJSON(d), nil); err != nil {
		return Document{}, err
	}
	if d, err = s.putFile(ctx, tx, a, d.ID, up); err != nil {
		return Document{}, err
	}
	if err := tx.Commit(); err != nil {
		return Document{}, fmt.Errorf("document: commit: %w", err)
	}
	one := []Document{d}
	err = attachFiles(ctx, s.db, one, true)
	return one[0], err
}
