package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
	"github.com/coe-agora/agora/internal/document"
)

// TestDocumentUploadInTheBrowser: the secretariat picks two files (the
// English and French versions of one report) and drops a third on the
// page; the drop zone, shown by the page's script, lists all three; one
// upload makes two documents, listed on the page and readable through
// the API.
func TestDocumentUploadInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"report_en.pdf", "report_fr.pdf"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, docPDF(70_000), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}
	p.open("/login?lang=en")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "secretariat@example.org"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	p.submit("form[action='/login'] button[type=submit]")

	p.open(fmt.Sprintf("/secretariat/meetings/%d/documents", m.ID))
	if p.eval(`document.getElementById("drop-zone").hidden`) != "false" {
		t.Fatal("the drop zone stays hidden: the page's script did not run")
	}
	p.choose("#f-access", "Participants")
	p.Do(chromedp.SetUploadFiles(chromedp.CSS("#f-files"), paths))
	// A file dropped on the zone joins the ones picked.
	p.eval(`(() => { const dt = new DataTransfer();
		dt.items.add(new File(["Notes of the bureau.\n"], "bureau-notes.txt", {type: "text/plain"}));
		const z = document.getElementById("drop-zone");
		z.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		z.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); })()`)
	p.mustSee("#drop-list", "report_en.pdf", "report_fr.pdf", "bureau-notes.txt")
	p.Screenshot("secretariat-documents-dropped")
	p.submit("#document-upload button[type=submit]")
	p.mustSee(".flash", "Files uploaded: 3.")
	p.mustSee(".sec-documents", "report_en.pdf", "report_fr.pdf", "bureau-notes.txt")
	p.Screenshot("secretariat-documents-listed")

	var list struct{ Documents []document.Document }
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), "secretariat", nil, 200, &list)
	if len(list.Documents) != 2 || len(list.Documents[0].Files) != 2 || list.Documents[0].Access != document.Participants {
		t.Fatalf("after the upload: %+v", list.Documents)
	}
	resp, got := fetch(t, e, "secretariat", list.Documents[1].Files[0].URL)
	if resp.StatusCode != 200 || !strings.Contains(string(got), "Notes of the bureau.") {
		t.Errorf("the dropped file reads back as %d %q", resp.StatusCode, got)
	}
}
