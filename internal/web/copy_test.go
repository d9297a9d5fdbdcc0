package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// copySource is a published meeting with people around it: a custom
// audience, a registration window, a two-level agenda with times, notes
// and speakers (one linked to a registration), an invitation, a
// registration and the emails they sent.
func copySource(t *testing.T, e *apptest.Env) (meeting.Meeting, []meeting.Item) {
	t.Helper()
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": "Plenary 2027", "title_fr": "Plénière 2027", "description_en": "The yearly plenary.",
		"starts_at": "2027-03-09T09:30:00+01:00", "ends_at": "2027-03-10T17:00:00+01:00", "timezone": "Europe/Paris",
		"venue_en": "Palais de l'Europe", "venue_fr": "Palais de l'Europe", "format": "hybrid", "online_url": "https://meet.example.org/plenary",
		"registration_opens_at": "2026-11-01T09:00:00+01:00", "registration_closes_at": "2027-03-01T18:00:00+01:00",
		"seats_per_state": 3, "funded_seats_per_state": 1, "capacity": 80, "audience": "custom", "invited_states": []string{"FR", "DE"},
		"requires_approval": false, "public": true,
		"invited_organisations": []string{"EUDA"}, "seats_per_organisation": 2, "funded_seats_per_organisation": 1,
		"quotas":             map[string]any{"FR": map[string]int{"seats": 4, "funded_seats": 2}, "EUDA": map[string]int{"seats": 1, "funded_seats": 0}},
		"in_person_capacity": 40, "reminder_focal_points_days": 10, "reminder_participants_days": 3, "funding_decision": "secretariat",
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	var opening, sub meeting.Item
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Opening", "title_fr": "Ouverture",
		"notes_en": "Welcome words.", "notes_fr": "Mots de bienvenue.",
		"starts_at": "2027-03-09T09:30:00+01:00", "ends_at": "2027-03-09T10:00:00+01:00"}, 201, &opening)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Adoption of the agenda", "title_fr": "Adoption de l'ordre du jour",
		"speakers": []map[string]string{{"name": "Élise Müller", "function": "Chair"}}}, 201, nil)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"parent_id": opening.ID, "title_en": "Statement", "title_fr": "Déclaration",
		"starts_at": "2027-03-09T09:40:00+01:00", "ends_at": "2027-03-09T09:50:00+01:00"}, 201, &sub)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, &m)
	e.JSON("POST", "/api/v1/states/FR/focal-points", "secretariat", map[string]string{"name": "Jean Dupont", "email": "jd@example.org", "language": "fr"}, 201, nil)
	e.JSON("POST", path+"/invitations", "secretariat", nil, 200, nil)
	var r registration.Result
	e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Anne", "last_name": "Martin",
		"email": "anne.martin@example.org", "delegation_role": "delegate", "language": "fr"}, 201, &r)
	e.JSON("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", sub.ID), "secretariat", map[string]any{
		"speakers": []map[string]any{{"name": "Anne Martin", "function": "Delegate of France", "registration_id": r.ID}}}, 200, nil)
	var agenda struct {
		Items []meeting.Item `json:"items"`
	}
	e.JSON("GET", path+"/agenda", "secretariat", nil, 200, &agenda)
	return m, agenda.Items
}

// dbCount runs a count(*) query.
func dbCount(t *testing.T, e *apptest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.App.DB.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func sameInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// Copying a meeting makes a new draft with its settings, audience and
// agenda, every time moved by as much as the start, and none of its
// people; read back through the API and the database.
func TestCopyMeetingOverTheAPI(t *testing.T) {
	e := apptest.Start(t)
	src, srcItems := copySource(t, e)
	if len(srcItems) != 3 || srcItems[1].Speakers[0].RegistrationID == nil {
		t.Fatalf("source agenda: %+v", srcItems)
	}
	start, _ := time.Parse(time.RFC3339, "2028-03-14T09:30:00+01:00")
	shift := start.Sub(src.StartsAt)

	var created meeting.Meeting
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/copy", src.ID), "secretariat", map[string]any{"starts_at": "2028-03-14T09:30:00+01:00"}, 201, &created)
	var cp meeting.Meeting
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d", created.ID), "secretariat", nil, 200, &cp)
	if cp.ID == src.ID || cp.Status != meeting.StatusDraft {
		t.Fatalf("copy: id %d (source %d), status %s", cp.ID, src.ID, cp.Status)
	}
	if !cp.StartsAt.Equal(start) || !cp.EndsAt.Equal(src.EndsAt.Add(shift)) {
		t.Errorf("copy runs %s – %s, want %s – %s", cp.StartsAt, cp.EndsAt, start, src.EndsAt.Add(shift))
	}
	if !cp.RegistrationOpensAt.Equal(src.RegistrationOpensAt.Add(shift)) || !cp.RegistrationClosesAt.Equal(src.RegistrationClosesAt.Add(shift)) {
		t.Errorf("registration window %s – %s, want it moved by %s", cp.RegistrationOpensAt, cp.RegistrationClosesAt, shift)
	}
	// The settings are the source's, times aside.
	want, got := src.Fields, cp.Fields
	want.StartsAt, want.EndsAt, want.RegistrationOpensAt, want.RegistrationClosesAt = time.Time{}, time.Time{}, nil, nil
	got.StartsAt, got.EndsAt, got.RegistrationOpensAt, got.RegistrationClosesAt = time.Time{}, time.Time{}, nil, nil
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("copied settings:\n got %+v\nwant %+v", got, want)
	}
	if len(cp.InvitedOrganisations) != 1 || cp.Quotas["FR"].Seats != 4 || cp.SeatsPerOrganisation != 2 ||
		dbCount(t, e, `SELECT count(*) FROM meeting_organisations WHERE meeting_id = $1 AND organisation_code = 'EUDA'`, cp.ID) != 1 {
		t.Errorf("the copy's organisations and seats: %v %v %d", cp.InvitedOrganisations, cp.Quotas, cp.SeatsPerOrganisation)
	}
	// The hybrid room and the reminders come along, in the row itself.
	if n := dbCount(t, e, `SELECT count(*) FROM meetings WHERE id = $1 AND format = 'hybrid' AND in_person_capacity = 40
		AND reminder_focal_points_days = 10 AND reminder_participants_days = 3 AND funding_decision = 'secretariat'`, cp.ID); n != 1 {
		t.Errorf("the copy's row lacks the source's in-person capacity and reminder settings")
	}

	var agenda struct {
		Items []meeting.Item `json:"items"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/agenda", cp.ID), "secretariat", nil, 200, &agenda)
	if len(agenda.Items) != len(srcItems) {
		t.Fatalf("copied agenda: %d items, want %d", len(agenda.Items), len(srcItems))
	}
	newIDs := map[int64]int64{}
	for i, it := range agenda.Items {
		s := srcItems[i]
		newIDs[s.ID] = it.ID
		if it.ID == s.ID || it.Number != s.Number || it.TitleEN != s.TitleEN || it.TitleFR != s.TitleFR || it.NotesEN != s.NotesEN || it.NotesFR != s.NotesFR {
			t.Errorf("item %d: %+v, want a copy of %+v", i, it, s)
		}
		var wantStart, wantEnd *time.Time
		if s.StartsAt != nil {
			v := s.StartsAt.Add(shift)
			wantStart = &v
		}
		if s.EndsAt != nil {
			v := s.EndsAt.Add(shift)
			wantEnd = &v
		}
		if !sameInstant(it.StartsAt, wantStart) || !sameInstant(it.EndsAt, wantEnd) {
			t.Errorf("item %s runs %v – %v, want %v – %v", it.Number, it.StartsAt, it.EndsAt, wantStart, wantEnd)
		}
		if (s.ParentID == nil) != (it.ParentID == nil) || (s.ParentID != nil && *it.ParentID != newIDs[*s.ParentID]) {
			t.Errorf("item %s: parent %v, want the copy of %v", it.Number, it.ParentID, s.ParentID)
		}
		if len(it.Speakers) != len(s.Speakers) {
			t.Fatalf("item %s: speakers %+v, want %+v", it.Number, it.Speakers, s.Speakers)
		}
		for j, sp := range it.Speakers {
			if sp.Name != s.Speakers[j].Name || sp.Function != s.Speakers[j].Function || sp.RegistrationID != nil {
				t.Errorf("item %s speaker %d: %+v, want %q (%q) without a link", it.Number, j, sp, s.Speakers[j].Name, s.Speakers[j].Function)
			}
		}
	}
	// No people: no registrations, invitations or emails; the source keeps its own.
	for _, q := range []string{`SELECT count(*) FROM registrations WHERE meeting_id = $1`,
		`SELECT count(*) FROM invitations WHERE meeting_id = $1`,
		`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1`} {
		if n := dbCount(t, e, q, cp.ID); n != 0 {
			t.Errorf("%s: %d for the copy", q, n)
		}
		if n := dbCount(t, e, q, src.ID); n == 0 {
			t.Errorf("%s: none left for the source", q)
		}
	}
	if n := dbCount(t, e, `SELECT count(*) FROM meeting_states WHERE meeting_id = $1`, cp.ID); n != 2 {
		t.Errorf("copy invites %d states, want 2", n)
	}
	var srcAgenda struct {
		Items []meeting.Item `json:"items"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/agenda", src.ID), "secretariat", nil, 200, &srcAgenda)
	if srcAgenda.Items[1].Speakers[0].RegistrationID == nil || srcAgenda.Items[1].ID != srcItems[1].ID {
		t.Errorf("the source's agenda changed: %+v", srcAgenda.Items[1])
	}
	// Audited, in the copy's history too.
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'meeting.copy' AND meeting_id = $1 AND subject_id = $1 AND user_id = $2`,
		cp.ID, e.Users["secretariat"].ID); n != 1 {
		t.Errorf("audit entries meeting.copy: %d", n)
	}
	var hist struct {
		Changes []meeting.Change `json:"changes"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/history", cp.ID), "secretariat", nil, 200, &hist)
	if len(hist.Changes) != 1 || hist.Changes[0].What != meeting.ChangeCopy {
		t.Errorf("history of the copy: %+v", hist.Changes)
	}

	// Refusals.
	for _, tt := range []struct {
		name, as string
		id       int64
		body     any
		code     int
		field    string
	}{
		{"no start", "secretariat", src.ID, map[string]any{}, 422, "starts_at"},
		{"null start", "secretariat", src.ID, map[string]any{"starts_at": nil}, 422, "starts_at"},
		{"start not RFC 3339", "secretariat", src.ID, map[string]any{"starts_at": "14/03/2028 09:30"}, 422, "starts_at"},
		{"unknown meeting", "secretariat", src.ID + 1000, map[string]any{"starts_at": "2028-03-14T09:30:00+01:00"}, 404, ""},
		{"focal point", "fp_FR", src.ID, map[string]any{"starts_at": "2028-03-14T09:30:00+01:00"}, 403, ""},
		{"anonymous", "", src.ID, map[string]any{"starts_at": "2028-03-14T09:30:00+01:00"}, 401, ""},
	} {
		before := dbCount(t, e, `SELECT count(*) FROM meetings`)
		code, body := e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/copy", tt.id), tt.as, tt.body)
		if code != tt.code || (tt.field != "" && apptest.ErrorFields(body)[tt.field] == "") {
			t.Errorf("%s: %d %s, want %d (field %q)", tt.name, code, body, tt.code, tt.field)
		}
		if n := dbCount(t, e, `SELECT count(*) FROM meetings`); n != before {
			t.Errorf("%s: %d meetings, was %d", tt.name, n, before)
		}
	}
}

// Only a draft can be deleted, with its agenda; a published meeting stays
// as it was.
func TestDeleteDraftOverTheAPI(t *testing.T) {
	e := apptest.Start(t)
	src, srcItems := copySource(t, e)
	var cp meeting.Meeting
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/copy", src.ID), "secretariat", map[string]any{"starts_at": "2028-03-14T09:30:00+01:00"}, 201, &cp)
	draft := fmt.Sprintf("/api/v1/meetings/%d", cp.ID)

	for _, who := range []struct {
		as   string
		code int
	}{{"fp_FR", 403}, {"", 401}} {
		if code, body := e.Do("DELETE", draft, who.as, nil); code != who.code {
			t.Errorf("delete as %q: %d %s, want %d", who.as, code, body, who.code)
		}
	}
	if code, body := e.Do("DELETE", draft, "secretariat", nil); code != http.StatusNoContent {
		t.Fatalf("delete the draft: %d %s", code, body)
	}
	if code, _ := e.Do("GET", draft, "secretariat", nil); code != http.StatusNotFound {
		t.Errorf("GET the deleted draft: %d", code)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM meetings WHERE id = $1`, cp.ID) +
		dbCount(t, e, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1`, cp.ID) +
		dbCount(t, e, `SELECT count(*) FROM meeting_states WHERE meeting_id = $1`, cp.ID); n != 0 {
		t.Errorf("%d rows of the deleted draft are left", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'meeting.delete' AND meeting_id = $1 AND subject_id = $1 AND user_id = $2`,
		cp.ID, e.Users["secretariat"].ID); n != 1 {
		t.Errorf("audit entries meeting.delete: %d", n)
	}
	if code, _ := e.Do("DELETE", draft, "secretariat", nil); code != http.StatusNotFound {
		t.Errorf("delete it again: %d", code)
	}

	// A published meeting: 409 with a reason, nothing changed.
	pub := fmt.Sprintf("/api/v1/meetings/%d", src.ID)
	var before meeting.Meeting
	e.JSON("GET", pub, "secretariat", nil, 200, &before)
	code, body := e.Do("DELETE", pub, "secretariat", nil)
	if code != http.StatusConflict || !strings.Contains(string(body), "only a draft can be deleted") {
		t.Fatalf("delete a published meeting: %d %s", code, body)
	}
	var after meeting.Meeting
	e.JSON("GET", pub, "secretariat", nil, 200, &after)
	if after.Status != before.Status || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the published meeting changed: %+v", after)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1`, src.ID); n != len(srcItems) {
		t.Errorf("the published meeting has %d agenda items, had %d", n, len(srcItems))
	}
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE meeting_id = $1`, src.ID); n != 1 {
		t.Errorf("the published meeting has %d registrations, had 1", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'meeting.delete' AND meeting_id = $1`, src.ID); n != 0 {
		t.Errorf("a refused delete was audited: %d", n)
	}
}
