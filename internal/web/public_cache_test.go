package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

// cacheCount reads a counter of the response cache from /metrics:
// result is hit, miss or bypass.
func cacheCount(t *testing.T, e *apptest.Env, result string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.Tokens["admin"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	prefix := `agora_response_cache_requests_total{result="` + result + `"} `
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	return 0
}

// anonymousGet fetches path as a visitor and reports whether the answer
// came from memory.
func anonymousGet(t *testing.T, e *apptest.Env, path string, header ...string) (body string, h http.Header, fromCache bool) {
	t.Helper()
	before := cacheCount(t, e, "hit")
	code, body, h := getPage(t, e, path, header...)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	return body, h, cacheCount(t, e, "hit") > before
}

// cached fetches path as a visitor until the answer comes from memory,
// and returns it. (The notices of the writes that set the meeting up may
// still be arriving and dropping copies: a miss is allowed, never a stale
// copy, so the loop ends when one is kept.)
func cached(t *testing.T, e *apptest.Env, path string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		body, _, hit := anonymousGet(t, e, path)
		if hit {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: never served from the cache", path)
		}
	}
}

// eventually fetches path as a visitor until ok accepts the body. Changes
// reach every process through PostgreSQL notifications, a moment after
// the commit; the bound is generous and only stops a broken test.
func eventually(t *testing.T, e *apptest.Env, path, what string, ok func(body string) bool) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body, _ := getPage(t, e, path)
		if ok(body) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s never showed %s:\n%s", path, what, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func shows(t *testing.T, e *apptest.Env, path string, words ...string) {
	t.Helper()
	eventually(t, e, path, strings.Join(words, ", "), func(body string) bool {
		for _, w := range words {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	})
}

func hides(t *testing.T, e *apptest.Env, path, word string) {
	t.Helper()
	eventually(t, e, path, "no "+word, func(body string) bool { return !strings.Contains(body, word) })
}

// Two serve processes share a database; visitors read the public pages,
// calendar file and agenda API of a meeting from each process's memory.
// Every kind of change, made through either process, shows on both.
func TestPublicReadsFollowEveryChange(t *testing.T) {
	a := apptest.Start(t)
	b := apptest.Start(t, apptest.Options{Join: a})
	m := publishedMeeting(t, a, true)
	api := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	page, pageFR := fmt.Sprintf("/meetings/%d?lang=en", m.ID), fmt.Sprintf("/meetings/%d?lang=fr", m.ID)
	print, ics, agenda := fmt.Sprintf("/meetings/%d/agenda/print?lang=en", m.ID), fmt.Sprintf("/meetings/%d/calendar.ics", m.ID), api+"/agenda"
	every := []string{page, pageFR, print, ics, agenda}
	fillBoth := func() {
		t.Helper()
		for _, e := range []*apptest.Env{a, b} {
			for _, p := range every {
				cached(t, e, p)
			}
		}
	}
	var items struct{ Items []meeting.Item }
	a.JSON("GET", agenda, "secretariat", nil, 200, &items)

	steps := []struct {
		name   string
		change func()
		check  func(e *apptest.Env)
	}{
		{"meeting updated", func() {
			b.JSON("PATCH", api, "secretariat", map[string]any{"title_en": "Plenary, revised programme", "venue": "Agora building"}, 200, nil)
		}, func(e *apptest.Env) {
			shows(t, e, page, "Plenary, revised programme", "Agora building")
			shows(t, e, print, "Plenary, revised programme")
			shows(t, e, ics, "Plenary\\, revised programme")
		}},
		{"agenda item added", func() {
			a.JSON("POST", agenda, "secretariat", map[string]any{"title_en": "Any other business", "title_fr": "Questions diverses"}, 201, nil)
		}, func(e *apptest.Env) {
			shows(t, e, page, "Any other business")
			shows(t, e, pageFR, "Questions diverses")
			shows(t, e, print, "Any other business")
			shows(t, e, agenda, "Any other business")
		}},
		{"agenda reordered", func() {
			var now struct{ Items []meeting.Item }
			b.JSON("GET", agenda, "secretariat", nil, 200, &now)
			ids := []int64{}
			for i := len(now.Items) - 1; i >= 0; i-- {
				ids = append(ids, now.Items[i].ID)
			}
			b.JSON("PUT", agenda+"/order", "secretariat", map[string]any{"ids": ids}, 200, nil)
		}, func(e *apptest.Env) {
			first := func(body string) bool {
				return strings.Index(body, "Any other business") < strings.Index(body, "Opening of the meeting")
			}
			eventually(t, e, page, "the last item first", first)
			eventually(t, e, agenda, "the last item first", first)
		}},
		{"agenda item changed", func() {
			b.JSON("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", items.Items[0].ID), "secretariat",
				map[string]any{"title_en": "Opening by the Chair"}, 200, nil)
		}, func(e *apptest.Env) {
			shows(t, e, page, "Opening by the Chair")
			shows(t, e, agenda, "Opening by the Chair")
		}},
		{"agenda item deleted", func() {
			a.JSON("DELETE", fmt.Sprintf("/api/v1/agenda-items/%d", items.Items[1].ID), "secretariat", nil, 204, nil)
		}, func(e *apptest.Env) {
			hides(t, e, page, "Adoption of the agenda")
			hides(t, e, agenda, "Adoption of the agenda")
		}},
		{"invited states changed", func() {
			b.JSON("PATCH", api, "secretariat", map[string]any{"audience": "custom", "invited_states": []string{"FR", "MT"}}, 200, nil)
		}, func(e *apptest.Env) {
			hides(t, e, page, "Germany")
			shows(t, e, page, "Malta")
		}},
		{"roster changed", func() {
			b.JSON("PUT", "/api/v1/states/MT", "admin", map[string]any{"name_en": "Republic of Malta", "name_fr": "République de Malte", "status": "member"}, 200, nil)
		}, func(e *apptest.Env) {
			shows(t, e, page, "Republic of Malta")
			shows(t, e, pageFR, "République de Malte")
		}},
		{"meeting cancelled", func() {
			b.JSON("POST", api+"/cancel", "secretariat", map[string]any{"reason": "The venue is unavailable"}, 200, nil)
		}, func(e *apptest.Env) {
			shows(t, e, page, "The venue is unavailable")
			shows(t, e, ics, "STATUS:CANCELLED")
		}},
	}
	for _, step := range steps {
		fillBoth()
		step.change()
		for _, e := range []*apptest.Env{a, b} {
			step.check(e)
		}
		if t.Failed() {
			t.Fatalf("after %s", step.name)
		}
	}
	// Archived: a change of lifecycle like the others, and the meeting
	// stays public.
	fillBoth()
	a.JSON("POST", api+"/archive", "secretariat", nil, 200, nil)
	shows(t, b, pageFR, "Archivée")
}

// Visitors get an ETag; asking again with it costs a 304 until the page
// changes. The languages have their own copies and tags.
func TestPublicReadsAnswerIfNoneMatch(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	for _, path := range []string{fmt.Sprintf("/meetings/%d?lang=fr", m.ID), fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID),
		fmt.Sprintf("/meetings/%d/calendar.ics?lang=fr", m.ID)} {
		_, h, _ := anonymousGet(t, e, path)
		tag := h.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || h.Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s: ETag %q, Cache-Control %q", path, tag, h.Get("Cache-Control"))
		}
		code, body, h2 := getPage(t, e, path, "If-None-Match", tag)
		if code != http.StatusNotModified || body != "" || h2.Get("ETag") != tag {
			t.Errorf("%s with If-None-Match: %d, %d bytes, ETag %q", path, code, len(body), h2.Get("ETag"))
		}
		if code, _, _ := getPage(t, e, path, "If-None-Match", `"something-else"`); code != http.StatusOK {
			t.Errorf("%s with another tag: %d", path, code)
		}
	}
	fr, en := fmt.Sprintf("/meetings/%d?lang=fr", m.ID), fmt.Sprintf("/meetings/%d?lang=en", m.ID)
	_, hFR, _ := anonymousGet(t, e, fr)
	_, hEN, _ := anonymousGet(t, e, en)
	if hFR.Get("ETag") == hEN.Get("ETag") {
		t.Error("the French and English pages share an ETag")
	}
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"title_fr": "Plénière, programme révisé"}, 200, nil)
	shows(t, e, fr, "Plénière, programme révisé")
	code, _, h := getPage(t, e, fr, "If-None-Match", hFR.Get("ETag"))
	if code != http.StatusOK || h.Get("ETag") == hFR.Get("ETag") {
		t.Errorf("changed page with the old tag: %d, ETag %q", code, h.Get("ETag"))
	}
}

// The page a signed-in user gets names them and carries their CSRF token:
// it is never served from, nor kept in, the visitors' cache. Neither is
// what the secretariat may see and visitors may not (a draft).
func TestSignedInReadsBypassTheCache(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	path := fmt.Sprintf("/meetings/%d?lang=en", m.ID)
	staff := signInHTTP(t, e, "secretariat@example.org")

	visitor := cached(t, e, path)
	if strings.Contains(visitor, "Sam Secretariat") || strings.Contains(visitor, "csrf_token") {
		t.Fatal("the visitors' page names an account")
	}
	hits := cacheCount(t, e, "hit")
	for range 2 {
		if _, body := staff.get(path); !strings.Contains(body, "Sam Secretariat") || !strings.Contains(body, `name="csrf_token"`) {
			t.Fatal("the signed-in page does not name its user or lacks the sign-out form")
		}
		code, body, h := getPage(t, e, path, "Authorization", "Bearer "+e.Tokens["secretariat"])
		if code != 200 || h.Get("ETag") != "" || strings.Contains(body, "csrf_token") && !strings.Contains(body, "Sam Secretariat") {
			t.Fatalf("with an API token: %d, ETag %q", code, h.Get("ETag"))
		}
	}
	if got := cacheCount(t, e, "hit"); got != hits {
		t.Errorf("signed-in reads were served from the cache (%d hits)", got-hits)
	}
	if body := cached(t, e, path); strings.Contains(body, "Sam Secretariat") {
		t.Error("a visitor after the staff gets a page naming the staff")
	}

	var draft meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", draftBody(), 201, &draft)
	agenda := fmt.Sprintf("/api/v1/meetings/%d/agenda", draft.ID)
	for range 2 {
		e.JSON("GET", agenda, "secretariat", nil, 200, nil)
		if code, _ := e.Do("GET", agenda, "", nil); code != http.StatusNotFound {
			t.Fatalf("a visitor reads a draft's agenda: %d", code)
		}
	}
}

// The language comes from ?lang=, the language cookie or Accept-Language;
// each language has its own copy, and a page with other query parameters
// (kept in its language links) is built for itself.
func TestPublicPageLanguagesDoNotMix(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	path := fmt.Sprintf("/meetings/%d", m.ID)
	cached(t, e, path+"?lang=fr")
	cached(t, e, path+"?lang=en")
	for _, c := range []struct {
		name   string
		path   string
		header []string
		want   string
	}{
		{"query fr", path + "?lang=fr", nil, `<html lang="fr">`},
		{"query en", path + "?lang=en", []string{"Accept-Language", "fr"}, `<html lang="en">`},
		{"cookie fr", path, []string{"Cookie", "agora_lang=fr"}, `<html lang="fr">`},
		{"cookie en", path, []string{"Cookie", "agora_lang=en", "Accept-Language", "fr"}, `<html lang="en">`},
		{"accept fr", path, []string{"Accept-Language", "fr-CH, en;q=0.5"}, `<html lang="fr">`},
		{"nothing", path, nil, `<html lang="en">`},
	} {
		for range 2 {
			body, h, _ := anonymousGet(t, e, c.path, c.header...)
			if !strings.Contains(body, c.want) || h.Get("Content-Language") != c.want[12:14] {
				t.Errorf("%s: want %s, Content-Language %q", c.name, c.want, h.Get("Content-Language"))
			}
		}
	}
	body, _, hit := anonymousGet(t, e, path+"?lang=fr&from=newsletter")
	if hit || !strings.Contains(body, "from=newsletter") {
		t.Errorf("a page with another parameter: from the cache %v, keeps it in its links %v", hit, strings.Contains(body, "from=newsletter"))
	}
	zero := fmt.Sprintf("/meetings/0%d", m.ID)
	body, _, hit = anonymousGet(t, e, zero+"?lang=fr")
	if hit || !strings.Contains(body, zero+"?lang=en") {
		t.Errorf("a path with a leading zero: from the cache %v, its own path in its links %v", hit, strings.Contains(body, zero+"?lang=en"))
	}
	frICS, _, _ := anonymousGet(t, e, path+"/calendar.ics?lang=fr")
	enICS, _, _ := anonymousGet(t, e, path+"/calendar.ics?lang=en")
	if !strings.Contains(frICS, "LANGUAGE=fr") && !strings.Contains(frICS, "Réunion plénière") || strings.Contains(enICS, "Réunion plénière") {
		t.Errorf("calendar files mix their languages:\n%s\n%s", frICS, enICS)
	}
}

// The status a page shows changes with the clock (registration closes):
// a copy is not served past its meeting's next such moment, nor past the
// maximum age.
func TestPublicPageExpiresWithTheClock(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
	e := apptest.Start(t, apptest.Options{Clock: clock})

	starts := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	closes := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{"kind": "bureau", "title_en": "Bureau", "title_fr": "Bureau",
		"starts_at": starts, "ends_at": starts.Add(8 * time.Hour), "registration_closes_at": closes, "public": true}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	path := fmt.Sprintf("/meetings/%d?lang=en", m.ID)

	set(closes.Add(-30 * time.Second))
	cached(t, e, path)
	set(closes.Add(-time.Second))
	cached(t, e, path) // a second before registration closes
	set(closes.Add(time.Second))
	if _, _, hit := anonymousGet(t, e, path); hit {
		t.Error("served from the cache after registration closed")
	}
	// Built a second after the boundary, the page may come from a database
	// whose clock is a little behind: it is not kept.
	if _, _, hit := anonymousGet(t, e, path); hit {
		t.Error("a copy built just after the boundary was kept")
	}
	set(closes.Add(time.Minute))
	cached(t, e, path)
	set(closes.Add(2*time.Minute + time.Second)) // past the maximum age (1m)
	if _, _, hit := anonymousGet(t, e, path); hit {
		t.Error("served from the cache past its maximum age")
	}
}

// While the process cannot hear changes (its LISTEN connection is gone),
// it serves nothing from memory: a change made meanwhile shows at once,
// though its notification is lost. Once it hears again, it caches again.
func TestPublicReadsBypassTheCacheWhileNotListening(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, true)
	path := fmt.Sprintf("/meetings/%d?lang=en", m.ID)
	cached(t, e, path)

	ctx := context.Background()
	u, _ := url.Parse(e.DSN)
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := postgres.Open(ctx, testdb.AdminURL(), postgres.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	writer, err := postgres.Open(ctx, e.DSN, postgres.PoolOptions{MaxOpenConns: 1, MaxIdleConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	allow := func(on bool) {
		t.Helper()
		if _, err := admin.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s WITH ALLOW_CONNECTIONS %v`, name, on)); err != nil {
			t.Fatal(err)
		}
	}
	allow(false) // the listener cannot come back for now
	t.Cleanup(func() { allow(true) })
	var killed int
	if err := admin.GetContext(ctx, &killed, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND query LIKE 'LISTEN %'`, name); err != nil || killed != 1 {
		t.Fatalf("terminate the LISTEN connection: %v (%d)", err, killed)
	}
	deadline := time.Now().Add(15 * time.Second)
	for e.App.Responses.Serving() {
		if time.Now().After(deadline) {
			t.Fatal("the cache still serves after losing its LISTEN connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := writer.ExecContext(ctx, `UPDATE meetings SET title_en = 'Changed unheard' WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	bypassed := cacheCount(t, e, "bypass")
	if body, _, hit := anonymousGet(t, e, path); hit || !strings.Contains(body, "Changed unheard") {
		t.Errorf("while not listening: from the cache %v, shows the change %v", hit, strings.Contains(body, "Changed unheard"))
	}
	if cacheCount(t, e, "bypass") == bypassed {
		t.Error("the read was not counted as bypassing the cache")
	}

	allow(true)
	for !e.App.Responses.Serving() {
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatal("the cache did not resume once its LISTEN connection was back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if body := cached(t, e, path); !strings.Contains(body, "Changed unheard") {
		t.Error("after the outage the cache serves the page from before it")
	}
}
