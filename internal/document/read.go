package document

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/coe-agora/agora/internal/meeting"
)

// Open returns a document's file in lang for r to download: the current
// one (version 0), or an earlier version (the secretariat only). Files r
// may not read are not found.
func (s *Service) Open(ctx context.Context, r Reader, docID int64, lang string, version int) (File, *Content, error) {
	d, level, err := s.Document(ctx, r, docID)
	if err != nil {
		return File{}, nil, err
	}
	if version > 0 && level != ReadAll {
		return File{}, nil, errNoDocument()
	}
	f, err := fileOf(ctx, s.db, d.ID, lang, version)
	if err != nil {
		return File{}, nil, err
	}
	return f, NewContent(ctx, s.db, f), nil
}

// Archive names the ZIP of a meeting's documents.
func Archive(m meeting.Meeting, lang string) string {
	return fmt.Sprintf("meeting-%d-documents-%s.zip", m.ID, lang)
}

// WriteZip writes to w a ZIP of every document of the meeting r may read,
// each in lang, else in the other language (else any), in the documents'
// order. Files are read chunk by chunk and stored as they are (PDF and
// Office files are compressed already), so the archive streams.
func (s *Service) WriteZip(ctx context.Context, r Reader, meetingID int64, lang string, w io.Writer) error {
	ds, _, err := s.Documents(ctx, r, meetingID)
	if err != nil {
		return err
	}
	return s.writeZip(ctx, ds, lang, w)
}

// ZipReady checks that r may list the meeting's documents, before any
// byte of the archive is sent.
func (s *Service) ZipReady(ctx context.Context, r Reader, meetingID int64) (meeting.Meeting, error) {
	m, _, err := s.Level(ctx, r, meetingID)
	return m, err
}

func (s *Service) writeZip(ctx context.Context, ds []Document, lang string, w io.Writer) error {
	z := zip.NewWriter(w)
	used := map[string]bool{}
	for i, d := range ds {
		f, ok := d.File(lang)
		if !ok {
			continue
		}
		name := zipName(i+1, d, f, used)
		hw, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: f.UpdatedAt})
		if err != nil {
			return fmt.Errorf("document: zip: %w", err)
		}
		if _, err := io.Copy(hw, NewContent(ctx, s.db, f)); err != nil {
			return fmt.Errorf("document: zip %s: %w", name, err)
		}
	}
	return z.Close()
}

// zipName is "03 P-PG (2027) 3 - report.pdf": the position keeps the
// documents' order, the symbol tells them apart.
func zipName(n int, d Document, f File, used map[string]bool) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r == ':' {
				return '-'
			}
			return r
		}, s)
	}
	name := fmt.Sprintf("%02d %s", n, clean(f.Filename))
	if d.Symbol != "" {
		name = fmt.Sprintf("%02d %s - %s", n, clean(d.Symbol), clean(f.Filename))
	}
	for k := 2; used[name]; k++ {
		ext := path.Ext(name)
		name = fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(name, ext), k, ext)
	}
	used[name] = true
	return name
}
