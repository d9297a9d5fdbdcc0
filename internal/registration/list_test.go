package registration_test

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/lib/pq"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/registration"
)

// listed is what the tests know of a registration to put it in order.
type listed struct {
	ID        int64  `db:"id"`
	State     string `db:"state_code"`
	Last      string `db:"last_name"`
	First     string `db:"first_name"`
	StateName string `db:"state_name"`
	Status    string `db:"status"`
	Role      string `db:"delegation_role"`
	Email     string `db:"email"`
}

// fillMeeting writes registrations straight into the table (no quotas:
// the list is under test, not registering): every tricky name in a dozen
// states whose names sort differently in English and French, three
// namesakes of each in France, and in Germany a crowd of "Müller, Anna"
// that differ only by case and accents, which protocol order holds equal
// (the id decides).
func fillMeeting(t *testing.T, f fixture) {
	t.Helper()
	var states, lasts, firsts []string
	add := func(state, last, first string) {
		states, lasts, firsts = append(states, state), append(lasts, last), append(firsts, first)
	}
	firstNames := []string{"Anna", "Élodie", "elodie", "Jean-Pierre", "Zoë", "Ольга"}
	for k, code := range []string{"FR", "DE", "MA", "EG", "US", "CZ", "MD", "SK", "SM", "VA", "TR", "GB", "ES"} {
		for i, last := range trickyNames {
			if (i+k)%7 == 0 || code == "FR" {
				add(code, last, firstNames[(i+k)%len(firstNames)])
			}
		}
	}
	for range 2 { // namesakes in France
		for i, last := range trickyNames[:30] {
			add("FR", last, firstNames[i%len(firstNames)])
		}
	}
	for range 3 {
		for _, n := range [][2]string{{"Müller", "Anna"}, {"MULLER", "anna"}, {"Muller", "Anna"}, {"müller", "ANNA"}, {"Muller", "Ánna"}} {
			add("DE", n[0], n[1])
		}
	}
	_, err := f.e.App.DB.Exec(`
		INSERT INTO registrations (meeting_id, state_code, last_name, first_name, email, delegation_role, language,
			status, waitlisted_at, manage_nonce, manage_hash, source)
		SELECT $1::bigint, s, l, fn, 'list' || n || '@example.org', (ARRAY['head','delegate','expert','adviser','observer'])[1 + n / 3 % 5], 'en',
			st, CASE WHEN st = 'waitlisted' THEN now() END, '\x00', sha256(convert_to('list-' || $1::bigint || '-' || n, 'UTF8')), 'secretariat'
		FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(s, l, fn, n),
		     LATERAL (SELECT (ARRAY['confirmed','pending','waitlisted','declined','cancelled'])[1 + n % 5] AS st) x`,
		f.m.ID, pq.Array(states), pq.Array(lasts), pq.Array(firsts))
	if err != nil {
		t.Fatal(err)
	}
}

// protocolOrder reads the meeting's registrations and sorts them as the
// list did in Go before it was sorted in SQL: state name in lang, last
// name, first name with collate.Loose for lang, then id.
func protocolOrder(t *testing.T, f fixture, lang string) []listed {
	t.Helper()
	var all []listed
	err := f.e.App.DB.Select(&all, `
		SELECT r.id, r.state_code, r.last_name, r.first_name, r.status, r.delegation_role, r.email,
		       CASE WHEN $2 = 'fr' THEN st.name_fr ELSE st.name_en END AS state_name
		FROM registrations r JOIN states st ON st.code = r.state_code WHERE r.meeting_id = $1`, f.m.ID, lang)
	if err != nil {
		t.Fatal(err)
	}
	tag := language.English
	if lang == "fr" {
		tag = language.French
	}
	c := collate.New(tag, collate.Loose)
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		for _, d := range []int{c.CompareString(a.StateName, b.StateName), c.CompareString(a.Last, b.Last), c.CompareString(a.First, b.First)} {
			if d != 0 {
				return d < 0
			}
		}
		return a.ID < b.ID
	})
	return all
}

func ids(rows []listed, keep func(listed) bool) []int64 {
	var out []int64
	for _, r := range rows {
		if keep == nil || keep(r) {
			out = append(out, r.ID)
		}
	}
	return out
}

// walk reads every page of the list as user, limit rows at a time,
// calling between (when set) after the first page.
func walk(t *testing.T, f fixture, user string, q url.Values, limit int, between func()) []int64 {
	t.Helper()
	var got []int64
	q.Set("limit", strconv.Itoa(limit))
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the pages do not end")
		}
		var page struct {
			Registrations []registration.Row `json:"registrations"`
			Next          *string            `json:"next"`
		}
		f.e.JSON("GET", f.path("/registrations?"+q.Encode()), user, nil, 200, &page)
		if len(page.Registrations) > limit || (page.Next != nil && len(page.Registrations) != limit) {
			t.Fatalf("page %d: %d rows for a limit of %d, next %v", pages, len(page.Registrations), limit, page.Next)
		}
		for _, r := range page.Registrations {
			got = append(got, r.ID)
		}
		if page.Next == nil {
			return got
		}
		q.Set("cursor", *page.Next)
		if pages == 0 && between != nil {
			between()
		}
	}
}

func TestRegistrationsListPagesInProtocolOrder(t *testing.T) {
	f := setup(t, nil)
	fillMeeting(t, f)
	for _, lang := range []string{"en", "fr"} {
		want := protocolOrder(t, f, lang)
		if len(want) < 300 {
			t.Fatalf("only %d registrations", len(want))
		}
		tests := []struct {
			name  string
			query url.Values
			limit int
			keep  func(listed) bool
		}{
			{"everyone, 7 a page", url.Values{}, 7, nil},
			{"everyone, one page", url.Values{}, 500, nil},
			{"namesakes, 2 a page", url.Values{"state": {"de"}}, 2, func(r listed) bool { return r.State == "DE" }},
			{"confirmed", url.Values{"status": {"confirmed"}}, 11, func(r listed) bool { return r.Status == "confirmed" }},
			{"heads of delegation", url.Values{"role": {"head"}}, 5, func(r listed) bool { return r.Role == "head" }},
			{"France, pending experts", url.Values{"state": {"FR"}, "status": {"pending"}, "role": {"expert"}}, 3,
				func(r listed) bool { return r.State == "FR" && r.Status == "pending" && r.Role == "expert" }},
		}
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				tt.query.Set("lang", lang)
				got, wantIDs := walk(t, f, "secretariat", tt.query, tt.limit, nil), ids(want, tt.keep)
				if len(wantIDs) == 0 {
					t.Fatal("the filter keeps nobody: a weak test")
				}
				if !slices.Equal(got, wantIDs) {
					t.Errorf("got %d rows, want %d; first difference at %d", len(got), len(wantIDs), firstDiff(got, wantIDs))
				}
			})
		}
	}
	// The focal point of France walks France's registrations and no one else's.
	got := walk(t, f, "fp_FR", url.Values{"lang": {"fr"}}, 9, nil)
	if want := ids(protocolOrder(t, f, "fr"), func(r listed) bool { return r.State == "FR" }); !slices.Equal(got, want) {
		t.Errorf("focal point of France: got %d rows, want %d", len(got), len(want))
	}
	if code, _ := f.e.Do("GET", f.path("/registrations?state=DE"), "fp_FR", nil); code != 403 {
		t.Errorf("focal point of France asking for Germany: %d", code)
	}
}

// A registration made while someone pages through the list, before their
// cursor, neither repeats nor hides a row of the following pages (an
// offset would have repeated the last row of the page).
func TestRegistrationsListCursorHoldsAcrossWrites(t *testing.T) {
	f := setup(t, nil)
	fillMeeting(t, f)
	before := ids(protocolOrder(t, f, "en"), nil)
	got := walk(t, f, "secretariat", url.Values{}, 10, func() {
		_, err := f.e.App.DB.Exec(`
			INSERT INTO registrations (meeting_id, state_code, last_name, first_name, email, delegation_role, language,
				status, manage_nonce, manage_hash, source)
			VALUES ($1, 'CZ', 'Aaberg', 'Aaron', 'aaron@example.org', 'head', 'en', 'pending', '\x00', '\x01', 'secretariat')`, f.m.ID)
		if err != nil {
			t.Fatal(err)
		}
	})
	if !slices.Equal(got, before) {
		t.Errorf("got %d rows, want %d; first difference at %d", len(got), len(before), firstDiff(got, before))
	}
}

func TestRegistrationsListRefusesForeignCursors(t *testing.T) {
	f := setup(t, nil)
	b64 := base64.RawURLEncoding.EncodeToString
	for name, cursor := range map[string]string{
		"not base64":             "!!",
		"offset of before":       b64([]byte("o50")),
		"JSON of something else": b64([]byte(`{"offset":50}`)),
		"no id":                  b64([]byte(`{"s":"FR","l":"Dupont","f":"Jean"}`)),
		"two values":             b64([]byte(`{"s":"FR","l":"Dupont","f":"Jean","i":1}{}`)),
	} {
		code, body := f.e.Do("GET", f.path("/registrations?cursor="+url.QueryEscape(cursor)), "secretariat", nil)
		if code != 422 || apptest.ErrorFields(body)["cursor"] == "" {
			t.Errorf("%s: %d %s", name, code, body)
		}
	}
}

// The pages and the exports show every registration, in protocol order:
// the exports and the delegation page ask for the whole list, the
// secretariat's table shows it a hundred at a time, one page after the
// other.
func TestRegistrationsPagesAndExportsAreWhole(t *testing.T) {
	f := setup(t, nil)
	fillMeeting(t, f)
	rowID := regexp.MustCompile(`<tr id="reg-(\d+)"`)
	nameID := regexp.MustCompile(`id="name-(\d+)"`)
	nextPage := regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	for _, lang := range []string{"en", "fr"} {
		want := protocolOrder(t, f, lang)
		byEmail := map[string]int64{}
		for _, r := range want {
			byEmail[r.Email] = r.ID
		}
		var shown []int64
		pages := 0
		for next := fmt.Sprintf("/secretariat/meetings/%d/registrations?lang=%s", f.m.ID, lang); next != "" && pages < 10; pages++ {
			code, page := f.e.Do("GET", next, "secretariat", nil)
			if code != 200 {
				t.Fatalf("%s: secretariat page %s: %d", lang, next, code)
			}
			// The count above the table places the page by the same order
			// (namesakes included).
			rows := matchedIDs(rowID, page)
			if place := fmt.Sprintf(`id="reg-count">%d–%d `, len(shown)+1, len(shown)+len(rows)); !bytes.Contains(page, []byte(place)) {
				t.Errorf("%s: page %d is not placed at %s", lang, pages+1, place)
			}
			shown = append(shown, rows...)
			next = ""
			if m := nextPage.FindSubmatch(page); m != nil {
				next = html.UnescapeString(string(m[1])) + "&lang=" + lang
			}
		}
		if pages != 4 || !slices.Equal(shown, ids(want, nil)) {
			t.Errorf("%s: secretariat pages: %d pages, %d rows of %d", lang, pages, len(shown), len(want))
		}
		code, page := f.e.Do("GET", fmt.Sprintf("/meetings/%d/delegation?lang=%s", f.m.ID, lang), "fp_FR", nil)
		france := ids(want, func(r listed) bool { return r.State == "FR" })
		if got := matchedIDs(nameID, page); code != 200 || len(france) <= 50 || !slices.Equal(got, france) {
			t.Errorf("%s: delegation page: %d, %d rows of %d", lang, code, len(got), len(france))
		}
		code, body := f.e.Do("GET", f.path("/registrations.csv?lang="+lang), "secretariat", nil)
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
		if lang == "fr" {
			r.Comma = ';'
		}
		records, err := r.ReadAll()
		if code != 200 || err != nil || len(records) == 0 {
			t.Fatalf("%s: export: %d %v", lang, code, err)
		}
		var got []int64
		for _, rec := range records[1:] {
			got = append(got, byEmail[rec[3]])
		}
		if !slices.Equal(got, ids(want, nil)) {
			t.Errorf("%s: export: %d rows of %d; first difference at %d", lang, len(got), len(want), firstDiff(got, ids(want, nil)))
		}
	}
}

func matchedIDs(re *regexp.Regexp, page []byte) []int64 {
	var out []int64
	for _, m := range re.FindAllSubmatch(page, -1) {
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		out = append(out, id)
	}
	return out
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
