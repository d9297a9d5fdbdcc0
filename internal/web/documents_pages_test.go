package web_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/registration"
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
	if !strings.Contains(after, "evil.html: File: web pages, SVG and other markup files are not accepted") || !strings.Contains(after, "report_fr.pdf") {
		t.Errorf("the page does not name the refused file, and why, and list the kept ones")
	}
	if code, hist := p.get(fmt.Sprintf("/secretariat/meetings/%d/history", m.ID)); code != 200 || !strings.Contains(hist, "Document file published") {
		t.Errorf("the meeting's history does not show the documents: %d", code)
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

// The public meeting page, its print version and its PDF show the
// documents the visitor may read under their agenda item, in the page's
// language with the other offered; the manage page shows a confirmed
// participant theirs, with links through the manage link.
func TestMeetingPagesShowDocumentsByItem(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	var agenda struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID), "", nil, 200, &agenda)
	item := agenda.Items[1].ID
	var pub, part document.Document
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", map[string]any{"symbol": "P-PG (2027) 3",
		"title_en": "Draft agenda", "title_fr": "Projet d'ordre du jour", "access": "public", "agenda_item_id": item}, 201, &pub)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", map[string]any{"symbol": "P-PG (2027) 4",
		"title_en": "National reports", "title_fr": "Rapports nationaux", "access": "participants"}, 201, &part)
	for _, up := range []struct {
		id         int64
		lang, name string
	}{{pub.ID, "en", "agenda-en.pdf"}, {pub.ID, "fr", "ordre-du-jour-fr.pdf"}, {part.ID, "en", "reports.pdf"}} {
		if code, b := putFile(t, e, "secretariat", up.id, up.lang, up.name, docPDF(500)); code != 200 {
			t.Fatalf("upload: %d %s", code, b)
		}
	}
	_, page, _ := getPage(t, e, fmt.Sprintf("/meetings/%d?lang=fr", m.ID))
	at := strings.Index(page, "Adoption de l&#39;ordre du jour")
	doc := strings.Index(page, "Projet d&#39;ordre du jour")
	if at < 0 || doc < at || !strings.Contains(page, fmt.Sprintf(`href="/api/v1/documents/%d/files/fr"`, pub.ID)) ||
		!strings.Contains(page, fmt.Sprintf(`href="/api/v1/documents/%d/files/en"`, pub.ID)) {
		t.Errorf("the French page does not show the public document under its item, in French with English offered")
	}
	if strings.Contains(page, "Rapports nationaux") {
		t.Errorf("the public page shows a participants' document")
	}
	_, print, _ := getPage(t, e, fmt.Sprintf("/meetings/%d/agenda/print?lang=en", m.ID))
	if !strings.Contains(print, "Draft agenda") {
		t.Errorf("the printable agenda lacks the document")
	}
	_, pdf, _ := getPage(t, e, fmt.Sprintf("/meetings/%d/agenda.pdf?lang=fr", m.ID))
	if text := pdftest.Text(t, []byte(pdf)); !strings.Contains(text, "P-PG (2027) 3") || strings.Contains(text, "P-PG (2027) 4") {
		t.Errorf("the agenda PDF's documents are wrong:\n%s", text)
	}
	var r registration.Result
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{"state": "FR",
		"first_name": "Paule", "last_name": "Lecteur", "email": "paule@example.org", "delegation_role": "delegate", "language": "fr"}, 201, &r)
	token := r.ManageURL[strings.LastIndex(r.ManageURL, "/")+1:]
	_, manage, _ := getPage(t, e, "/registrations/manage/"+token+"?lang=en")
	link := fmt.Sprintf(`href="/api/v1/manage/%s/documents/%d/files/en"`, token, part.ID)
	if !strings.Contains(manage, "National reports") || !strings.Contains(manage, link) {
		t.Errorf("the manage page does not offer the participants' document through the link")
	}
}

// The public meeting page is kept for anonymous visitors; a document
// published, then withdrawn, shows on it and goes from it without waiting
// for the copy to age (the documents table tells the cache, as agendas do).
func TestCachedMeetingPageFollowsDocuments(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	path := fmt.Sprintf("/meetings/%d?lang=en", m.ID)
	_, first, _ := getPage(t, e, path)
	if strings.Contains(first, "Report LATE-1") {
		t.Fatal("the page shows the document before it exists")
	}
	d := newDocument(t, e, m.ID, "public", "LATE-1")
	if code, b := putFile(t, e, "secretariat", d.ID, "en", "late.pdf", docPDF(300)); code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	waitFor(t, "the page to show the new document", func() bool {
		_, page, _ := getPage(t, e, path)
		return strings.Contains(page, "Report LATE-1")
	})
	e.JSON("DELETE", fmt.Sprintf("/api/v1/documents/%d", d.ID), "secretariat", nil, 204, nil)
	waitFor(t, "the page to drop the withdrawn document", func() bool {
		_, page, _ := getPage(t, e, path)
		return !strings.Contains(page, "Report LATE-1")
	})
}

// A document's own form replaces its file in the language chosen there,
// keeping the old one as a version; a document of another meeting is not
// found.
func TestSecretariatReplaceForm(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	other := publishedMeeting(t, e, true)
	d := newDocument(t, e, m.ID, "public", "R-1")
	if code, b := putFile(t, e, "secretariat", d.ID, "fr", "v1.pdf", docPDF(100)); code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	p := signInHTTP(t, e, "secretariat@example.org")
	send := func(meetingID int64, filename string) int {
		_, page := p.get(fmt.Sprintf("/secretariat/meetings/%d/documents", meetingID))
		csrf := csrfInput.FindStringSubmatch(page)
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("csrf_token", html.UnescapeString(csrf[1]))
		_ = w.WriteField("document", fmt.Sprint(d.ID))
		_ = w.WriteField("language", "fr")
		fw, _ := w.CreateFormFile("files", filename)
		_, _ = fw.Write(docPDF(200))
		w.Close()
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/secretariat/meetings/%d/documents/upload", e.URL, meetingID), &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", e.URL)
		resp, err := p.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(m.ID, "report_en.pdf"); code != http.StatusSeeOther {
		t.Fatalf("replace: %d", code)
	}
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	got := list.Documents[0]
	if len(got.Files) != 1 || got.Files[0].Language != "fr" || got.Files[0].Version != 2 || len(got.Versions) != 1 {
		t.Errorf("after replacing: files %+v, versions %+v", got.Files, got.Versions)
	}
	if code := send(other.ID, "x.pdf"); code != 404 {
		t.Errorf("replacing through another meeting's page: %d, want 404", code)
	}
}

// The documents page's small forms — edit, move, withdraw — do what they
// say (read back through the API) and leave their audit entries.
func TestDocumentPageActions(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	first, second := newDocument(t, e, m.ID, "public", "A-1"), newDocument(t, e, m.ID, "public", "A-2")
	p := signInHTTP(t, e, "secretariat@example.org")
	page := fmt.Sprintf("/secretariat/meetings/%d/documents", m.ID)
	do := func(action string, v url.Values) {
		t.Helper()
		_, html := p.get(page)
		if code, body := p.post(fmt.Sprintf("%s/%s", page, action), html, v); code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %.300s", action, code, body)
		}
	}
	do(fmt.Sprint(first.ID), url.Values{"symbol": {"A-1/rev"}, "title_en": {"Revised"}, "title_fr": {"Révisé"}, "access": {"participants"}, "agenda_item_id": {""}})
	do(fmt.Sprintf("%d/move", second.ID), url.Values{"direction": {"up"}})
	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	if len(list.Documents) != 2 || list.Documents[0].ID != second.ID || list.Documents[1].Symbol != "A-1/rev" ||
		list.Documents[1].Access != document.Participants || list.Documents[1].TitleFR != "Révisé" {
		t.Fatalf("after edit and move: %+v", list.Documents)
	}
	do(fmt.Sprintf("%d/withdraw", first.ID), url.Values{})
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	if len(list.Documents) != 1 || list.Documents[0].ID != second.ID {
		t.Errorf("after withdrawing: %+v", list.Documents)
	}
	var trail []string
	if err := e.App.DB.Select(&trail, `SELECT action FROM audit_log WHERE user_id = $1 AND action LIKE 'document.%' ORDER BY id`,
		e.Users["secretariat"].ID); err != nil {
		t.Fatal(err)
	}
	want := []string{"document.create", "document.create", "document.update", "document.reorder", "document.withdraw"}
	if fmt.Sprint(trail) != fmt.Sprint(want) {
		t.Errorf("audit trail %v, want %v", trail, want)
	}
	// Bad input changes nothing and says why.
	_, html := p.get(page)
	code, _ := p.post(fmt.Sprintf("%s/%d", page, second.ID), html, url.Values{"title_en": {""}, "title_fr": {""}, "access": {"public"}})
	if code != http.StatusSeeOther {
		t.Fatalf("empty titles: %d", code)
	}
	if _, after := p.get(page); !strings.Contains(after, "give the document a title in English or in French") {
		t.Errorf("the page does not say why the edit was refused")
	}
}

// A focal point of an invited state, signed in, finds the participants'
// documents on the meeting's page; one of a state not invited does not.
func TestMeetingPageShowsFocalPointsTheirDocuments(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"audience": "custom", "invited_states": []string{"FR"}}, 200, nil)
	d := newDocument(t, e, m.ID, "participants", "FP-1")
	if code, b := putFile(t, e, "secretariat", d.ID, "en", "fp.pdf", docPDF(300)); code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	for email, want := range map[string]bool{"fp.fr@example.org": true, "fp.de@example.org": false} {
		_, page := signInHTTP(t, e, email).get(fmt.Sprintf("/meetings/%d?lang=en", m.ID))
		if got := strings.Contains(page, "Report FP-1"); got != want {
			t.Errorf("%s sees the participants' document: %v, want %v", email, got, want)
		}
	}
	if _, page, _ := getPage(t, e, fmt.Sprintf("/meetings/%d?lang=en", m.ID)); strings.Contains(page, "Report FP-1") {
		t.Errorf("an anonymous visitor sees the participants' document")
	}
}
