package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apptest"
)

var (
	regRow   = regexp.MustCompile(`<tr id="reg-(\d+)"`)
	nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	backOf   = regexp.MustCompile(`name="back" value="([^"]*)"`)
	// exportLink is the CSV export's address.
	exportLink = regexp.MustCompile(`class="export-csv" href="([^"]+)"`)
)

// fillRegistrations writes n registrations of meetingID straight into the
// table (the table is under test, not registering): six states whose
// order differs in English and French, names that do not follow the ids,
// pending and confirmed by turns.
func fillRegistrations(t *testing.T, e *apptest.Env, meetingID int64, n int) {
	t.Helper()
	_, err := e.App.DB.Exec(`
		INSERT INTO registrations (meeting_id, state_code, last_name, first_name, email, delegation_role, language,
			status, manage_nonce, manage_hash, source)
		SELECT $1::bigint, ($2::text[])[1 + i % 6],
			(ARRAY['Émile','Dupont','dupont','Müller','Martin','Łukasik','O''Brien','van Dijk'])[1 + i * 7 % 8] || ' ' || (i * 37 % $3),
			'Person', 'page' || i || '@example.org', (ARRAY['head','delegate','expert','adviser','observer'])[1 + i % 5], 'en',
			CASE WHEN i % 2 = 0 THEN 'pending' ELSE 'confirmed' END, '\x00',
			sha256(convert_to('page-' || $1::bigint || '-' || i, 'UTF8')), 'secretariat'
		FROM generate_series(1, $3) AS i`, meetingID, pq.Array([]string{"FR", "DE", "IT", "MT", "ES", "BE"}), n)
	if err != nil {
		t.Fatal(err)
	}
}

// listedIDs is the list of the API, in one page: the order the table
// must follow.
func listedIDs(t *testing.T, e *apptest.Env, meetingID int64, query string) []int64 {
	t.Helper()
	var page struct {
		Registrations []struct {
			ID int64 `json:"id"`
		} `json:"registrations"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/registrations?limit=500&%s", meetingID, query), "secretariat", nil, 200, &page)
	var ids []int64
	for _, r := range page.Registrations {
		ids = append(ids, r.ID)
	}
	return ids
}

func rowIDs(page string) []int64 {
	var ids []int64
	for _, m := range regRow.FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// countText is the line above the table, tags and spaces aside.
func countText(page string) string {
	i := strings.Index(page, `id="reg-count"`)
	if i < 0 {
		return ""
	}
	s := page[strings.Index(page[i:], ">")+i+1:]
	return html.UnescapeString(s[:strings.Index(s, "</p>")])
}

// walkPages follows the table's "Next page" links from path as the
// secretariat and returns the pages seen.
func walkPages(t *testing.T, e *apptest.Env, path string) []string {
	t.Helper()
	var pages []string
	for path != "" && len(pages) < 20 {
		code, page, _ := getPage(t, e, path, "Authorization", "Bearer "+e.Tokens["secretariat"])
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
		pages = append(pages, page)
		path = ""
		if m := nextLink.FindStringSubmatch(page); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return pages
}

// The table shows a meeting's registrations a hundred at a time, in
// protocol order, says where it is in the list, and walks to the end with
// none repeated or left out, filters kept.
func TestRegistrationsTablePages(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	fillRegistrations(t, e, m.ID, 250)
	table := fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID)

	want := listedIDs(t, e, m.ID, "lang=en")
	pages := walkPages(t, e, table+"?lang=en")
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	var got []int64
	for i, page := range pages {
		ids := rowIDs(page)
		if wantN := []int{100, 100, 50}[i]; len(ids) != wantN {
			t.Errorf("page %d: %d rows, want %d", i+1, len(ids), wantN)
		}
		got = append(got, ids...)
		wantCount := []string{"1–100 of 250 registrations.", "101–200 of 250 registrations.", "201–250 of 250 registrations."}[i]
		if c := countText(page); c != wantCount {
			t.Errorf("page %d says %q, want %q", i+1, c, wantCount)
		}
		if first := strings.Contains(page, `rel="first"`); first != (i > 0) {
			t.Errorf("page %d: link to the first page: %v", i+1, first)
		}
		if !strings.Contains(page, `<nav class="sec-pages" aria-label="Pages of registrations">`) {
			t.Errorf("page %d: no navigation between pages", i+1)
		}
		// The export is of the whole list, whatever the page.
		if export := exportLink.FindStringSubmatch(page); export == nil || strings.Contains(export[1], "cursor") {
			t.Errorf("page %d: export link %v", i+1, export)
		} else if i == 1 {
			code, body := e.Do("GET", html.UnescapeString(export[1]), "secretariat", nil)
			records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
			if code != 200 || err != nil || len(records) != 1+250 {
				t.Errorf("export from page 2: %d %v, %d records, want a header and 250", code, err, len(records))
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("the pages show %d rows, the list has %d; first difference at %d", len(got), len(want), firstDifference(got, want))
	}

	// Filters stay with the pages: 125 pending in two pages.
	pending := listedIDs(t, e, m.ID, "lang=en&status=pending")
	pages = walkPages(t, e, table+"?status=pending&lang=en")
	got = nil
	for _, page := range pages {
		got = append(got, rowIDs(page)...)
	}
	if len(pages) != 2 || len(pending) != 125 || !slices.Equal(got, pending) {
		t.Errorf("filtered: %d pages, %d rows, want 2 pages of the %d pending", len(pages), len(got), len(pending))
	}
	if c := countText(pages[len(pages)-1]); c != "101–125 of 125 registrations." {
		t.Errorf("filtered, last page says %q", c)
	}
	if !strings.Contains(pages[1], `<option value="pending" selected>`) {
		t.Error("the second filtered page lost the filter in its form")
	}

	// In French: the count in French, the order of French.
	code, fr, _ := getPage(t, e, table+"?lang=fr", "Authorization", "Bearer "+e.Tokens["secretariat"])
	if c := countText(fr); code != 200 || c != "1–100 sur 250 inscriptions." {
		t.Errorf("French: %d %q", code, c)
	}
	if !strings.Contains(fr, `aria-label="Pages des inscriptions"`) || !strings.Contains(fr, "Page suivante") {
		t.Error("French: the navigation is not in French")
	}
	if ids := rowIDs(fr); !slices.Equal(ids, listedIDs(t, e, m.ID, "lang=fr")[:100]) {
		t.Error("French: not the first hundred in French protocol order")
	}
}

// An address whose cursor means nothing shows the first page, filters
// kept, and says why; never an error page.
func TestRegistrationsTableBadCursor(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	fillRegistrations(t, e, m.ID, 150)
	table := fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID)
	for _, cursor := range []string{"!!", "bzUw", "eyJzIjoiRlIifQ", strings.Repeat("A", 3000)} {
		for _, lang := range []string{"en", "fr"} {
			pending := listedIDs(t, e, m.ID, "status=pending&lang="+lang)
			code, page, _ := getPage(t, e, table+"?status=pending&lang="+lang+"&cursor="+url.QueryEscape(cursor),
				"Authorization", "Bearer "+e.Tokens["secretariat"])
			if code != http.StatusUnprocessableEntity || !slices.Equal(rowIDs(page), pending) {
				t.Errorf("cursor %.10q in %s: %d, %d rows, want 422 and the %d pending", cursor, lang, code, len(rowIDs(page)), len(pending))
			}
			msg := map[string]string{"en": "here is the first page", "fr": "voici la première page"}[lang]
			if !strings.Contains(page, `role="alert"`) || !strings.Contains(html.UnescapeString(page), msg) {
				t.Errorf("cursor %.10q in %s: no message", cursor, lang)
			}
		}
	}
}

// A page past the end of the list (its last rows declined away under a
// filter, say) says so and leads back to the first page.
func TestRegistrationsTablePastTheEnd(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	fillRegistrations(t, e, m.ID, 150)
	// After the last possible person of Spain, last of the six states in English.
	past := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"ES","l":"zzz","f":"zzz","i":999999}`))
	code, page, _ := getPage(t, e, fmt.Sprintf("/secretariat/meetings/%d/registrations?lang=en&cursor=%s", m.ID, past),
		"Authorization", "Bearer "+e.Tokens["secretariat"])
	if c := countText(page); code != 200 || len(rowIDs(page)) != 0 || c != "No registrations after this point (150 in all)." {
		t.Errorf("past the end: %d, %d rows, %q", code, len(rowIDs(page)), c)
	}
	if !strings.Contains(page, fmt.Sprintf(`<a href="/secretariat/meetings/%d/registrations" rel="first">`, m.ID)) || strings.Contains(page, `rel="next"`) {
		t.Error("past the end: no way back to the first page, or a way further")
	}
}

// A row's action brings the secretariat back to the page it was on.
func TestRegistrationsTableActionKeepsThePage(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	fillRegistrations(t, e, m.ID, 250)
	table := fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID)
	p := signInHTTP(t, e, "secretariat@example.org")
	_, first := p.get(table + "?lang=en")
	next := nextLink.FindStringSubmatch(first)
	if next == nil {
		t.Fatal("no next page")
	}
	second := html.UnescapeString(next[1])
	_, page := p.get(second)
	ids := rowIDs(page)
	back := backOf.FindStringSubmatch(page)
	if len(ids) != 100 || back == nil || !strings.Contains(html.UnescapeString(back[1]), "cursor=") {
		t.Fatalf("second page: %d rows, back %v", len(ids), back)
	}
	// The first pending row of the page, approved.
	action := regexp.MustCompile(`action="(` + regexp.QuoteMeta(table) + `/\d+/approve)"`).FindStringSubmatch(page)
	if action == nil {
		t.Fatal("no row to approve on the second page")
	}
	code, loc := p.postForLocation(action[1], page, url.Values{"back": {html.UnescapeString(back[1])}})
	if code != http.StatusSeeOther || loc != second {
		t.Errorf("after the action: %d to %s, want the page it was on, %s", code, loc, second)
	}
	_, again := p.get(loc)
	if !slices.Equal(rowIDs(again), ids) || !strings.Contains(again, `class="flash`) {
		t.Errorf("back on the page: %d rows, the same: %v", len(rowIDs(again)), slices.Equal(rowIDs(again), ids))
	}
}

// postForLocation sends a form like post and returns the status and the
// address it redirects to.
func (p *pageClient) postForLocation(path, pageHTML string, v url.Values) (int, string) {
	p.t.Helper()
	if m := csrfInput.FindStringSubmatch(pageHTML); m != nil {
		v.Set("csrf_token", html.UnescapeString(m[1]))
	}
	req, err := http.NewRequest("POST", p.base+path, strings.NewReader(v.Encode()))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.base)
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func firstDifference(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
