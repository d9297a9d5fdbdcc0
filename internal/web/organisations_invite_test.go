package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

// Organisations are invited next to states: their focal points get the
// invitation in their language, with their organisation's own seats, and
// the link registers people for the organisation.
func TestInvitingOrganisations(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	e.JSON("POST", "/api/v1/organisations/EUDA/focal-points", "secretariat",
		map[string]string{"name": "Élise Agence", "email": "elise@euda.example", "language": "fr"}, 201, nil)
	e.JSON("POST", "/api/v1/states/FR/focal-points", "secretariat",
		map[string]string{"name": "Frank Point", "email": "frank@interieur.gouv.example", "language": "en"}, 201, nil)

	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "forum", "title_en": "Forum on drug policy", "title_fr": "Forum sur les politiques en matière de drogues",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"audience": "custom", "invited_states": []string{"FR", "DE"}, "invited_organisations": []string{"EUDA", "WHO"},
		"seats_per_organisation": 2, "quotas": map[string]any{"EUDA": map[string]any{"seats": 1, "funded_seats": 0}, "FR": map[string]any{"seats": 4, "funded_seats": 2}},
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)

	// Bad codes: a field error each, nothing written.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"organisations": []string{"NOPE"}}, "organisations"},
		{map[string]any{"organisations": []string{"FR"}}, "organisations"},
		{map[string]any{"organisations": []string{"e u!"}}, "organisations"},
		{map[string]any{"states": []string{"EUDA"}}, "states"},
		{map[string]any{"states": []string{"FR"}, "organisations": []string{"UNODC", "XX-1"}}, "organisations"},
	} {
		if code, body := e.Do("POST", path+"/invitations", "secretariat", c.body); code != 422 || apptest.ErrorFields(body)[c.field] == "" {
			t.Errorf("%v: %d %s, want a 422 on %s", c.body, code, body, c.field)
		}
	}
	if n := dbCount(t, e, `SELECT count(*) FROM invitations WHERE meeting_id = $1`, m.ID); n != 0 {
		t.Fatalf("refused invitations wrote %d", n)
	}

	var res invitation.Result
	e.JSON("POST", path+"/invitations", "secretariat", map[string]any{"states": []string{"FR"}, "organisations": []string{"euda"}}, 200, &res)
	if res.Invited != 2 || res.EmailsQueued != 2 {
		t.Fatalf("invite: %+v", res)
	}
	var raw struct {
		Invitations []map[string]any `json:"invitations"`
	}
	e.JSON("GET", path+"/invitations", "secretariat", nil, 200, &raw)
	if len(raw.Invitations) != 2 || raw.Invitations[0]["invitee"] != "FR" || raw.Invitations[0]["invitee_kind"] != "state" ||
		raw.Invitations[0]["state"] != "FR" || raw.Invitations[1]["invitee"] != "EUDA" || raw.Invitations[1]["invitee_kind"] != "organisation" {
		t.Fatalf("invitations (states first, then organisations): %v", raw.Invitations)
	}
	if _, ok := raw.Invitations[1]["state"]; ok {
		t.Errorf("an organisation's invitation shows a state: %v", raw.Invitations[1])
	}
	var own struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", path+"/invitations", "fp_EUDA", nil, 200, &own)
	if len(own.Invitations) != 1 || own.Invitations[0].State != "EUDA" || own.Invitations[0].RegistrationURL == "" {
		t.Fatalf("EUDA's focal point sees %+v", own.Invitations)
	}
	link := own.Invitations[0].RegistrationURL

	// The email to the organisation's focal point, read back from Mailpit.
	if _, err := mp.WaitCount(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ := mp.Messages()
	byTo := map[string]testmail.Summary{}
	for _, s := range msgs {
		byTo[s.To[0].Address] = s
	}
	full, err := mp.Message(byTo["elise@euda.example"].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Bonjour Élise Agence", "L'organisation suivante est invitée", "Agence de l'Union européenne sur les drogues",
		"L'organisation peut inscrire 1 participant(s)", "réservé à votre organisation", link} {
		if !strings.Contains(full.Text, want) {
			t.Errorf("the organisation's invitation lacks %q:\n%s", want, full.Text)
		}
	}
	if !strings.Contains(full.HTML, `href="`+link+`"`) {
		t.Error("the organisation's invitation (HTML) lacks its link")
	}
	en, err := mp.Message(byTo["frank@interieur.gouv.example"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(en.Text, "France may register 4 participant(s), of whom 2") {
		t.Errorf("FR's invitation does not give its own seats:\n%s", en.Text)
	}

	// The link registers for the organisation; its one seat goes to the
	// first, the second waits.
	token := link[strings.LastIndex(link, "/")+1:]
	var r1, r2 registration.Result
	for i, r := range []*registration.Result{&r1, &r2} {
		b := map[string]any{"invitation_token": token, "first_name": "Obs", "last_name": fmt.Sprint("Erver ", i), "email": fmt.Sprintf("obs%d@euda.example", i),
			"delegation_role": "observer", "language": "fr"}
		e.JSON("POST", path+"/registrations", "", b, 201, r)
	}
	if r1.Status != "confirmed" || r2.Status != "waitlisted" || r1.OrganisationCode == nil || *r1.OrganisationCode != "EUDA" {
		t.Errorf("through EUDA's link: %+v then %+v", r1, r2)
	}
	b := map[string]any{"invitation_token": token, "state": "FR", "first_name": "Wrong", "last_name": "Way", "email": "ww@example.org",
		"delegation_role": "observer", "language": "fr"}
	if code, body := e.Do("POST", path+"/registrations", "", b); code != 422 {
		t.Errorf("EUDA's link used for FR: %d %s", code, body)
	}
	// The registration page of the link, in French, names the organisation
	// and registers for it.
	anon := signInHTTP(t, e, "")
	code, page := anon.get("/register/" + token + "?lang=fr")
	if code != 200 || !strings.Contains(page, "Agence de l&#39;Union européenne sur les drogues") {
		t.Errorf("the organisation's registration page: %d", code)
	}
	form := url.Values{"first_name": {"Page"}, "last_name": {"Form"}, "email": {"page.form@euda.example"},
		"delegation_role": {"observer"}, "language": {"fr"}, "list_consent": {"on"}}
	if code, body := anon.post("/register/"+token+"?lang=fr", page, form); code != 303 {
		t.Errorf("registering through the organisation's page: %d %.300s", code, body)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE email = 'page.form@euda.example' AND organisation_code = 'EUDA'`); n != 1 {
		t.Errorf("registration through the page: %d rows for EUDA", n)
	}
	// The organisation's invitation letter, for its focal point: its name
	// and its own one seat; FR's letter gives FR's four.
	code, pdf := e.Do("GET", path+"/invitations/EUDA/letter.pdf?lang=fr", "fp_EUDA", nil)
	if text := pdftest.Text(t, pdf); code != 200 || !strings.Contains(text, "Agence de l'Union européenne sur les drogues") ||
		!strings.Contains(text, "1 par délégation") {
		t.Errorf("EUDA's letter: %d %q", code, text)
	}
	code, pdf = e.Do("GET", path+"/invitations/FR/letter.pdf?lang=en", "secretariat", nil)
	if text := pdftest.Text(t, pdf); code != 200 || !strings.Contains(text, "4 per delegation, of which 2") {
		t.Errorf("FR's letter: %d %q", code, text)
	}
	if code, _ := e.Do("GET", path+"/invitations/EUDA/letter.pdf", "fp_FR", nil); code != 403 && code != 404 {
		t.Errorf("FR's focal point reading EUDA's letter: %d", code)
	}
	// Badges and the door name the organisation of its delegate.
	code, pdf = e.Do("GET", path+"/badges.pdf", "secretariat", nil)
	if text := pdftest.Text(t, pdf); code != 200 || !strings.Contains(text, "European Union Drugs Agency") {
		t.Errorf("badges: %d %q", code, text)
	}
	var row map[string]any
	var text string
	if err := e.App.DB.Get(&text, `SELECT row_to_json(r)::text FROM registrations r WHERE id = $1`, r1.ID); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(text), &row)
	if row["organisation_code"] != "EUDA" || row["state_code"] != nil {
		t.Errorf("the row of EUDA's delegate: %v", row)
	}
}

// Bad organisations and overrides on a meeting: a field error each, and
// the meeting unchanged.
func TestMeetingOrganisationFieldErrors(t *testing.T) {
	e := apptest.Start(t)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "forum", "title_en": "Forum", "starts_at": "2027-05-04T09:00:00+02:00", "ends_at": "2027-05-04T17:00:00+02:00",
		"invited_organisations": []string{"EUDA"}, "quotas": map[string]any{"EUDA": map[string]int{"seats": 2}},
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	if code, body := e.Do("POST", "/api/v1/meetings", "secretariat", map[string]any{"kind": "forum", "title_en": "Forum",
		"starts_at": "2027-05-04T09:00:00+02:00", "ends_at": "2027-05-04T17:00:00+02:00", "invited_organisations": []string{"NOPE"}}); code != 422 ||
		apptest.ErrorFields(body)["invited_organisations"] == "" {
		t.Errorf("creating with an unknown organisation: %d %s", code, body)
	}
	e.JSON("PUT", "/api/v1/organisations/CSFD", "admin", map[string]string{"name_en": "Civil Society Forum on Drugs",
		"name_fr": "Forum de la société civile sur les drogues", "kind": "ngo", "status": "inactive"}, 200, nil)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"invited_organisations": []string{"NOPE"}}, "invited_organisations"},
		{map[string]any{"invited_organisations": []string{"FR"}}, "invited_organisations"},
		{map[string]any{"invited_organisations": []string{"a b"}}, "invited_organisations"},
		{map[string]any{"invited_organisations": []string{"CSFD"}}, "invited_organisations"}, // inactive
		{map[string]any{"quotas": map[string]any{"XX": map[string]int{"seats": 1}}}, "quotas"},
		{map[string]any{"quotas": map[string]any{"é!": map[string]int{"seats": 1}}}, "quotas"},
		{map[string]any{"quotas": map[string]any{"EUDA": map[string]int{"seats": 1, "funded_seats": 2}}}, "quotas"},
		{map[string]any{"quotas": map[string]any{"FR": map[string]int{"seats": 1001}}}, "quotas"},
		{map[string]any{"seats_per_organisation": 1, "funded_seats_per_organisation": 2}, "funded_seats_per_organisation"},
		{map[string]any{"seats_per_organisation": -1}, "seats_per_organisation"},
	} {
		if code, body := e.Do("PATCH", path, "secretariat", c.body); code != 422 || apptest.ErrorFields(body)[c.field] == "" {
			t.Errorf("%v: %d %s, want a 422 on %s", c.body, code, body, c.field)
		}
	}
	var after meeting.Meeting
	e.JSON("GET", path, "secretariat", nil, 200, &after)
	if strings.Join(after.InvitedOrganisations, ",") != "EUDA" || len(after.Quotas) != 1 || after.Quotas["EUDA"].Seats != 2 || after.SeatsPerOrganisation != 1 {
		t.Errorf("refused edits changed the meeting: %v %v %d", after.InvitedOrganisations, after.Quotas, after.SeatsPerOrganisation)
	}
}
