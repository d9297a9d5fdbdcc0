package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
)

// A PATCH must save what it answers. These tests change every writable
// field of a meeting and of an agenda item, one at a time, and read each
// value back through GET, through the database row, and through the
// history entry the change left. The list of fields comes from what GET
// returns, so a field added later without a case here fails the test.

// patchCase is one PATCH: its body, and what GET shows afterwards for the
// fields that differ from the body (the server fills in defaults).
type patchCase struct {
	body map[string]any
	want map[string]any
}

// readOnlyMeetingKeys are the keys of a meeting that no PATCH writes.
// "venue" is the English venue under its name from before venue_en.
var readOnlyMeetingKeys = []string{"id", "status", "cancel_reason", "cancel_reason_fr", "venue", "sequence", "created_at", "updated_at"}

func TestPatchSavesEveryMeetingField(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour).UTC()
	b := draftBody()
	b["registration_opens_at"] = start.Add(-20 * 24 * time.Hour).Format(time.RFC3339)
	b["registration_closes_at"] = start.Add(-2 * 24 * time.Hour).Format(time.RFC3339)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	at := func(d time.Duration) string { return start.Add(d).Format(time.RFC3339) }

	cases := []patchCase{
		{body: map[string]any{"kind": "bureau"}},
		{body: map[string]any{"title_en": "Bureau meeting"}},
		{body: map[string]any{"title_fr": "Réunion du bureau"}},
		{body: map[string]any{"description_en": "Second thoughts."}},
		{body: map[string]any{"description_fr": "Réflexions."}},
		{body: map[string]any{"starts_at": at(-2 * time.Hour)}},
		{body: map[string]any{"ends_at": at(48 * time.Hour)}},
		{body: map[string]any{"timezone": "Europe/Brussels"}},
		{body: map[string]any{"format": "online"}},
		{body: map[string]any{"venue_en": "Agora building, Strasbourg"}},
		{body: map[string]any{"venue_fr": "Bâtiment Agora, Strasbourg"}},
		{body: map[string]any{"online_url": "https://meet.example.org/bureau"}},
		// Hybrid: a room of its own, then no limit again.
		{body: map[string]any{"format": "hybrid", "in_person_capacity": 30}},
		{body: map[string]any{"in_person_capacity": 0}},
		{body: map[string]any{"in_person_capacity": 12}},
		{body: map[string]any{"reminder_focal_points_days": 7}},
		{body: map[string]any{"reminder_participants_days": 2}},
		{body: map[string]any{"reminder_participants_days": 0}},
		{body: map[string]any{"funding_decision": "secretariat"}},
		{body: map[string]any{"funding_decision": "automatic"}},
		{body: map[string]any{"funding_decision": "secretariat"}},
		{body: map[string]any{"languages": []string{"fr"}}},
		{body: map[string]any{"languages": []string{"en", "fr"}}},
		// The registration window: moved, cleared, set again.
		{body: map[string]any{"registration_opens_at": at(-10 * 24 * time.Hour)}},
		{body: map[string]any{"registration_closes_at": at(-24 * time.Hour)}},
		{body: map[string]any{"registration_closes_at": nil}},
		{body: map[string]any{"registration_closes_at": at(-3 * 24 * time.Hour)}},
		{body: map[string]any{"registration_opens_at": nil}},
		{body: map[string]any{"registration_opens_at": at(-15 * 24 * time.Hour)}},
		{body: map[string]any{"seats_per_state": 3}},
		{body: map[string]any{"funded_seats_per_state": 2}},
		{body: map[string]any{"capacity": 80}},
		{body: map[string]any{"audience": "custom", "invited_states": []string{"DE", "FR"}}},
		{body: map[string]any{"invited_states": []string{"FR", "IT"}}},
		{body: map[string]any{"requires_approval": true}},
		{body: map[string]any{"public": true}},
		{body: map[string]any{"invited_organisations": []string{"EUDA", "WHO"}}},
		{body: map[string]any{"seats_per_organisation": 2}},
		{body: map[string]any{"funded_seats_per_organisation": 1}},
		{body: map[string]any{"quotas": map[string]any{"FR": map[string]any{"seats": 4, "funded_seats": 2},
			"EUDA": map[string]any{"seats": 1, "funded_seats": 0}}}},
		// The overrides given replace the old ones as a whole.
		{body: map[string]any{"quotas": map[string]any{"WHO": map[string]any{"seats": 3, "funded_seats": 1}}}},
	}

	var first map[string]any
	e.JSON("GET", path, "secretariat", nil, 200, &first)
	covered := map[string]bool{}
	for _, c := range cases {
		for k := range c.body {
			covered[k] = true
		}
	}
	for k := range first {
		if !covered[k] && !slices.Contains(readOnlyMeetingKeys, k) {
			t.Errorf("meeting field %q has no PATCH round-trip case: add one", k)
		}
	}
	for k := range covered {
		if _, ok := first[k]; !ok {
			t.Errorf("case for %q, which GET does not show", k)
		}
	}

	writable := func(k string) bool { return !slices.Contains(readOnlyMeetingKeys, k) }
	roundTrip(t, e, path, path+"/history", cases, writable,
		func(t *testing.T) map[string]any {
			row := dbRow(t, e, `SELECT row_to_json(m)::text FROM meetings m WHERE id = $1`, m.ID)
			var states []string
			if err := e.App.DB.Select(&states, `SELECT state_code FROM meeting_states WHERE meeting_id = $1 ORDER BY state_code`, m.ID); err != nil {
				t.Fatal(err)
			}
			row["invited_states"] = toJSONValue(t, states)
			var orgs []string
			if err := e.App.DB.Select(&orgs, `SELECT organisation_code FROM meeting_organisations WHERE meeting_id = $1 ORDER BY organisation_code`, m.ID); err != nil {
				t.Fatal(err)
			}
			row["invited_organisations"] = toJSONValue(t, orgs)
			return row
		},
		func(c historyEntry) bool { return c.What == meeting.ChangeUpdate })
}

func TestPatchSavesEveryAgendaItemField(t *testing.T) {
	e := apptest.Start(t)
	var m meeting.Meeting
	b := draftBody()
	b["title_fr"] = "Réunion plénière"
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	agenda := fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID)
	var a, c, it meeting.Item
	e.JSON("POST", agenda, "secretariat", map[string]any{"title_en": "Opening"}, 201, &a)
	e.JSON("POST", agenda, "secretariat", map[string]any{"title_en": "Reports"}, 201, &c)
	e.JSON("POST", agenda, "secretariat", map[string]any{"title_en": "National reports", "title_fr": "Rapports nationaux",
		"speakers": []map[string]any{{"name": "Élodie Durand", "function": "Rapporteure"}}}, 201, &it)
	var other meeting.Item
	e.JSON("POST", agenda, "secretariat", map[string]any{"title_en": "Other business"}, 201, &other)
	start := m.StartsAt
	at := func(d time.Duration) string { return start.Add(d).UTC().Format(time.RFC3339) }
	// A speaker may be linked to a registration of this meeting only.
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	var r struct {
		ID int64 `json:"id"`
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{"state": "CZ",
		"first_name": "Jan", "last_name": "Novák", "email": "jan.novak@example.org", "delegation_role": "head", "language": "en"}, 201, &r)
	reg := r.ID

	cases := []patchCase{
		// Moved under one parent, then another, then back to the top.
		// (An item keeps its position when it moves unless told another.)
		{body: map[string]any{"parent_id": a.ID, "position": 1}},
		{body: map[string]any{"parent_id": c.ID, "position": 1}},
		{body: map[string]any{"parent_id": nil, "position": 4}},
		{body: map[string]any{"position": 1}},
		{body: map[string]any{"title_en": "Reports of the states"}},
		{body: map[string]any{"title_fr": "Rapports des États"}},
		{body: map[string]any{"notes_en": "Five minutes each."}},
		{body: map[string]any{"notes_fr": "Cinq minutes chacun."}},
		{body: map[string]any{"starts_at": at(time.Hour)}},
		{body: map[string]any{"ends_at": at(2 * time.Hour)}},
		{body: map[string]any{"starts_at": at(30 * time.Minute)}},
		{body: map[string]any{"ends_at": at(3 * time.Hour)}},
		// A list replaces the list: nothing of the old speakers stays.
		{body: map[string]any{"speakers": []map[string]any{{"name": "Jan Novák", "function": "Chair", "registration_id": reg}}}},
		{body: map[string]any{"speakers": []map[string]any{{"name": "Ana Silva"}}},
			want: map[string]any{"speakers": []map[string]any{{"name": "Ana Silva", "function": "", "registration_id": nil}}}},
		{body: map[string]any{"ends_at": nil}},
		{body: map[string]any{"starts_at": nil}},
		{body: map[string]any{"speakers": []map[string]any{}}},
	}

	readOnly := []string{"id", "meeting_id", "number"}
	itemPath := fmt.Sprintf("/api/v1/agenda-items/%d", it.ID)
	getItem := func(t *testing.T) map[string]any {
		var ag struct {
			Items []map[string]any `json:"items"`
		}
		e.JSON("GET", agenda, "secretariat", nil, 200, &ag)
		for _, x := range ag.Items {
			if x["id"] == float64(it.ID) {
				return x
			}
		}
		t.Fatalf("item %d not on the agenda", it.ID)
		return nil
	}
	first := getItem(t)
	covered := map[string]bool{}
	for _, c := range cases {
		for k := range c.body {
			covered[k] = true
		}
	}
	for k := range first {
		if !covered[k] && !slices.Contains(readOnly, k) {
			t.Errorf("agenda item field %q has no PATCH round-trip case: add one", k)
		}
	}
	writable := func(k string) bool { return !slices.Contains(readOnly, k) }
	roundTripWith(t, e, itemPath, fmt.Sprintf("/api/v1/meetings/%d/history", m.ID), cases, writable, getItem,
		func(t *testing.T) map[string]any {
			return dbRow(t, e, `SELECT row_to_json(a)::text FROM agenda_items a WHERE id = $1`, it.ID)
		},
		func(c historyEntry) bool {
			return c.What == meeting.ChangeAgendaUpdate && c.AgendaItemID != nil && *c.AgendaItemID == it.ID
		})
}

// historyEntry is one change as GET …/history shows it.
type historyEntry struct {
	What         string          `json:"what"`
	Field        string          `json:"field"`
	AgendaItemID *int64          `json:"agenda_item_id"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
}

func roundTrip(t *testing.T, e *apptest.Env, path, historyPath string, cases []patchCase, writable func(string) bool,
	db func(*testing.T) map[string]any, mine func(historyEntry) bool) {
	t.Helper()
	get := func(t *testing.T) map[string]any {
		var out map[string]any
		e.JSON("GET", path, "secretariat", nil, 200, &out)
		return out
	}
	roundTripWith(t, e, path, historyPath, cases, writable, get, db, mine)
}

// roundTripWith PATCHes path with each case in turn and checks, after
// each, that GET shows the value sent (or the case's want), that the
// database row holds it, that nothing else writable moved except what the
// case expects, and that the history gained exactly one entry per field
// that changed, from its old value to its new one.
func roundTripWith(t *testing.T, e *apptest.Env, path, historyPath string, cases []patchCase, writable func(string) bool,
	get, db func(*testing.T) map[string]any, mine func(historyEntry) bool) {
	t.Helper()
	history := func() []historyEntry {
		var h struct {
			Changes []historyEntry `json:"changes"`
		}
		e.JSON("GET", historyPath, "secretariat", nil, 200, &h)
		var out []historyEntry
		for _, c := range h.Changes {
			if mine(c) {
				out = append(out, c)
			}
		}
		return out
	}
	before := get(t)
	seen := len(history())
	for _, c := range cases {
		name, _ := json.Marshal(c.body)
		var answer map[string]any
		e.JSON("PATCH", path, "secretariat", c.body, 200, &answer)
		after := get(t)
		row := db(t)
		want := map[string]any{}
		for k, v := range c.body {
			want[k] = toJSONValue(t, v)
		}
		for k, v := range c.want {
			want[k] = toJSONValue(t, v)
		}
		for k, v := range want {
			if !sameValue(answer[k], v) {
				t.Errorf("PATCH %s: the answer shows %s = %v", name, k, answer[k])
			}
			if !sameValue(after[k], v) {
				t.Errorf("PATCH %s: GET then shows %s = %v, want %v", name, k, after[k], v)
			}
			if got, ok := row[k]; !ok || !sameValue(got, v) {
				t.Errorf("PATCH %s: the database holds %s = %v, want %v", name, k, got, v)
			}
		}
		var changed []string
		for k := range after {
			if !writable(k) {
				continue
			}
			if _, ok := want[k]; !ok && !sameValue(before[k], after[k]) {
				t.Errorf("PATCH %s: %s moved too, %v → %v", name, k, before[k], after[k])
			}
			if !sameValue(before[k], after[k]) {
				changed = append(changed, k)
			}
		}
		sort.Strings(changed)
		h := history()
		fresh := h[seen:]
		seen = len(h)
		var recorded []string
		for _, hc := range fresh {
			recorded = append(recorded, hc.Field)
			var b, a any
			_ = json.Unmarshal(hc.Before, &b)
			_ = json.Unmarshal(hc.After, &a)
			if !sameValue(b, before[hc.Field]) || !sameValue(a, after[hc.Field]) {
				t.Errorf("PATCH %s: history has %s %s → %s, want %v → %v", name, hc.Field, hc.Before, hc.After,
					before[hc.Field], after[hc.Field])
			}
		}
		sort.Strings(recorded)
		if !slices.Equal(recorded, changed) {
			t.Errorf("PATCH %s: history records %v, but %v changed", name, recorded, changed)
		}
		before = after
	}
}

// dbRow reads a row as JSON, keyed by column.
func dbRow(t *testing.T, e *apptest.Env, query string, id int64) map[string]any {
	t.Helper()
	var text string
	if err := e.App.DB.Get(&text, query, id); err != nil {
		t.Fatal(err)
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(text), &row); err != nil {
		t.Fatal(err)
	}
	return row
}

// toJSONValue returns v as encoding/json would decode it into an any.
func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameValue compares two decoded JSON values, times as instants (the
// database and the API write them with different offsets) and an empty
// list as no list.
func sameValue(a, b any) bool {
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			ta, ea := time.Parse(time.RFC3339Nano, as)
			tb, eb := time.Parse(time.RFC3339Nano, bs)
			if ea == nil && eb == nil {
				return ta.Equal(tb)
			}
		}
	}
	if al, ok := a.([]any); ok {
		bl, ok := b.([]any)
		if !ok || len(al) != len(bl) {
			return false
		}
		for i := range al {
			if !sameValue(al[i], bl[i]) {
				return false
			}
		}
		return true
	}
	if am, ok := a.(map[string]any); ok {
		bm, ok := b.(map[string]any)
		if !ok || len(am) != len(bm) {
			return false
		}
		for k := range am {
			if !sameValue(am[k], bm[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// The secretariat's meeting editor saves every field it is given, and
// holds every field: a meeting saved unchanged through the editor changes
// nothing and records nothing. A field the API shows that the editor
// lacks would be blanked by every save, so each writable key must have a
// control of its name.
func TestMeetingEditorKeepsEveryField(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour).UTC()
	b := draftBody()
	b["kind"], b["title_fr"], b["timezone"] = "expert_group", "Groupe d'experts", "Europe/Brussels"
	b["languages"] = []string{"fr"}
	b["registration_opens_at"] = start.Add(-20 * 24 * time.Hour).Format(time.RFC3339)
	b["registration_closes_at"] = start.Add(-2 * 24 * time.Hour).Format(time.RFC3339)
	b["seats_per_state"], b["funded_seats_per_state"], b["capacity"] = 3, 2, 60
	b["audience"], b["invited_states"] = "custom", []string{"DE", "FR"}
	b["requires_approval"], b["public"] = true, true
	b["format"], b["online_url"], b["in_person_capacity"] = "hybrid", "https://meet.example.org/experts", 40
	b["reminder_focal_points_days"], b["reminder_participants_days"] = 5, 2
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	var before map[string]any
	e.JSON("GET", path, "secretariat", nil, 200, &before)
	for k, v := range b {
		if !sameValue(before[k], toJSONValue(t, v)) {
			t.Fatalf("created with %s = %v, shows %v", k, v, before[k])
		}
	}

	staff := signInHTTP(t, e, "secretariat@example.org")
	editor := fmt.Sprintf("/secretariat/meetings/%d/edit", m.ID)
	_, html := staff.get(editor)
	form := formOf(html)
	for k := range before {
		if !slices.Contains(readOnlyMeetingKeys, k) && !hasControl(html, k) {
			t.Errorf("the meeting editor has no control for %q: saving it would blank the field", k)
		}
	}
	if code, body := staff.post(editor, html, form); code != http.StatusSeeOther {
		t.Fatalf("POST %s unchanged: %d %s", editor, code, body)
	}
	var after map[string]any
	e.JSON("GET", path, "secretariat", nil, 200, &after)
	for k := range before {
		if !slices.Contains(readOnlyMeetingKeys, k) && !sameValue(before[k], after[k]) {
			t.Errorf("saved unchanged through the editor, %s became %v (was %v)", k, after[k], before[k])
		}
	}
	// The same moments written with another offset are no change either.
	same := map[string]any{}
	for _, k := range []string{"starts_at", "ends_at", "registration_opens_at", "registration_closes_at"} {
		at, err := time.Parse(time.RFC3339, before[k].(string))
		if err != nil {
			t.Fatal(err)
		}
		same[k] = at.In(time.FixedZone("", -5*3600)).Format(time.RFC3339)
	}
	e.JSON("PATCH", path, "secretariat", same, 200, nil)
	var h struct {
		Changes []historyEntry `json:"changes"`
	}
	e.JSON("GET", path+"/history", "secretariat", nil, 200, &h)
	for _, c := range h.Changes {
		if c.What == meeting.ChangeUpdate {
			t.Errorf("saved unchanged, the history records %s: %s → %s", c.Field, c.Before, c.After)
		}
	}
}

var (
	inputTag    = regexp.MustCompile(`<input\s[^>]*>`)
	textareaTag = regexp.MustCompile(`(?s)<textarea\s[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
	selectTag   = regexp.MustCompile(`(?s)<select\s[^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedOpt = regexp.MustCompile(`<option value="([^"]*)"[^>]*\sselected`)
	attr        = regexp.MustCompile(`\s([a-z_-]+)(?:="([^"]*)")?`)
)

// formOf reads the values a browser would send for the page's forms as
// they stand: text inputs, checked boxes and radios, textareas, selected
// options (the CSRF token is left to pageClient.post).
func formOf(page string) url.Values {
	v := url.Values{}
	for _, tag := range inputTag.FindAllString(page, -1) {
		a := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(tag[len("<input"):], -1) {
			if _, seen := a[m[1]]; !seen {
				a[m[1]] = html.UnescapeString(m[2])
			}
		}
		_, checked := a["checked"]
		name, typ := a["name"], a["type"]
		switch {
		case name == "" || name == "csrf_token":
		case typ == "checkbox" || typ == "radio":
			if checked {
				value := a["value"]
				if _, has := a["value"]; !has {
					value = "on"
				}
				v.Add(name, value)
			}
		default:
			v.Add(name, a["value"])
		}
	}
	for _, m := range textareaTag.FindAllStringSubmatch(page, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range selectTag.FindAllStringSubmatch(page, -1) {
		if o := selectedOpt.FindStringSubmatch(m[2]); o != nil {
			v.Add(m[1], html.UnescapeString(o[1]))
		}
	}
	return v
}

// hasControl reports whether the page has a form control named name
// (a list of checkboxes sends nothing when none is checked, so the
// values read are not enough to tell).
func hasControl(page, name string) bool {
	return strings.Contains(page, `name="`+name+`"`)
}
