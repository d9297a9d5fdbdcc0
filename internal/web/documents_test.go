package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/document"
)

// docPDF is a file that passes for a PDF, n bytes long, its bytes varied
// so that a chunk out of place shows.
func docPDF(n int) []byte {
	b := make([]byte, n)
	copy(b, "%PDF-1.7\n")
	for i := 9; i < n; i++ {
		b[i] = byte(i*7 + i/1024)
	}
	return b
}

// newDocument adds a document to the meeting as the secretariat.
func newDocument(t *testing.T, e *apptest.Env, meetingID int64, access, symbol string) document.Document {
	t.Helper()
	var d document.Document
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/documents", meetingID), "secretariat", map[string]any{
		"symbol": symbol, "title_en": "Report " + symbol, "title_fr": "Rapport " + symbol, "access": access}, 201, &d)
	return d
}

// putFile uploads body as the document's file in lang; it returns the
// status and the response body.
func putFile(t *testing.T, e *apptest.Env, as string, docID int64, lang, filename string, body []byte, header ...string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/documents/%d/files/%s", e.URL, docID, lang), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+e.Tokens[as])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// fetch GETs a path as a user (or anonymously) with extra headers.
func fetch(t *testing.T, e *apptest.Env, as, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+e.Tokens[as])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func dbCountOf(t *testing.T, e *apptest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.App.DB.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDocumentUploadDownloadAndVersions(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "P-PG (2027) 3")
	v1 := docPDF(2*document.ChunkSize + 12345) // three chunks, the last one short
	code, b := putFile(t, e, "secretariat", d.ID, "en", "report-en.pdf", v1)
	if code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_chunks c JOIN document_files f ON f.id = c.file_id WHERE f.document_id = $1`, d.ID); n != 3 {
		t.Errorf("%d chunks stored, want 3", n)
	}
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "", nil, 200, &list)
	if len(list.Documents) != 1 || len(list.Documents[0].Files) != 1 {
		t.Fatalf("public list: %+v", list)
	}
	f := list.Documents[0].Files[0]
	sum := sha256.Sum256(v1)
	if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(v1)) || f.ContentType != "application/pdf" {
		t.Errorf("file as listed: %+v", f)
	}

	resp, got := fetch(t, e, "", f.URL)
	if resp.StatusCode != 200 || !bytes.Equal(got, v1) {
		t.Fatalf("download: %d, %d bytes (same: %v)", resp.StatusCode, len(got), bytes.Equal(got, v1))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "report-en.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("headers %v", resp.Header)
	}
	etag := resp.Header.Get("ETag")
	if etag != `"`+f.SHA256+`"` {
		t.Errorf("ETag %q", etag)
	}
	// A range across the first chunk boundary.
	from, to := document.ChunkSize-10, document.ChunkSize+9
	resp, got = fetch(t, e, "", f.URL, "Range", fmt.Sprintf("bytes=%d-%d", from, to))
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, v1[from:to+1]) {
		t.Errorf("range: %d, %d bytes", resp.StatusCode, len(got))
	}
	if resp, _ = fetch(t, e, "", f.URL, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}

	// Replacing keeps the old version, for the secretariat only.
	v2 := docPDF(5000)
	if code, b := putFile(t, e, "secretariat", d.ID, "en", "report-en-rev1.pdf", v2); code != 200 {
		t.Fatalf("replace: %d %s", code, b)
	}
	if resp, got = fetch(t, e, "", f.URL); !bytes.Equal(got, v2) {
		t.Errorf("after replacing, the download is not the new file (%d, %d bytes)", resp.StatusCode, len(got))
	}
	var sec struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &sec)
	if len(sec.Documents[0].Versions) != 1 || sec.Documents[0].Versions[0].Version != 1 {
		t.Fatalf("versions: %+v", sec.Documents[0].Versions)
	}
	old := sec.Documents[0].Versions[0].URL
	if _, got = fetch(t, e, "secretariat", old); !bytes.Equal(got, v1) {
		t.Errorf("the secretariat does not get version 1 back")
	}
	if resp, _ = fetch(t, e, "fp_FR", old); resp.StatusCode != 404 {
		t.Errorf("a focal point reads an old version: %d", resp.StatusCode)
	}
	if strings.Contains(string(mustJSON(t, list)), "versions") {
		t.Errorf("the public list shows versions")
	}

	// Every action is in the audit trail.
	if n := dbCountOf(t, e, `SELECT count(*) FROM audit_log WHERE subject_type = 'document' AND subject_id = $1
		AND action IN ('document.create', 'document.publish', 'document.replace')`, d.ID); n != 3 {
		t.Errorf("%d audit entries for the document, want 3", n)
	}
}

func TestDocumentHostileUploadsAreRefused(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "X")
	html := []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	for _, c := range []struct {
		name, filename string
		body           []byte
	}{
		{"HTML", "page.html", html},
		{"HTML named as a PDF", "report.pdf", html},
		{"HTML after blank lines, as text", "notes.txt", append([]byte("\n\n  "), html...)},
		{"SVG with a script", "chart.svg", svg},
		{"SVG named as a PNG", "chart.png", svg},
		{"a PDF whose name says HTML", "report.html", docPDF(2000)},
		{"a PDF whose name says Word", "report.docx", docPDF(2000)},
		{"a ZIP that is no Office file", "report.docx", zipOf(t, map[string]string{"evil.html": "<script>"})},
		{"an executable", "tool.pdf", append([]byte("MZ\x90\x00"), make([]byte, 100)...)},
	} {
		code, b := putFile(t, e, "secretariat", d.ID, "en", c.filename, c.body)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", c.name, code, b)
		}
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_files`); n != 0 {
		t.Errorf("%d file rows left by refused uploads", n)
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_chunks`); n != 0 {
		t.Errorf("%d chunks left by refused uploads", n)
	}
	// Office files are told by their contents.
	docx := zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
	if code, b := putFile(t, e, "secretariat", d.ID, "fr", "rapport.docx", docx); code != 200 {
		t.Fatalf("docx: %d %s", code, b)
	}
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "", nil, 200, &list)
	if got := list.Documents[0].Files[0].ContentType; got != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
		t.Errorf("docx served as %q", got)
	}
	// Only the secretariat uploads.
	if code, _ := putFile(t, e, "fp_FR", d.ID, "en", "r.pdf", docPDF(100)); code != 403 {
		t.Errorf("a focal point uploads: %d", code)
	}
	if code, _ := putFile(t, e, "", d.ID, "en", "r.pdf", docPDF(100)); code != 401 {
		t.Errorf("anonymous upload: %d", code)
	}
	// A wrong checksum is refused.
	if code, _ := putFile(t, e, "secretariat", d.ID, "en", "r.pdf", docPDF(100), "Content-Digest", "sha-256=:"+strings.Repeat("A", 43)+"=:"); code != 422 {
		t.Errorf("wrong Content-Digest: %d, want 422", code)
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "mimetype", "word/document.xml", "evil.html"} {
		if body, ok := files[name]; ok {
			w, err := z.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write([]byte(body))
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Two processes on one database serve the same file: what one stored,
// the other sends, byte for byte.
func TestTwoProcessesServeTheSameFile(t *testing.T) {
	a := apptest.Start(t)
	b := apptest.Start(t, apptest.Options{Join: a})
	m := publishedMeeting(t, a, true)
	d := newDocument(t, a, m.ID, "public", "X")
	body := docPDF(document.ChunkSize + 777)
	if code, out := putFile(t, a, "secretariat", d.ID, "fr", "rapport.pdf", body); code != 200 {
		t.Fatalf("upload to the first process: %d %s", code, out)
	}
	resp, got := fetch(t, b, "", fmt.Sprintf("/api/v1/documents/%d/files/fr", d.ID))
	if resp.StatusCode != 200 || !bytes.Equal(got, body) {
		t.Fatalf("second process: %d, %d bytes, same %v", resp.StatusCode, len(got), bytes.Equal(got, body))
	}
	etagA := func() string {
		r, _ := fetch(t, a, "", fmt.Sprintf("/api/v1/documents/%d/files/fr", d.ID), "Range", "bytes=0-0")
		return r.Header.Get("ETag")
	}()
	if etagA != resp.Header.Get("ETag") {
		t.Errorf("ETags differ between processes: %q, %q", etagA, resp.Header.Get("ETag"))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// PATCH changes a document's fields, moves it under an agenda item and
// back, and refuses an item of another meeting.
func TestDocumentPatch(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	other := publishedMeeting(t, e, true)
	var agenda, otherAgenda struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID), "", nil, 200, &agenda)
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/agenda", other.ID), "", nil, 200, &otherAgenda)
	d := newDocument(t, e, m.ID, "secretariat", "P-1")
	path := fmt.Sprintf("/api/v1/documents/%d", d.ID)
	e.JSON("PATCH", path, "secretariat", map[string]any{"agenda_item_id": agenda.Items[0].ID, "title_fr": "Nouveau titre"}, 200, nil)
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	got := list.Documents[0]
	if got.AgendaItemID == nil || *got.AgendaItemID != agenda.Items[0].ID || got.TitleFR != "Nouveau titre" || got.TitleEN != "Report P-1" {
		t.Errorf("after PATCH: %+v", got)
	}
	e.JSON("PATCH", path, "secretariat", map[string]any{"agenda_item_id": nil}, 200, nil)
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	if list.Documents[0].AgendaItemID != nil {
		t.Errorf("agenda item not cleared: %v", *list.Documents[0].AgendaItemID)
	}
	code, b := e.Do("PATCH", path, "secretariat", map[string]any{"agenda_item_id": otherAgenda.Items[0].ID})
	if code != 422 || apptest.ErrorFields(b)["agenda_item_id"] == "" {
		t.Errorf("another meeting's item: %d %s", code, b)
	}
	code, b = e.Do("PATCH", path, "secretariat", map[string]any{"access": "everyone"})
	if code != 422 || apptest.ErrorFields(b)["access"] == "" {
		t.Errorf("unknown access: %d %s", code, b)
	}
}
