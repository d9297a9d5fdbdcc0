package web_test

import (
	"testing"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/organisation"
)

type orgList struct {
	Organisations []organisation.Organisation `json:"organisations"`
}

// The seeded observers are listed to anyone, alphabetical in the language
// asked for.
func TestOrganisationsListedInProtocolOrder(t *testing.T) {
	e := apptest.Start(t)
	for _, lang := range []string{"en", "fr"} {
		var l orgList
		e.JSON("GET", "/api/v1/organisations?lang="+lang, "", nil, 200, &l)
		byCode := map[string]organisation.Organisation{}
		for _, o := range l.Organisations {
			byCode[o.Code] = o
		}
		for _, code := range []string{"EUDA", "UNODC", "WHO", "EC", "INTERPOL", "CSFD"} {
			if _, ok := byCode[code]; !ok {
				t.Errorf("%s: %s missing from %+v", lang, code, l.Organisations)
			}
		}
		if o := byCode["EUDA"]; o.NameEN != "European Union Drugs Agency" || o.NameFR != "Agence de l'Union européenne sur les drogues" ||
			o.Kind != "international" || o.Status != "active" {
			t.Errorf("EUDA: %+v", o)
		}
		tag := language.English
		if lang == "fr" {
			tag = language.French
		}
		c := collate.New(tag, collate.Loose)
		for i := 1; i < len(l.Organisations); i++ {
			if c.CompareString(l.Organisations[i-1].Name(lang), l.Organisations[i].Name(lang)) > 0 {
				t.Errorf("%s: %q before %q", lang, l.Organisations[i-1].Name(lang), l.Organisations[i].Name(lang))
			}
		}
	}
	var fr orgList
	e.JSON("GET", "/api/v1/organisations?lang=fr", "", nil, 200, &fr)
	if fr.Organisations[0].Code != "EUDA" { // "Agence …" comes first in French, not in English
		t.Errorf("first in French: %s", fr.Organisations[0].Code)
	}
}

func TestOrganisationCreateAndEdit(t *testing.T) {
	e := apptest.Start(t)
	var o organisation.Organisation
	e.JSON("POST", "/api/v1/organisations", "secretariat", map[string]string{"code": " pompidou-g ", "name_en": "Pompidou Group",
		"name_fr": "Groupe Pompidou", "kind": "international"}, 201, &o)
	if o.Code != "POMPIDOU-G" || o.Status != "active" {
		t.Errorf("created: %+v", o)
	}
	var l orgList
	e.JSON("GET", "/api/v1/organisations", "", nil, 200, &l)
	found := false
	for _, x := range l.Organisations {
		found = found || x.Code == "POMPIDOU-G" && x.NameFR == "Groupe Pompidou"
	}
	if !found {
		t.Errorf("new organisation not listed: %+v", l.Organisations)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'organisation.create' AND state_code = 'POMPIDOU-G' AND user_id = $1`,
		e.Users["secretariat"].ID); n != 1 {
		t.Errorf("audit entries of the creation: %d", n)
	}

	// Bad input: a field error each, and nothing written.
	before := dbCount(t, e, `SELECT count(*) FROM organisations`)
	for _, c := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{"code": "E", "name_en": "x", "name_fr": "x", "kind": "ngo"}, "code"},
		{map[string]string{"code": "ABCDEFGHIJKLMNOPQ", "name_en": "x", "name_fr": "x", "kind": "ngo"}, "code"},
		{map[string]string{"code": "AB_C", "name_en": "x", "name_fr": "x", "kind": "ngo"}, "code"},
		{map[string]string{"code": "FR", "name_en": "x", "name_fr": "x", "kind": "ngo"}, "code"},   // a state's
		{map[string]string{"code": "EUDA", "name_en": "x", "name_fr": "x", "kind": "ngo"}, "code"}, // taken
		{map[string]string{"code": "NEW", "name_en": "", "name_fr": "x", "kind": "ngo"}, "name_en"},
		{map[string]string{"code": "NEW", "name_en": "x", "name_fr": "x", "kind": "club"}, "kind"},
		{map[string]string{"code": "NEW", "name_en": "x", "name_fr": "x", "kind": "ngo", "status": "dormant"}, "status"},
	} {
		code, body := e.Do("POST", "/api/v1/organisations", "admin", c.body)
		if code != 422 || apptest.ErrorFields(body)[c.field] == "" {
			t.Errorf("%v: %d %s, want a 422 on %s", c.body, code, body, c.field)
		}
	}
	if after := dbCount(t, e, `SELECT count(*) FROM organisations`); after != before {
		t.Errorf("bad input wrote organisations: %d → %d", before, after)
	}

	e.JSON("PUT", "/api/v1/organisations/pompidou-g", "admin", map[string]string{"name_en": "Pompidou Group (Council of Europe)",
		"name_fr": "Groupe Pompidou (Conseil de l'Europe)", "kind": "international", "status": "inactive"}, 200, nil)
	e.JSON("GET", "/api/v1/organisations?lang=fr", "", nil, 200, &l)
	for _, x := range l.Organisations {
		if x.Code == "POMPIDOU-G" && (x.NameFR != "Groupe Pompidou (Conseil de l'Europe)" || x.Status != "inactive") {
			t.Errorf("after the edit: %+v", x)
		}
	}
	if code, _ := e.Do("PUT", "/api/v1/organisations/NOPE", "admin", map[string]string{"name_en": "x", "name_fr": "x", "kind": "ngo"}); code != 404 {
		t.Errorf("editing an unknown organisation: %d", code)
	}
	// A state can no longer take an organisation's code either.
	if _, err := e.App.DB.Exec(`INSERT INTO states (code, name_en, name_fr, status) VALUES ('EUDA', 'x', 'x', 'member')`); err == nil {
		t.Error("a state took an organisation's code")
	}
}

// An organisation's focal points are managed as a state's: added by the
// secretariat, read by the secretariat and the organisation's own focal
// points, and no one else.
func TestOrganisationFocalPoints(t *testing.T) {
	e := apptest.Start(t)
	var fp invitation.FocalPoint
	e.JSON("POST", "/api/v1/organisations/euda/focal-points", "secretariat",
		map[string]string{"name": "Alexis Goosdeel", "email": "Director@EUDA.example", "language": "en"}, 201, &fp)
	if fp.State != "EUDA" || fp.OrganisationCode == nil || *fp.OrganisationCode != "EUDA" || fp.StateCode != nil {
		t.Errorf("focal point: %+v", fp)
	}
	var fps struct {
		FocalPoints []invitation.FocalPoint `json:"focal_points"`
	}
	e.JSON("GET", "/api/v1/organisations/EUDA/focal-points", "fp_EUDA", nil, 200, &fps)
	if len(fps.FocalPoints) != 1 || fps.FocalPoints[0].Email != "director@euda.example" {
		t.Errorf("EUDA's focal points: %+v", fps)
	}
	for _, c := range []struct {
		method, path, as string
		want             int
	}{
		{"GET", "/api/v1/organisations/EUDA/focal-points", "fp_FR", 403},
		{"GET", "/api/v1/organisations/WHO/focal-points", "fp_EUDA", 403},
		{"GET", "/api/v1/states/FR/focal-points", "fp_EUDA", 403},
		{"GET", "/api/v1/organisations/FR/focal-points", "secretariat", 404}, // a state's code
		{"GET", "/api/v1/organisations/NOPE/focal-points", "secretariat", 404},
		{"POST", "/api/v1/organisations/EUDA/focal-points", "fp_EUDA", 403},
		{"GET", "/api/v1/states/EUDA/focal-points", "secretariat", 404}, // an organisation's code
		{"POST", "/api/v1/states/EUDA/focal-points", "secretariat", 404},
		{"POST", "/api/v1/organisations/FR/focal-points", "secretariat", 404}, // a state's code
	} {
		if code, body := e.Do(c.method, c.path, c.as, map[string]string{"name": "X", "email": "x@example.org", "language": "fr"}); code != c.want {
			t.Errorf("%s %s as %s: %d %s, want %d", c.method, c.path, c.as, code, body, c.want)
		}
	}
	if code, _ := e.Do("POST", "/api/v1/organisations/EUDA/focal-points", "secretariat",
		map[string]string{"name": "Again", "email": "director@euda.example", "language": "fr"}); code != 409 {
		t.Errorf("the same address twice: %d", code)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM focal_points WHERE organisation_code = 'EUDA' AND state_code IS NULL`); n != 1 {
		t.Errorf("focal point rows of EUDA: %d", n)
	}
}
