package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
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

func TestDocumentSizeLimit(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.Documents.MaxBytes = 3 << 20 }})
	m := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "X")
	// Above the general body limit (1 MiB), below the documents' one.
	if code, b := putFile(t, e, "secretariat", d.ID, "en", "big.pdf", docPDF(2<<20)); code != 200 {
		t.Fatalf("2 MiB upload: %d %s", code, b)
	}
	if code, _ := putFile(t, e, "secretariat", d.ID, "en", "huge.pdf", docPDF(3<<20+1)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit with Content-Length: %d, want 413", code)
	}
	// Without a length (chunked), the limit holds while streaming.
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/documents/%d/files/fr", e.URL, d.ID), io.MultiReader(bytes.NewReader(docPDF(3<<20)), strings.NewReader("x")))
	req.Header.Set("Authorization", "Bearer "+e.Tokens["secretariat"])
	req.Header.Set("Content-Disposition", `attachment; filename="huge.pdf"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked over the limit: %d, want 413", resp.StatusCode)
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_files`); n != 1 {
		t.Errorf("%d files stored, want the one accepted", n)
	}
}

// An upload cut off halfway leaves no file and no chunk: its transaction
// is rolled back when the connection drops.
func TestInterruptedUploadLeavesNothing(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "X")
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	body := docPDF(4 << 20)
	fmt.Fprintf(conn, "PUT /api/v1/documents/%d/files/en HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Disposition: attachment; filename=\"cut.pdf\"\r\nContent-Length: %d\r\n\r\n", d.ID, e.Tokens["secretariat"], len(body))
	if _, err := conn.Write(body[:3<<20]); err != nil {
		t.Fatal(err)
	}
	// Wait until the server has written chunks of it (in its open transaction) …
	waitFor(t, "chunks being written", func() bool {
		return dbCountOf(t, e, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'document_chunks' AND l.mode = 'RowExclusiveLock'`) > 0
	})
	conn.Close()
	// … and until that transaction is over.
	waitFor(t, "the upload's transaction to end", func() bool {
		return dbCountOf(t, e, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'document_chunks'`) == 0
	})
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_files`); n != 0 {
		t.Errorf("%d file rows left by the interrupted upload", n)
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_chunks`); n != 0 {
		t.Errorf("%d chunks left by the interrupted upload", n)
	}
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	if len(list.Documents[0].Files) != 0 {
		t.Errorf("the document shows a file: %+v", list.Documents[0].Files)
	}
}

// waitFor polls cond until it holds (the test's own deadline bounds it).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
	}
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

// A stored file whose bytes no longer match its SHA-256 (a disk or a
// hand gone wrong) is never handed over as good: the download stops short
// of its length, so the client sees a broken transfer, not a wrong file.
// A Content-Digest sent with an upload is checked; the right one passes.
func TestDocumentChecksums(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "SUM")
	body := docPDF(document.ChunkSize + 5000)
	sum := sha256.Sum256(body)
	digest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	if code, b := putFile(t, e, "secretariat", d.ID, "en", "sum.pdf", body, "Content-Digest", digest); code != 200 {
		t.Fatalf("upload with the right Content-Digest: %d %s", code, b)
	}
	if _, err := e.App.DB.Exec(`UPDATE document_chunks SET data = overlay(data PLACING '\x00'::bytea FROM 100) WHERE n = 0`); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/documents/%d/files/en", e.URL, d.ID))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || len(got) == len(body) {
		t.Errorf("a corrupted file was sent whole (%d bytes, error %v)", len(got), err)
	}
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

// slowBody sends parts with a pause before each.
type slowBody struct {
	parts [][]byte
	pause time.Duration
}

func (s *slowBody) Read(p []byte) (int, error) {
	if len(s.parts) == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.pause)
	n := copy(p, s.parts[0])
	s.parts[0] = s.parts[0][n:]
	if len(s.parts[0]) == 0 {
		s.parts = s.parts[1:]
	}
	return n, nil
}

// An upload slower than the server's read timeout (a large file on a slow
// line) is not cut off: document transfers have a deadline of their own.
func TestSlowUploadOutlivesTheReadTimeout(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.HTTP.ReadTimeout = 300 * time.Millisecond }})
	m := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "SLOW")
	body := docPDF(4000)
	req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/api/v1/documents/%d/files/en", e.URL, d.ID),
		&slowBody{parts: [][]byte{body[:1000], body[1000:2000], body[2000:3000], body[3000:]}, pause: 200 * time.Millisecond})
	req.ContentLength = int64(len(body))
	req.Header.Set("Authorization", "Bearer "+e.Tokens["secretariat"])
	req.Header.Set("Content-Disposition", `attachment; filename="slow.pdf"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("slow upload: %d %s", resp.StatusCode, out)
	}
}
