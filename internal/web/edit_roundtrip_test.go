package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
)

// Every path that edits a person's details saves each field, read back
// through another path and the database row; the fields come from what
// the API shows, so a field added later without a case fails here.

// readOnlyRegistrationKeys are the keys of a registration that no edit of
// the person's details writes.
var readOnlyRegistrationKeys = []string{"id", "meeting_id", "state", "invitee", "organisation_code", "status", "funded", "decline_reason", "source",
	"consent_at", "waitlisted_at", "checked_in_at", "replaces_id", "created_at", "updated_at",
	"funding_status", "guest_id", "funding_decided_at"}

// detailValues are new values for every detail of a person, each unlike
// what registeredPerson starts from.
var detailValues = map[string]any{
	"first_name": "Hélène", "last_name": "Dupont-Moreau", "email": "helene.dupont@example.org",
	"function": "Head of unit", "organisation": "Ministry of Health", "delegation_role": "head",
	"language": "en", "funding_requested": true, "dietary": "Vegetarian", "accessibility": "Wheelchair access",
	"list_consent": true, "attendance": "online",
}

func registeredPerson() map[string]any {
	return map[string]any{"state": "FR", "first_name": "Élodie", "last_name": "Durand", "email": "elodie@example.org",
		"function": "", "organisation": "", "delegation_role": "delegate", "language": "fr", "funding_requested": false,
		"dietary": "", "accessibility": "", "list_consent": false, "attendance": "in_person"}
}

// openMeetingWithSeats publishes a meeting open for registration with funded seats.
func openMeetingWithSeats(t *testing.T, e *apptest.Env) meeting.Meeting {
	t.Helper()
	b := draftBody()
	b["title_fr"] = "Réunion plénière"
	b["seats_per_state"] = 5
	b["format"], b["online_url"] = "hybrid", "https://meet.example.org/plenary" // people choose how they attend
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	return m
}

func TestEveryRegistrationDetailIsSaved(t *testing.T) {
	e := apptest.Start(t)
	m := openMeetingWithSeats(t, e)
	regs := fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID)
	register := func(email string) (int64, string) {
		p := registeredPerson()
		p["email"] = email
		var res struct {
			ID        int64  `json:"id"`
			Status    string `json:"status"`
			ManageURL string `json:"manage_url"`
		}
		e.JSON("POST", regs, "secretariat", p, 201, &res)
		if res.Status != "confirmed" {
			t.Fatalf("registered as %s", res.Status)
		}
		return res.ID, res.ManageURL[strings.LastIndex(res.ManageURL, "/")+1:]
	}
	byAPI := func(id int64) func() map[string]any {
		return func() map[string]any {
			var out map[string]any
			e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", id), "secretariat", nil, 200, &out)
			return out
		}
	}
	byLink := func(token string) func() map[string]any {
		return func() map[string]any {
			var out map[string]any
			e.JSON("GET", "/api/v1/manage/"+token, "", nil, 200, &out)
			return out
		}
	}
	row := func(id int64) map[string]any {
		return dbRow(t, e, `SELECT row_to_json(r)::text FROM registrations r WHERE id = $1`, id)
	}
	audits := func(id int64) int {
		var out struct {
			Entries []struct {
				Action string `json:"action"`
			} `json:"entries"`
		}
		e.JSON("GET", fmt.Sprintf("/api/v1/audit?registration_id=%d&limit=500", id), "admin", nil, 200, &out)
		n := 0
		for _, en := range out.Entries {
			if en.Action == "registration.update_own" {
				n++
			}
		}
		return n
	}

	// Every key the API shows is either read-only or has a new value.
	id, token := register("elodie@example.org")
	first := byAPI(id)()
	for k := range first {
		if _, ok := detailValues[k]; !ok && !slices.Contains(readOnlyRegistrationKeys, k) {
			t.Errorf("registration field %q has no round-trip case: add one to detailValues", k)
		}
	}
	for k := range detailValues {
		if _, ok := first[k]; !ok {
			t.Errorf("detailValues has %q, which the API does not show", k)
		}
	}

	// check edits one field with edit, then reads the person back.
	// (Each path gives the person an address of its own: one address
	// registers once per meeting.)
	valuesWith := func(email string) map[string]any {
		out := map[string]any{}
		for k, v := range detailValues {
			out[k] = v
		}
		out["email"] = email
		return out
	}
	check := func(path string, id int64, values map[string]any, read func() map[string]any, edit func(k string, v any)) {
		t.Helper()
		before := read()
		for _, k := range sortedKeys(values) {
			v := toJSONValue(t, values[k])
			logged := audits(id)
			edit(k, v)
			after := read()
			if !sameValue(after[k], v) {
				t.Errorf("%s %s: read back as %v, want %v", path, k, after[k], v)
			}
			if got := row(id)[k]; !sameValue(got, v) {
				t.Errorf("%s %s: the database holds %v, want %v", path, k, got, v)
			}
			for o := range detailValues {
				if o != k && !sameValue(before[o], after[o]) {
					t.Errorf("%s %s: %s moved too, %v → %v", path, k, o, before[o], after[o])
				}
			}
			if n := audits(id); n != logged+1 {
				t.Errorf("%s %s: %d audit entries for the change", path, k, n-logged)
			}
			before = after
		}
	}

	// The manage link's API, read back by the secretariat.
	check("PATCH /api/v1/manage", id, detailValues, byAPI(id), func(k string, v any) {
		e.JSON("PATCH", "/api/v1/manage/"+token, "", map[string]any{k: v}, 200, nil)
	})

	// The manage page's form, read back through the link's API.
	id2, token2 := register("marc@example.org")
	person := signInHTTP(t, e, "")
	page := "/registrations/manage/" + token2
	check("POST "+page, id2, valuesWith("helene.form@example.org"), byLink(token2), func(k string, v any) {
		cur := byLink(token2)()
		cur[k] = v
		form := url.Values{}
		for f := range detailValues {
			switch x := cur[f].(type) {
			case bool:
				if x {
					form.Set(f, "on")
				}
			default:
				form.Set(f, fmt.Sprint(x))
			}
		}
		_, html := person.get(page)
		if code, body := person.post(page, html, form); code != http.StatusSeeOther {
			t.Fatalf("POST %s (%s): %d %s", page, k, code, body)
		}
	})

	// The self-declared gender: saved by the person, through the link's
	// API and the page's form, read back by the link and in the row
	// (the secretariat's reads never show it).
	for _, g := range []string{"woman", "undisclosed", ""} {
		e.JSON("PATCH", "/api/v1/manage/"+token, "", map[string]any{"gender": g}, 200, nil)
		if got, db := byLink(token)()["gender"], row(id)["gender"]; (g != "" && got != g) || db != g {
			t.Errorf("gender %q by the API: read back as %v, in the database %v", g, got, db)
		}
		if _, shown := byAPI(id)()["gender"]; shown {
			t.Errorf("the secretariat's read shows the gender")
		}
	}
	cur := byLink(token2)()
	form := url.Values{"gender": {"man"}}
	for f := range detailValues {
		switch x := cur[f].(type) {
		case bool:
			if x {
				form.Set(f, "on")
			}
		default:
			form.Set(f, fmt.Sprint(x))
		}
	}
	_, html := person.get(page)
	if code, body := person.post(page, html, form); code != http.StatusSeeOther {
		t.Fatalf("POST %s (gender): %d %s", page, code, body)
	}
	if got := row(id2)["gender"]; got != "man" {
		t.Errorf("gender by the form: the database holds %v", got)
	}

	// A focal point replacing a participant: every detail of the new
	// person, read back through the API and the database.
	id3, _ := register("anne@example.org")
	var res struct {
		ID int64 `json:"id"`
	}
	replacement := valuesWith("helene.replacement@example.org")
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/replace", id3), "fp_FR", replacement, 201, &res)
	got, db := byAPI(res.ID)(), row(res.ID)
	for k, v := range replacement {
		if !sameValue(got[k], toJSONValue(t, v)) || !sameValue(db[k], toJSONValue(t, v)) {
			t.Errorf("replacement: %s read back as %v, in the database %v, want %v", k, got[k], db[k], v)
		}
	}
}

func TestEveryFocalPointFieldIsSaved(t *testing.T) {
	e := apptest.Start(t)
	values := map[string]any{"name": "Ana Silva", "email": "ana.silva@example.org", "language": "fr"}
	readOnly := []string{"id", "state", "invitee", "created_at"} // invitee: the state's code here
	list := func() map[string]any {
		var out struct {
			FocalPoints []map[string]any `json:"focal_points"`
		}
		e.JSON("GET", "/api/v1/states/PT/focal-points", "secretariat", nil, 200, &out)
		for _, fp := range out.FocalPoints {
			if fp["email"] == values["email"] {
				return fp
			}
		}
		return nil
	}
	check := func(path string) {
		t.Helper()
		fp := list()
		if fp == nil {
			t.Fatalf("%s: the focal point is not listed", path)
		}
		for k := range fp {
			if _, ok := values[k]; !ok && !slices.Contains(readOnly, k) {
				t.Errorf("focal point field %q has no round-trip case", k)
			}
		}
		db := dbRow(t, e, `SELECT row_to_json(f)::text FROM focal_points f WHERE id = $1`, int64(fp["id"].(float64)))
		for k, v := range values {
			if !sameValue(fp[k], v) || !sameValue(db[k], v) {
				t.Errorf("%s: %s listed as %v, in the database %v, want %v", path, k, fp[k], db[k], v)
			}
		}
		if fp["state"] != "PT" || db["state_code"] != "PT" {
			t.Errorf("%s: state %v, in the database %v", path, fp["state"], db["state_code"])
		}
		e.JSON("DELETE", fmt.Sprintf("/api/v1/focal-points/%d", int64(fp["id"].(float64))), "secretariat", nil, 204, nil)
	}
	e.JSON("POST", "/api/v1/states/PT/focal-points", "secretariat", values, 201, nil)
	check("POST /api/v1/states/PT/focal-points")

	admin := signInHTTP(t, e, "admin@example.org")
	page := "/admin/states/PT/focal-points"
	_, html := admin.get(page)
	form := url.Values{}
	for k, v := range values {
		form.Set(k, fmt.Sprint(v))
	}
	if code, body := admin.post(page, html, form); code != http.StatusSeeOther {
		t.Fatalf("POST %s: %d %s", page, code, body)
	}
	check("POST " + page)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
