package document

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coe-agora/agora/internal/apperr"
)

// kind is a type of file Agora accepts: its Content-Type and the
// extensions its name may have.
type kind struct {
	contentType string
	exts        []string
}

// The accepted kinds. Anything else — HTML, SVG, XML, scripts,
// executables, plain ZIP archives — is refused, whatever its name says.
var (
	kindPDF  = kind{"application/pdf", []string{".pdf"}}
	kindPNG  = kind{"image/png", []string{".png"}}
	kindJPEG = kind{"image/jpeg", []string{".jpg", ".jpeg"}}
	kindGIF  = kind{"image/gif", []string{".gif"}}
	kindWEBP = kind{"image/webp", []string{".webp"}}
	kindText = kind{"text/plain; charset=utf-8", []string{".txt", ".md"}}
	kindCSV  = kind{"text/csv; charset=utf-8", []string{".csv"}}
	kindDOCX = kind{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}}
	kindXLSX = kind{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}}
	kindPPTX = kind{"application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"}}
	kindODT  = kind{"application/vnd.oasis.opendocument.text", []string{".odt"}}
	kindODS  = kind{"application/vnd.oasis.opendocument.spreadsheet", []string{".ods"}}
	kindODP  = kind{"application/vnd.oasis.opendocument.presentation", []string{".odp"}}
	kindDOC  = kind{"application/msword", []string{".doc"}}
	kindXLS  = kind{"application/vnd.ms-excel", []string{".xls"}}
	kindPPT  = kind{"application/vnd.ms-powerpoint", []string{".ppt"}}
)

// sniffLen is how much of a file's start sniff looks at.
const sniffLen = 4096

// sniff decides what a file is from its bytes — its start, and for ZIP
// containers its table of contents (read through zr) — and checks that
// its name's extension agrees. It returns the Content-Type to serve it
// with; the one the client declared is never believed.
func sniff(head []byte, filename string, size int64, zr io.ReaderAt) (string, error) {
	ext := strings.ToLower(path.Ext(filename))
	var k kind
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		k = kindPDF
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		k = kindPNG
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		k = kindJPEG
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		k = kindGIF
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		k = kindWEBP
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		// The old binary Office formats share one container; the name tells which.
		switch ext {
		case ".xls":
			k = kindXLS
		case ".ppt":
			k = kindPPT
		default:
			k = kindDOC
		}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		var ok bool
		if k, ok = officeKind(zr, size); !ok {
			return "", apperr.InvalidField("file", apperr.M("err.doc_type"))
		}
	default:
		text, markup := textKind(head)
		if markup {
			return "", apperr.InvalidField("file", apperr.M("err.doc_markup"))
		}
		if !text {
			return "", apperr.InvalidField("file", apperr.M("err.doc_type"))
		}
		k = kindText
		if ext == ".csv" {
			k = kindCSV
		}
	}
	for _, e := range k.exts {
		if e == ext {
			return k.contentType, nil
		}
	}
	return "", apperr.InvalidField("file", apperr.M("err.doc_extension", "Ext", ext, "Want", strings.Join(k.exts, ", ")))
}

// officeKind tells an Office Open XML or OpenDocument file from any other
// ZIP archive by its entries.
func officeKind(r io.ReaderAt, size int64) (kind, bool) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return kind{}, false
	}
	var contentTypes bool
	prefix := map[string]bool{}
	for _, f := range z.File {
		switch {
		case f.Name == "mimetype" && f.UncompressedSize64 < 200:
			rc, err := f.Open()
			if err != nil {
				return kind{}, false
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 200))
			rc.Close()
			switch strings.TrimSpace(string(b)) {
			case kindODT.contentType:
				return kindODT, true
			case kindODS.contentType:
				return kindODS, true
			case kindODP.contentType:
				return kindODP, true
			}
			return kind{}, false
		case f.Name == "[Content_Types].xml":
			contentTypes = true
		default:
			if top, _, ok := strings.Cut(f.Name, "/"); ok {
				prefix[top] = true
			}
		}
	}
	switch {
	case !contentTypes:
		return kind{}, false
	case prefix["word"]:
		return kindDOCX, true
	case prefix["xl"]:
		return kindXLSX, true
	case prefix["ppt"]:
		return kindPPTX, true
	}
	return kind{}, false
}

// textKind reports whether head is the start of a UTF-8 text, and whether
// it is markup (HTML, SVG, XML: it starts with "<"), which is refused.
func textKind(head []byte) (text, markup bool) {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeftFunc(b, unicode.IsSpace)
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return false, true
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return false, false
	}
	// The head may end inside a character.
	for i := 0; i < utf8.UTFMax && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	if !utf8.Valid(b) {
		return false, false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			return false, false
		}
	}
	lower := bytes.ToLower(b)
	for _, tag := range []string{"<script", "<svg", "<html", "<iframe", "<!doctype"} {
		if bytes.Contains(lower, []byte(tag)) {
			return false, true
		}
	}
	return true, false
}
