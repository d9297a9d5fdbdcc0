package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

// What hostile input looks like: markup that would run or break a page,
// template syntax that would run if text were ever parsed as a template,
// and spreadsheet formulas.
const (
	hostileScript   = "<script>alert(1)</script>"
	hostileImg      = `"'><img src=x onerror=alert(1)>`
	hostileTextarea = "</textarea><b>"
	hostileTemplate = "{{.ManageURL}}"
	hostileLink     = `=HYPERLINK("http://x","click")`
)

// rawMarkup are fragments that must never reach an HTML page or email as
// markup: each would mean that something a user typed became a tag.
var rawMarkup = []string{"<script>alert(", "<img src=x", "</textarea><b>"}

// hostilePeople register through invitation links; every field a person
// types holds something hostile.
var hostilePeople = []map[string]any{
	{
		"first_name": hostileScript, "last_name": hostileImg, "email": "script@example.org",
		"function": hostileLink, "organisation": hostileTextarea, "delegation_role": "head", "language": "en",
		"dietary": "</textarea><script>alert(2)</script>\nno nuts", "accessibility": "@SUM(1+1)*cmd|' /C calc'!A0",
		"list_consent": true,
	},
	{
		"first_name": `=HYPERLINK("http://x")`, "last_name": hostileTemplate, "email": "formula@example.org",
		"function": "{{.}}", "organisation": "+cmd|' /C calc'!A0", "delegation_role": "delegate", "language": "fr",
		"dietary": "-2+3", "accessibility": hostileImg, "list_consent": true,
	},
	{
		"first_name": hostileTextarea, "last_name": "@Smith", "email": "textarea@example.org",
		"function": "-1+1", "organisation": "<img src=x onerror=alert(1)>", "delegation_role": "expert", "language": "en",
	},
}

// TestHostileInputComesBackAsText registers people whose names, functions
// and organisations are markup, template syntax and formulas, for a
// meeting whose title is a script, and reads them back everywhere they
// are shown: the public pages, the person's manage page, the staff's
// pages, the API, the confirmation emails, the CSV and the workbook. They
// must come back as the text typed, never as markup or a formula.
func TestHostileInputComesBackAsText(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	m, links := hostileMeeting(t, e)

	results := make([]registration.Result, len(hostilePeople))
	for i, p := range hostilePeople {
		body := map[string]any{"invitation_token": links[[]string{"FR", "DE", "FR"}[i]]}
		for k, v := range p {
			body[k] = v
		}
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "", body, 201, &results[i])
		if results[i].FirstName != p["first_name"] || results[i].LastName != p["last_name"] || results[i].Function != p["function"] {
			t.Fatalf("registration %d came back altered: %+v", i, results[i].Details)
		}
	}

	t.Run("pages", func(t *testing.T) {
		pages := map[string]string{ // path → who reads it ("" for anyone)
			fmt.Sprintf("/meetings/%d?lang=en", m.ID):                     "",
			fmt.Sprintf("/meetings/%d?lang=fr", m.ID):                     "",
			"/meetings?lang=en":                                           "",
			fmt.Sprintf("/meetings/%d/agenda/print?lang=en", m.ID):        "",
			"/register/" + links["FR"]:                                    "",
			fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID):   "secretariat",
			fmt.Sprintf("/secretariat/meetings/%d", m.ID):                 "secretariat",
			fmt.Sprintf("/meetings/%d/delegation", m.ID):                  "fp_FR",
			fmt.Sprintf("/meetings/%d/delegation?state=DE&lang=fr", m.ID): "secretariat",
			"/secretariat/mail":                                           "secretariat",
		}
		for _, r := range results {
			pages[hostileManagePath(t, r.ManageURL)] = ""
			pages[hostileManagePath(t, r.ManageURL)+"?lang=fr"] = ""
		}
		for path, as := range pages {
			var header []string
			if as != "" {
				header = []string{"Authorization", "Bearer " + e.Tokens[as]}
			}
			code, body, h := getPage(t, e, path, header...)
			if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Errorf("%s as %q: %d %s", path, as, code, h.Get("Content-Type"))
				continue
			}
			hostileNoMarkup(t, path, body)
		}
		// Each page shows what it is about, as the text typed.
		hostileShown(t, e, fmt.Sprintf("/meetings/%d?lang=en", m.ID), "", hostileScript+" Plenary", hostileImg, hostileTextarea)
		for i, r := range results {
			p := hostilePeople[i]
			hostileShown(t, e, hostileManagePath(t, r.ManageURL), "", p["first_name"].(string), p["last_name"].(string),
				p["function"].(string), p["organisation"].(string))
			hostileShown(t, e, fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID), "secretariat",
				p["first_name"].(string), p["last_name"].(string))
		}
		hostileShown(t, e, fmt.Sprintf("/meetings/%d/delegation", m.ID), "fp_FR", hostileScript, hostileImg, hostileTextarea)
	})

	t.Run("api", func(t *testing.T) {
		var list struct {
			Registrations []registration.Registration `json:"registrations"`
		}
		// JSON escapes are fine (encoding/json writes < as \u003c); what
		// matters is that the body is served as JSON and decodes to the
		// text typed.
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/meetings/%d/registrations", e.URL, m.ID), nil)
		req.Header.Set("Authorization", "Bearer "+e.Tokens["secretariat"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("list: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatal(err)
		}
		byEmail := map[string]registration.Registration{}
		for _, r := range list.Registrations {
			byEmail[r.Email] = r
		}
		for _, p := range hostilePeople {
			r := byEmail[p["email"].(string)]
			for field, got := range map[string]string{"first_name": r.FirstName, "last_name": r.LastName, "function": r.Function,
				"organisation": r.Organisation} {
				if got != p[field] {
					t.Errorf("API %s = %q, want %q", field, got, p[field])
				}
			}
			if want, _ := p["dietary"].(string); r.Dietary != want {
				t.Errorf("API dietary = %q, want %q", r.Dietary, want)
			}
		}
		for _, r := range results {
			var own registration.Registration
			e.JSON("GET", "/api/v1/manage/"+hostileManageToken(r.ManageURL), "", nil, 200, &own)
			if own.FirstName != r.FirstName || own.LastName != r.LastName {
				t.Errorf("own registration %q %q, want %q %q", own.FirstName, own.LastName, r.FirstName, r.LastName)
			}
		}
	})

	t.Run("emails", func(t *testing.T) {
		for i, p := range hostilePeople {
			msg := hostileEmailTo(t, mp, p["email"].(string))
			name := p["first_name"].(string) + " " + p["last_name"].(string)
			if !strings.Contains(msg.Subject, hostileScript+" Plenary") && !strings.Contains(msg.Subject, hostileScript+" Plénière") {
				t.Errorf("email %d: subject %q lacks the meeting title as typed", i, msg.Subject)
			}
			if len(msg.To) != 1 || msg.To[0].Address != p["email"] || msg.To[0].Name != name {
				t.Errorf("email %d: To %+v, want %q <%s>", i, msg.To, name, p["email"])
			}
			if !strings.Contains(msg.Text, p["first_name"].(string)) || !strings.Contains(msg.Text, p["last_name"].(string)) {
				t.Errorf("email %d: the text part does not show the name verbatim:\n%s", i, msg.Text)
			}
			if !strings.Contains(msg.Text, hostileScript) {
				t.Errorf("email %d: the text part does not show the meeting title verbatim:\n%s", i, msg.Text)
			}
			hostileNoMarkup(t, fmt.Sprintf("email %d (HTML part)", i), msg.HTML)
			unescaped := html.UnescapeString(msg.HTML)
			if !strings.Contains(unescaped, p["first_name"].(string)) || !strings.Contains(unescaped, p["last_name"].(string)) {
				t.Errorf("email %d: the HTML part does not show the name as text:\n%s", i, msg.HTML)
			}
		}
	})

	t.Run("csv", func(t *testing.T) {
		for _, lang := range []string{"en", "fr"} {
			code, raw := e.Do("GET", fmt.Sprintf("/api/v1/meetings/%d/registrations.csv?lang=%s", m.ID, lang), "secretariat", nil)
			if code != 200 {
				t.Fatalf("CSV %s: %d %s", lang, code, raw)
			}
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF"))))
			if lang == "fr" {
				r.Comma = ';'
			}
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("CSV %s: %v", lang, err)
			}
			hostileSheet(t, "CSV "+lang, rows)
		}
	})

	t.Run("xlsx", func(t *testing.T) {
		code, raw := e.Do("GET", fmt.Sprintf("/api/v1/meetings/%d/registrations.xlsx?lang=en", m.ID), "secretariat", nil)
		if code != 200 {
			t.Fatalf("XLSX: %d %s", code, raw)
		}
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("excelize cannot open the workbook: %v", err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
					t.Errorf("XLSX %s holds a formula: %q", cell, formula)
				}
			}
		}
		hostileSheet(t, "XLSX", rows)
	})
}

// hostileMeeting publishes a public meeting whose title, description and
// venue are hostile, open for registration by FR and DE, and returns it
// with the states' invitation tokens.
func hostileMeeting(t *testing.T, e *apptest.Env) (meeting.Meeting, map[string]string) {
	t.Helper()
	start := time.Now().Add(40 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": hostileScript + " Plenary", "title_fr": hostileScript + " Plénière",
		"description_en": hostileImg + "\n" + hostileTemplate, "venue": hostileTextarea,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"registration_closes_at": start.Add(-24 * time.Hour).Format(time.RFC3339),
		"audience":               "custom", "invited_states": []string{"FR", "DE"}, "seats_per_state": 5, "public": true,
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": hostileImg, "title_fr": hostileTextarea,
		"speakers": []map[string]string{{"name": hostileScript, "function": hostileLink}}}, 201, nil)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, &m)
	e.JSON("POST", path+"/invitations", "secretariat", nil, 200, nil)
	var invs struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", path+"/invitations", "secretariat", nil, 200, &invs)
	links := map[string]string{}
	for _, inv := range invs.Invitations {
		links[inv.State] = inv.RegistrationURL[strings.LastIndex(inv.RegistrationURL, "/")+1:]
	}
	return m, links
}

// hostileNoMarkup fails when body holds a fragment of hostile markup unescaped.
func hostileNoMarkup(t *testing.T, where, body string) {
	t.Helper()
	for _, s := range rawMarkup {
		if i := strings.Index(body, s); i >= 0 {
			t.Errorf("%s: %q is not escaped: …%s…", where, s, body[max(0, i-80):min(len(body), i+80)])
		}
	}
}

// hostileShown fails unless the page, once its entities are decoded,
// shows each text exactly as typed.
func hostileShown(t *testing.T, e *apptest.Env, path, as string, texts ...string) {
	t.Helper()
	var header []string
	if as != "" {
		header = []string{"Authorization", "Bearer " + e.Tokens[as]}
	}
	_, body, _ := getPage(t, e, path, header...)
	shown := html.UnescapeString(body)
	for _, s := range texts {
		if !strings.Contains(shown, s) {
			t.Errorf("%s as %q does not show %q as text", path, as, s)
		}
	}
}

// hostileSheet finds the hostile people's rows by their email and asserts
// that every cell a spreadsheet would evaluate starts with an apostrophe,
// and that nothing else is changed.
func hostileSheet(t *testing.T, what string, rows [][]string) {
	t.Helper()
	if len(rows) < 1+len(hostilePeople) {
		t.Fatalf("%s: %d rows", what, len(rows))
	}
	for i, row := range rows {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("%s row %d column %d is a formula: %q", what, i+1, j+1, cell)
			}
		}
	}
	for _, p := range hostilePeople {
		var row []string
		for _, r := range rows[1:] {
			if len(r) > 3 && r[3] == p["email"] {
				row = r
			}
		}
		if row == nil {
			t.Errorf("%s: no row for %s", what, p["email"])
			continue
		}
		// Columns: state, last name, first name, email, function, organisation, …
		for col, field := range map[int]string{1: "last_name", 2: "first_name", 4: "function", 5: "organisation"} {
			want := p[field].(string)
			if strings.ContainsRune("=+-@", rune(want[0])) {
				want = "'" + want
			}
			if row[col] != want {
				t.Errorf("%s %s: %q, want %q", what, field, row[col], want)
			}
		}
	}
}

// hostileEmailTo waits for the confirmation email to address and returns it.
func hostileEmailTo(t *testing.T, mp *testmail.Server, address string) *testmail.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs, err := mp.Messages()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range msgs {
			if len(s.To) == 1 && s.To[0].Address == address {
				m, err := mp.Message(s.ID)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s after 20s (%d messages)", address, len(msgs))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hostileManagePath is the path of an absolute manage link.
func hostileManagePath(t *testing.T, manageURL string) string {
	t.Helper()
	u, err := url.Parse(manageURL)
	if err != nil || !strings.HasPrefix(u.Path, "/registrations/manage/") {
		t.Fatalf("manage URL %q", manageURL)
	}
	return u.Path
}

func hostileManageToken(manageURL string) string {
	return manageURL[strings.LastIndex(manageURL, "/")+1:]
}
