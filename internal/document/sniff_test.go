package document

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
)

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range names {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		body := "x"
		if name == "mimetype" {
			body = names[len(names)-1]
		}
		_, _ = w.Write([]byte(body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// What each kind of file is taken for, from its bytes, and which names
// it may carry.
func TestSniff(t *testing.T) {
	odt := zipWith(t, "mimetype", "content.xml", "application/vnd.oasis.opendocument.text")
	odsNamedOdt := zipWith(t, "mimetype", "content.xml", "application/vnd.oasis.opendocument.spreadsheet")
	for _, c := range []struct {
		name, filename string
		body           []byte
		want           string // "" when refused
	}{
		{"PDF", "a.PDF", []byte("%PDF-1.4\n..."), "application/pdf"},
		{"PNG", "a.png", []byte("\x89PNG\r\n\x1a\n...."), "image/png"},
		{"JPEG", "a.jpeg", []byte("\xff\xd8\xff\xe0...."), "image/jpeg"},
		{"GIF", "a.gif", []byte("GIF89a...."), "image/gif"},
		{"WebP", "a.webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image/webp"},
		{"old Word", "a.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...."), "application/msword"},
		{"old Excel", "a.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...."), "application/vnd.ms-excel"},
		{"old Office named .pdf", "a.pdf", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...."), ""},
		{"DOCX", "a.docx", zipWith(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"XLSX", "a.xlsx", zipWith(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"PPTX", "a.pptx", zipWith(t, "[Content_Types].xml", "ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
		{"XLSX named .docx", "a.docx", zipWith(t, "[Content_Types].xml", "xl/workbook.xml"), ""},
		{"ODT", "a.odt", odt, "application/vnd.oasis.opendocument.text"},
		{"ODS named .odt", "a.odt", odsNamedOdt, ""},
		{"plain ZIP", "a.zip", zipWith(t, "x.exe"), ""},
		{"text", "notes.txt", []byte("Notes — première réunion.\n"), "text/plain; charset=utf-8"},
		{"text with a BOM", "notes.md", []byte("\xef\xbb\xbf# Notes\n"), "text/plain; charset=utf-8"},
		{"CSV", "list.csv", []byte("state;name\nFR;France\n"), "text/csv; charset=utf-8"},
		{"text named .pdf", "a.pdf", []byte("hello"), ""},
		{"HTML", "a.txt", []byte("<!doctype html><p>x"), ""},
		{"HTML later in a text", "a.txt", []byte("hello\n<script>alert(1)</script>"), ""},
		{"SVG", "a.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"XML", "a.xml", []byte(`<?xml version="1.0"?><a/>`), ""},
		{"binary", "a.txt", []byte("\x00\x01\x02"), ""},
		{"Latin-1 text", "a.txt", []byte("caf\xe9 cr\xe8me"), ""},
	} {
		got, err := sniff(c.body, c.filename, int64(len(c.body)), bytes.NewReader(c.body))
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%s: accepted as %q, want refused", c.name, got)
		case c.want == "" && !apperr.Is(err, apperr.Invalid):
			t.Errorf("%s: refused with %v, want a 422", c.name, err)
		case c.want != "" && got != c.want:
			t.Errorf("%s: %q (%v), want %q", c.name, got, err, c.want)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\me\Rapport final.pdf`: "Rapport final.pdf",
		"../../etc/passwd":              "passwd",
		"a\x00b\r\n.pdf":                "ab.pdf",
		`quote".pdf`:                    "quote.pdf",
		"  ":                            "",
		"/":                             "",
	} {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}
