package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
)

func draftBody() map[string]any {
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	return map[string]any{
		"kind": "plenary", "title_en": "Plenary of Permanent Correspondents",
		"description_en": "The 95th meeting.", "description_fr": "La 95e réunion.",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(32 * time.Hour).Format(time.RFC3339),
		"format": "hybrid", "venue": "Palais de l'Europe, Strasbourg", "online_url": "https://meet.example.org/pc95",
		"seats_per_state": 2, "funded_seats_per_state": 1,
	}
}

func TestMeetingLifecycleOverTheAPI(t *testing.T) {
	e := apptest.Start(t)
	var m meeting.Meeting

	if code, _ := e.Do("POST", "/api/v1/meetings", "", draftBody()); code != http.StatusUnauthorized {
		t.Errorf("anonymous create: %d", code)
	}
	if code, _ := e.Do("POST", "/api/v1/meetings", "fp_FR", draftBody()); code != http.StatusForbidden {
		t.Errorf("focal point create: %d", code)
	}
	e.JSON("POST", "/api/v1/meetings", "secretariat", draftBody(), 201, &m)
	if m.ID == 0 || m.Status != "draft" || m.TimeZone != "Europe/Paris" || len(m.Languages) != 2 {
		t.Fatalf("created %+v", m)
	}
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)

	// A draft is the secretariat's alone.
	for _, who := range []string{"", "fp_FR"} {
		if code, _ := e.Do("GET", path, who, nil); code != 404 {
			t.Errorf("draft seen by %q: %d", who, code)
		}
	}
	var list struct {
		Meetings []meeting.Meeting `json:"meetings"`
		Next     *string           `json:"next"`
	}
	e.JSON("GET", "/api/v1/meetings", "", nil, 200, &list)
	if len(list.Meetings) != 0 || list.Next != nil {
		t.Errorf("public list shows a draft: %+v", list)
	}

	// Publishing needs both titles.
	code, body := e.Do("POST", path+"/publish", "secretariat", nil)
	if code != 422 || apptest.ErrorFields(body)["title_fr"] == "" {
		t.Fatalf("publish without French title: %d %s", code, body)
	}
	if code, _ := e.Do("PATCH", path, "fp_FR", map[string]any{"title_fr": "x"}); code != 403 {
		t.Errorf("focal point edit: %d", code)
	}
	e.JSON("PATCH", path, "secretariat", map[string]any{"title_fr": "Réunion plénière des correspondants permanents"}, 200, &m)
	if m.Sequence != 0 {
		t.Errorf("a title change moved the calendar sequence to %d", m.Sequence)
	}
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, &m)
	if m.Status != "registration_open" || m.Sequence != 1 {
		t.Errorf("published: status %s, sequence %d", m.Status, m.Sequence)
	}
	if code, _ := e.Do("POST", path+"/publish", "secretariat", nil); code != 409 {
		t.Errorf("publishing twice: %d", code)
	}

	// Not public: signed-in users see it, the public does not.
	if code, _ := e.Do("GET", path, "", nil); code != 404 {
		t.Errorf("non-public meeting seen anonymously: %d", code)
	}
	if code, _ := e.Do("GET", path, "fp_DE", nil); code != 200 {
		t.Errorf("focal point cannot see a published meeting: %d", code)
	}
	e.JSON("PATCH", path, "secretariat", map[string]any{"public": true, "venue": "Agora building, Strasbourg"}, 200, &m)
	if m.Sequence != 2 {
		t.Errorf("a venue change must raise the sequence: %d", m.Sequence)
	}
	e.JSON("GET", path, "", nil, 200, &m)
	e.JSON("GET", "/api/v1/meetings?status=registration_open", "", nil, 200, &list)
	if len(list.Meetings) != 1 {
		t.Errorf("public list: %+v", list)
	}

	// Cancelling needs a reason, then freezes the meeting.
	if code, body := e.Do("POST", path+"/cancel", "secretariat", map[string]any{"reason": " "}); code != 422 || apptest.ErrorFields(body)["reason"] == "" {
		t.Errorf("cancel without reason: %d %s", code, body)
	}
	e.JSON("POST", path+"/cancel", "secretariat", map[string]any{"reason": "Venue unavailable / Salle indisponible"}, 200, &m)
	if m.Status != "cancelled" || m.Sequence != 3 || m.CancelReason == "" {
		t.Errorf("cancelled: %+v", m)
	}
	if code, _ := e.Do("PATCH", path, "secretariat", map[string]any{"venue": "Elsewhere"}); code != 409 {
		t.Errorf("editing a cancelled meeting: %d", code)
	}
	if code, _ := e.Do("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Late item"}); code != 409 {
		t.Errorf("agenda of a cancelled meeting: %d", code)
	}
	e.JSON("POST", path+"/archive", "secretariat", nil, 200, &m)
	if m.Status != "archived" {
		t.Errorf("archived: %s", m.Status)
	}

	var hist struct {
		Changes []struct {
			What   string `json:"what"`
			Field  string `json:"field"`
			Before any    `json:"before"`
			After  any    `json:"after"`
			By     *struct {
				Name string `json:"name"`
			} `json:"by"`
		} `json:"changes"`
	}
	if code, _ := e.Do("GET", path+"/history", "fp_FR", nil); code != 403 {
		t.Errorf("focal point reading history: %d", code)
	}
	e.JSON("GET", path+"/history", "secretariat", nil, 200, &hist)
	var seen []string
	for _, c := range hist.Changes {
		seen = append(seen, c.What+":"+c.Field)
		if c.By == nil || c.By.Name != "Sam Secretariat" {
			t.Errorf("change %s without its author", c.What)
		}
		if c.What == "update" && c.Field == "venue_en" && (c.Before != "Palais de l'Europe, Strasbourg" || c.After != "Agora building, Strasbourg") {
			t.Errorf("venue change recorded as %v → %v", c.Before, c.After)
		}
	}
	want := "create: update:title_fr publish:status update:venue_en update:public cancel:status archive:status"
	if strings.Join(seen, " ") != want {
		t.Errorf("history:\n got %s\nwant %s", strings.Join(seen, " "), want)
	}
}

func TestMeetingValidationOverTheAPI(t *testing.T) {
	e := apptest.Start(t)
	tests := []struct {
		name  string
		edit  func(map[string]any)
		code  int
		field string
	}{
		{"time without offset", func(b map[string]any) { b["starts_at"] = "2027-03-09 09:30" }, 422, "starts_at"},
		{"seats as text", func(b map[string]any) { b["seats_per_state"] = "two" }, 422, "seats_per_state"},
		{"unknown field", func(b map[string]any) { b["colour"] = "blue" }, 400, ""},
		{"funded above seats", func(b map[string]any) { b["funded_seats_per_state"] = 5 }, 422, "funded_seats_per_state"},
		{"custom audience with an unknown state", func(b map[string]any) {
			b["audience"] = "custom"
			b["invited_states"] = []string{"FR", "QQ"}
		}, 422, "invited_states"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := draftBody()
			tt.edit(b)
			code, body := e.Do("POST", "/api/v1/meetings", "secretariat", b)
			if code != tt.code || (tt.field != "" && apptest.ErrorFields(body)[tt.field] == "") {
				t.Fatalf("got %d %s", code, body)
			}
		})
	}
	var list struct {
		Meetings []meeting.Meeting `json:"meetings"`
	}
	e.JSON("GET", "/api/v1/meetings", "secretariat", nil, 200, &list)
	if len(list.Meetings) != 0 {
		t.Errorf("rejected meetings were created: %d", len(list.Meetings))
	}
	for _, q := range []string{"?status=sleeping", "?limit=0", "?limit=501", "?from=yesterday", "?cursor=!!"} {
		if code, _ := e.Do("GET", "/api/v1/meetings"+q, "secretariat", nil); code != 422 {
			t.Errorf("list %s: %d", q, code)
		}
	}
}

func TestMeetingPagination(t *testing.T) {
	e := apptest.Start(t)
	for i := range 5 {
		b := draftBody()
		start := time.Now().Add(time.Duration(i+1) * 48 * time.Hour).Truncate(time.Hour)
		b["starts_at"], b["ends_at"] = start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339)
		e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, nil)
	}
	var ids []int64
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		var page struct {
			Meetings []meeting.Meeting `json:"meetings"`
			Next     *string           `json:"next"`
		}
		e.JSON("GET", "/api/v1/meetings?limit=2&cursor="+cursor, "secretariat", nil, 200, &page)
		for _, m := range page.Meetings {
			ids = append(ids, m.ID)
		}
		if page.Next == nil {
			break
		}
		cursor = *page.Next
	}
	if len(ids) != 5 || ids[0] >= ids[4] {
		t.Fatalf("paged through %v", ids)
	}
}

func TestAgendaOverTheAPI(t *testing.T) {
	e := apptest.Start(t)
	var m meeting.Meeting
	b := draftBody()
	b["title_fr"] = "Réunion plénière"
	b["public"] = true
	e.JSON("POST", "/api/v1/meetings", "secretariat", b, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID)
	var one, two, twoOne meeting.Item
	e.JSON("POST", path, "secretariat", map[string]any{"title_en": "Opening", "title_fr": "Ouverture"}, 201, &one)
	e.JSON("POST", path, "secretariat", map[string]any{"title_en": "Reports", "title_fr": "Rapports",
		"speakers": []map[string]any{{"name": "Élodie Durand", "function": "Rapporteure"}}}, 201, &two)
	e.JSON("POST", path, "secretariat", map[string]any{"title_en": "National reports", "title_fr": "Rapports nationaux", "parent_id": two.ID}, 201, &twoOne)
	if twoOne.Number != "2.1" {
		t.Errorf("sub-item numbered %q", twoOne.Number)
	}
	if code, _ := e.Do("POST", path, "fp_FR", map[string]any{"title_en": "Mine"}); code != 403 {
		t.Errorf("focal point adding an item: %d", code)
	}
	if code, _ := e.Do("GET", path, "", nil); code != 404 {
		t.Errorf("agenda of a draft seen anonymously: %d", code)
	}
	var agenda struct {
		Items []meeting.Item `json:"items"`
	}
	e.JSON("PUT", path+"/order", "secretariat", map[string]any{"ids": []int64{twoOne.ID, two.ID, one.ID}}, 200, &agenda)
	got := ""
	for _, it := range agenda.Items {
		got += it.Number + "=" + it.TitleEN + ";"
	}
	if got != "1=Reports;1.1=National reports;2=Opening;" {
		t.Errorf("after reorder: %s", got)
	}
	if code, body := e.Do("PUT", path+"/order", "secretariat", map[string]any{"ids": []int64{one.ID}}); code != 422 || apptest.ErrorFields(body)["ids"] == "" {
		t.Errorf("partial reorder: %d %s", code, body)
	}
	var updated meeting.Item
	e.JSON("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", one.ID), "secretariat", map[string]any{"notes_fr": "Mot d'accueil"}, 200, &updated)
	if updated.NotesFR != "Mot d'accueil" || updated.TitleEN != "Opening" {
		t.Errorf("patched item: %+v", updated)
	}
	// Given a new parent alone, an item goes last among its new siblings
	// (its old position, 3, is beyond them).
	var aob meeting.Item
	e.JSON("POST", path, "secretariat", map[string]any{"title_en": "Any other business", "title_fr": "Divers"}, 201, &aob)
	e.JSON("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", aob.ID), "secretariat", map[string]any{"parent_id": two.ID}, 200, &updated)
	e.JSON("GET", path, "secretariat", nil, 200, &agenda)
	got = ""
	for _, it := range agenda.Items {
		got += it.Number + "=" + it.TitleEN + ";"
	}
	if got != "1=Reports;1.1=National reports;1.2=Any other business;2=Opening;" || updated.Number != "1.2" {
		t.Errorf("after moving an item under another: %s (answered %q)", got, updated.Number)
	}
	if code, _ := e.Do("DELETE", fmt.Sprintf("/api/v1/agenda-items/%d", two.ID), "fp_DE", nil); code != 403 {
		t.Errorf("focal point deleting: %d", code)
	}
	if code, _ := e.Do("DELETE", fmt.Sprintf("/api/v1/agenda-items/%d", two.ID), "secretariat", nil); code != 204 {
		t.Errorf("delete: %d", code)
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	e.JSON("GET", path, "", nil, 200, &agenda)
	if len(agenda.Items) != 1 || agenda.Items[0].Number != "1" || agenda.Items[0].TitleFR != "Ouverture" {
		t.Errorf("public agenda after deleting an item with its sub-item: %+v", agenda.Items)
	}
}
