package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/registration"
)

// Every kind of reader against every access level: what the list shows,
// which files download, what the ZIP holds. Nothing a reader may not read
// is listed, and its file is 404.
func TestDocumentAccessForEveryReader(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"audience": "custom", "invited_states": []string{"FR"}}, 200, nil)
	docs := map[string]document.Document{}
	for _, access := range []string{"public", "participants", "secretariat"} {
		d := newDocument(t, e, m.ID, access, "SYM-"+access)
		if code, b := putFile(t, e, "secretariat", d.ID, "en", access+".pdf", docPDF(3000)); code != 200 {
			t.Fatalf("upload: %d %s", code, b)
		}
		docs[access] = d
	}
	// A French file for the public document: the French ZIP takes it.
	if code, b := putFile(t, e, "secretariat", docs["public"].ID, "fr", "public-fr.pdf", docPDF(2000)); code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	register := func(email string) registration.Result {
		var r registration.Result
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{"state": "FR",
			"first_name": "Paule", "last_name": "Lecteur", "email": email, "delegation_role": "delegate", "language": "fr"}, 201, &r)
		return r
	}
	confirmed, cancelled := register("paule@example.org"), register("paul@example.org")
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", cancelled.ID), "secretariat", nil, 200, nil)
	tokenOf := func(r registration.Result) string { return r.ManageURL[strings.LastIndex(r.ManageURL, "/")+1:] }

	all := []string{"SYM-public", "SYM-participants", "SYM-secretariat"}
	for _, c := range []struct {
		reader string // a user key, "" anonymous, "link:…" a manage link
		token  string
		want   []string
	}{
		{reader: "", want: all[:1]},
		{reader: "fp_DE", want: all[:1]}, // a focal point of a state not invited
		{reader: "fp_FR", want: all[:2]}, // the invited state's focal point
		{reader: "secretariat", want: all},
		{reader: "admin", want: all},
		{reader: "link:confirmed", token: tokenOf(confirmed), want: all[:2]},
		{reader: "link:cancelled", token: tokenOf(cancelled), want: all[:1]},
	} {
		t.Run(c.reader, func(t *testing.T) {
			var listed []document.Document
			as := c.reader
			if c.token != "" {
				as = ""
				var own struct {
					Documents []document.Document `json:"documents"`
				}
				e.JSON("GET", "/api/v1/manage/"+c.token, "", nil, 200, &own)
				listed = own.Documents
			} else {
				var list struct{ Documents []document.Document }
				e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), as, nil, 200, &list)
				listed = list.Documents
			}
			var symbols []string
			for _, d := range listed {
				symbols = append(symbols, d.Symbol)
				for _, f := range d.Files {
					if resp, _ := fetch(t, e, as, f.URL); resp.StatusCode != 200 {
						t.Errorf("listed file %s: %d", f.URL, resp.StatusCode)
					}
				}
			}
			if !slices.Equal(symbols, c.want) {
				t.Errorf("listed %v, want %v", symbols, c.want)
			}
			for access, d := range docs {
				path := fmt.Sprintf("/api/v1/documents/%d/files/en", d.ID)
				if c.token != "" {
					path = fmt.Sprintf("/api/v1/manage/%s/documents/%d/files/en", c.token, d.ID)
				}
				want := 404
				if slices.Contains(c.want, "SYM-"+access) {
					want = 200
				}
				if resp, _ := fetch(t, e, as, path); resp.StatusCode != want {
					t.Errorf("%s document: %d, want %d", access, resp.StatusCode, want)
				}
			}
			zipPath := fmt.Sprintf("/meetings/%d/documents.zip?lang=fr", m.ID)
			if c.token != "" {
				zipPath = "/api/v1/manage/" + c.token + "/documents.zip?lang=fr"
			}
			resp, body := fetch(t, e, as, zipPath)
			if resp.StatusCode != 200 {
				t.Fatalf("zip: %d %s", resp.StatusCode, body)
			}
			z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range z.File {
				names = append(names, f.Name)
			}
			if len(names) != len(c.want) || !strings.Contains(names[0], "public-fr.pdf") {
				t.Errorf("zip holds %v, want %d files, the public one in French", names, len(c.want))
			}
		})
	}
	// A forged link and a withdrawn document are not found.
	if resp, _ := fetch(t, e, "", fmt.Sprintf("/api/v1/manage/reg_forged%s/documents/%d/files/en", strings.Repeat("A", 33), docs["public"].ID)); resp.StatusCode != 404 {
		t.Errorf("forged link: %d", resp.StatusCode)
	}
	e.JSON("DELETE", fmt.Sprintf("/api/v1/documents/%d", docs["public"].ID), "secretariat", nil, 204, nil)
	if resp, _ := fetch(t, e, "", fmt.Sprintf("/api/v1/documents/%d/files/en", docs["public"].ID)); resp.StatusCode != 404 {
		t.Errorf("withdrawn document: %d", resp.StatusCode)
	}
	if n := dbCountOf(t, e, `SELECT count(*) FROM audit_log WHERE action = 'document.withdraw' AND subject_id = $1`, docs["public"].ID); n != 1 {
		t.Errorf("withdrawal audited %d times", n)
	}
}

// A meeting that is not public shows nothing of its documents to the
// public: list, file and ZIP are 404.
func TestDocumentsOfHiddenMeetingAreNotFound(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	d := newDocument(t, e, m.ID, "public", "X")
	if code, b := putFile(t, e, "secretariat", d.ID, "en", "x.pdf", docPDF(100)); code != 200 {
		t.Fatalf("upload: %d %s", code, b)
	}
	for _, path := range []string{fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), fmt.Sprintf("/api/v1/documents/%d/files/en", d.ID),
		fmt.Sprintf("/meetings/%d/documents.zip", m.ID)} {
		if resp, _ := fetch(t, e, "", path); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}
