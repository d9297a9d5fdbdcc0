package web_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/document"
)

// The secretariat's plain upload form (no JavaScript): several files in
// one multipart POST, report_en/report_fr as one document; a hostile file
// among them is refused and named, the others kept.
func TestSecretariatUploadForm(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	p := signInHTTP(t, e, "secretariat@example.org")
	client := p.c
	var resp *http.Response
	var err error
	page := func() string {
		resp, err := client.Get(fmt.Sprintf("%s/secretariat/meetings/%d/documents", e.URL, m.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("documents page: %d %.300s", resp.StatusCode, b)
		}
		return string(b)
	}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page())
	if csrf == nil {
		t.Fatal("no CSRF token on the page")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", html.UnescapeString(csrf[1]))
	_ = w.WriteField("access", "participants")
	_ = w.WriteField("language", "en")
	for name, content := range map[string][]byte{"report_en.pdf": docPDF(3000), "report_fr.pdf": docPDF(2000),
		"evil.html": []byte("<html><script>alert(1)</script></html>"), "notes.txt": []byte("Plain notes.\n")} {
		fw, _ := w.CreateFormFile("files", name)
		_, _ = fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/secretariat/meetings/%d/documents/upload", e.URL, m.ID), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", e.URL)
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d, want a redirect back to the page", resp.StatusCode)
	}
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	if len(list.Documents) != 2 {
		t.Fatalf("%d documents, want 2 (report in two languages, notes): %+v", len(list.Documents), list.Documents)
	}
	langs := map[string]int{}
	for _, d := range list.Documents {
		langs[d.TitleEN] = len(d.Files)
		if d.Access != "participants" {
			t.Errorf("%s: access %s", d.TitleEN, d.Access)
		}
	}
	if langs["report"] != 2 || langs["notes"] != 1 {
		t.Errorf("files per document: %v", langs)
	}
	after := page()
	if !strings.Contains(after, "evil.html") || !strings.Contains(after, "report_fr.pdf") {
		t.Errorf("the page does not name the refused file and list the kept ones")
	}
	// Without the CSRF token, nothing is stored.
	body.Reset()
	w = multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("files", "x.pdf")
	_, _ = fw.Write(docPDF(100))
	w.Close()
	req, _ = http.NewRequest("POST", fmt.Sprintf("%s/secretariat/meetings/%d/documents/upload", e.URL, m.ID), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", e.URL)
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 && resp.StatusCode != 403 {
		t.Errorf("upload without a token: %d", resp.StatusCode)
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM document_files`); n != 3 {
		t.Errorf("%d files stored, want 3", n)
	}
}
