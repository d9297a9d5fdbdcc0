package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
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

// The integrity of uploads and downloads: size limit, interruptions,
// checksums, slow lines.

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
