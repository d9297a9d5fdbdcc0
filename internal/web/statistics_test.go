package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
)

// statsFixture is a hand-built history: meetings held, cancelled, drafts,
// around the edges of the period 2025 (in the meetings' own zone), with
// registrations in every status. Registration ids by person key.
type statsFixture struct {
	regs map[string]int64
}

func buildStatsFixture(t *testing.T, e *apptest.Env) statsFixture {
	t.Helper()
	f := statsFixture{regs: map[string]int64{}}
	meeting := func(kind, starts, lifecycle, reason string) int64 {
		var id int64
		err := e.App.DB.Get(&id, `
			INSERT INTO meetings (kind, title_en, title_fr, starts_at, ends_at, timezone, format, lifecycle, cancel_reason, seats_per_state)
			VALUES ($1, 'Meeting ' || $2, 'Réunion ' || $2, $2::timestamptz, $2::timestamptz + interval '1 day', 'Europe/Paris', 'in_person', $3, $4, 10)
			RETURNING id`, kind, starts, lifecycle, reason)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	n := 0
	reg := func(m int64, key, first, last, st, role, status string, funded, checkedIn bool, gender string) {
		n++
		var waitlisted any
		if status == "waitlisted" {
			waitlisted = "2025-01-01T00:00:00Z"
		}
		var checked any
		if checkedIn {
			checked = "2025-01-01T00:00:00Z"
		}
		var id int64
		// st is a state's code or an organisation's (whose delegates
		// typed another organisation than the states' people).
		err := e.App.DB.Get(&id, `
			INSERT INTO registrations (meeting_id, state_code, organisation_code, first_name, last_name, email, organisation, delegation_role, language,
				funded, status, waitlisted_at, checked_in_at, gender, manage_nonce, manage_hash, source)
			VALUES ($1, (SELECT code FROM states WHERE code = $2), (SELECT code FROM organisations WHERE code = $2), $3, $4, $5,
				CASE WHEN $2 IN (SELECT code FROM organisations) THEN 'Vienna office' ELSE 'Ministère de la Santé' END, $6, 'en', $7, $8, $9, $10, $11,
				decode(md5('n' || $12::text), 'hex'), sha256(convert_to('h' || $12::text, 'UTF8')), 'secretariat')
			RETURNING id`, m, st, first, last, key+"@example.org", role, funded, status, waitlisted, checked, gender, n)
		if err != nil {
			t.Fatal(err)
		}
		f.regs[key+"@"+fmt.Sprint(m)] = id
		f.regs[key] = id
	}
	// 2024: before the period. Alice and Bob were confirmed; Carol only
	// waited; Gina was confirmed for a meeting that was then cancelled.
	m0 := meeting("plenary", "2024-05-01T09:00:00+02:00", "published", "")
	reg(m0, "alice", "Alice", "Durand", "FR", "head", "confirmed", false, true, "woman")
	reg(m0, "bob", "Bob", "Schmidt", "DE", "delegate", "confirmed", false, true, "man")
	reg(m0, "carol", "Carol", "Martin", "FR", "delegate", "waitlisted", false, false, "")
	mx := meeting("forum", "2024-06-01T09:00:00+02:00", "cancelled", "Strike")
	reg(mx, "gina", "Gina", "Müller", "IT", "expert", "confirmed", false, false, "woman")
	// The period.
	m1 := meeting("plenary", "2025-03-10T09:00:00+01:00", "published", "")
	reg(m1, "alice", "Alice", "Durand", "FR", "head", "confirmed", true, true, "woman")
	reg(m1, "dan", "Dan", "Weber", "DE", "delegate", "confirmed", false, true, "man")
	reg(m1, "eve", "Eve", "Klein", "DE", "expert", "cancelled", false, false, "woman")
	reg(m1, "frank", "Frank", "Petit", "FR", "delegate", "declined", false, false, "man")
	reg(m1, "carol", "Carol", "Martin", "FR", "delegate", "waitlisted", false, false, "woman")
	reg(m1, "gina", "Gina", "Müller", "IT", "expert", "confirmed", false, false, "woman")
	reg(m1, "hugo", "Hugo", "Wolf", "DE", "delegate", "confirmed", false, true, "man")
	reg(m1, "ivan", "Ivan", "Roux", "FR", "observer", "pending", false, false, "")
	// UNODC's delegates: Omar (head, funded, checked in), Paula (expert,
	// checked in), Quinn cancelled; no gender given.
	reg(m1, "omar", "Omar", "Haddad", "UNODC", "head", "confirmed", true, true, "")
	reg(m1, "paula", "Paula", "Nyström", "UNODC", "expert", "confirmed", false, true, "")
	reg(m1, "quinn", "Quinn", "Baker", "UNODC", "delegate", "cancelled", false, false, "")
	// Dan comes back for another state; archived after being held.
	m2 := meeting("expert_group", "2025-10-05T09:00:00+02:00", "archived", "")
	reg(m2, "dan", "Dan", "Weber", "AT", "head", "confirmed", true, true, "man")
	reg(m2, "bob", "Bob", "Schmidt", "DE", "head", "confirmed", false, true, "man")
	reg(m2, "jane", "Jane", "Lefèvre", "FR", "adviser", "confirmed", false, true, "other")
	reg(m2, "kim", "Kim", "Lambert", "FR", "delegate", "confirmed", false, true, "undisclosed")
	// 31 December in Strasbourg (22:30 UTC): inside.
	m6 := meeting("forum", "2025-12-31T23:30:00+01:00", "published", "")
	for _, p := range []string{"lea", "mia", "nina", "olga"} {
		reg(m6, p, strings.ToUpper(p[:1])+p[1:], "Italiano", "IT", "delegate", "confirmed", false, false, "woman")
	}
	// Omar comes back, and does not turn up.
	reg(m6, "omar", "Omar", "Haddad", "UNODC", "delegate", "confirmed", false, false, "")
	// Outside: 1 January in Strasbourg (still 31 December in UTC), a
	// cancelled meeting, one cancelled then archived, a draft.
	for _, m := range []int64{
		meeting("forum", "2026-01-01T00:30:00+01:00", "published", ""),
		meeting("forum", "2025-06-01T09:00:00+02:00", "cancelled", "Floods"),
		meeting("forum", "2025-07-01T09:00:00+02:00", "archived", "Floods"),
		meeting("forum", "2025-08-01T09:00:00+02:00", "draft", ""),
	} {
		reg(m, fmt.Sprint("out", m), "Zed", "Outside", "FR", "head", "confirmed", true, true, "man")
	}
	return f
}

type statsInvitee struct {
	Code                                              string
	Name                                              string
	Meetings, Registered, Confirmed, Attended, Funded int
}

type statsReport struct {
	Meetings      int `json:"meetings"`
	Totals        map[string]int
	Rate          *float64 `json:"attendance_rate"`
	People        map[string]int
	States        []statsInvitee
	Organisations []statsInvitee
	Roles         []struct {
		Role                                    string
		Registered, Confirmed, Attended, Funded int
	}
	Gender map[string]any
}

func TestParticipationStatistics(t *testing.T) {
	e := apptest.Start(t)
	f := buildStatsFixture(t, e)
	// Hugo asks for his data to be erased: he stays in the figures only.
	e.JSON("POST", "/api/v1/privacy/erase", "admin", map[string]string{"email": "hugo@example.org"}, 200, nil)

	var r statsReport
	e.JSON("GET", "/api/v1/statistics/participation?from=2025-01-01&to=2025-12-31", "secretariat", nil, 200, &r)
	if r.Meetings != 3 {
		t.Errorf("meetings held = %d, want 3 (cancelled, cancelled-then-archived, draft and next-year ones left out)", r.Meetings)
	}
	want := map[string]int{"registered": 20, "confirmed": 15, "attended": 9, "funded": 3,
		"pending": 1, "waitlisted": 1, "declined": 1, "cancelled": 2, "in_person": 15, "online": 0}
	for k, v := range want {
		if r.Totals[k] != v {
			t.Errorf("totals.%s = %d, want %d", k, r.Totals[k], v)
		}
	}
	if r.Rate == nil || fmt.Sprintf("%.4f", *r.Rate) != fmt.Sprintf("%.4f", 9.0/15) {
		t.Errorf("attendance rate = %v, want 9/15", r.Rate)
	}
	// People: twelve addresses confirmed (Dan and Omar twice count once,
	// Hugo is anonymised); Alice and Bob were confirmed in 2024; Gina only
	// for a meeting that was cancelled, Carol only waited.
	if r.People["new"] != 10 || r.People["returning"] != 2 || r.People["unlinked"] != 1 {
		t.Errorf("people = %v, want new 10, returning 2, unlinked 1", r.People)
	}
	states := map[string]int{}
	for i, s := range r.States {
		states[s.Code] = i
	}
	var roster int
	if err := e.App.DB.Get(&roster, `SELECT count(*) FROM states`); err != nil {
		t.Fatal(err)
	}
	if len(r.States) != roster {
		t.Errorf("%d states listed, want every state of the roster (%d)", len(r.States), roster)
	}
	for code, w := range map[string][5]int{
		"FR": {2, 6, 3, 3, 1}, "DE": {2, 4, 3, 3, 0}, "AT": {1, 1, 1, 1, 1}, "IT": {2, 5, 5, 0, 0}, "ES": {0, 0, 0, 0, 0},
	} {
		i, ok := states[code]
		if !ok {
			t.Errorf("state %s missing", code)
			continue
		}
		s := r.States[i]
		if got := [5]int{s.Meetings, s.Registered, s.Confirmed, s.Attended, s.Funded}; got != w {
			t.Errorf("state %s = %v, want %v (meetings, registered, confirmed, attended, funded)", code, got, w)
		}
	}
	// Protocol order in English: Austria … France, Germany … Italy.
	if !(states["AT"] < states["FR"] && states["FR"] < states["DE"] && states["DE"] < states["IT"]) {
		t.Errorf("states not in protocol order: AT %d, FR %d, DE %d, IT %d", states["AT"], states["FR"], states["DE"], states["IT"])
	}
	var fr statsReport
	e.JSON("GET", "/api/v1/statistics/participation?from=2025-01-01&to=2025-12-31&lang=fr", "secretariat", nil, 200, &fr)
	frIdx := map[string]int{}
	for i, s := range fr.States {
		frIdx[s.Code] = i
	}
	if !(frIdx["DE"] < frIdx["AT"] && frIdx["AT"] < frIdx["FR"]) || fr.States[frIdx["DE"]].Name != "Allemagne" {
		t.Errorf("French protocol order wrong: Allemagne %d, Autriche %d, France %d", frIdx["DE"], frIdx["AT"], frIdx["FR"])
	}
	// Organisations: every one of the roster, zeros included,
	// alphabetical in the language asked for.
	if err := e.App.DB.Get(&roster, `SELECT count(*) FROM organisations`); err != nil {
		t.Fatal(err)
	}
	if len(r.Organisations) != roster || roster < 3 {
		t.Errorf("%d organisations listed, want every organisation of the roster (%d)", len(r.Organisations), roster)
	}
	orgs := func(r statsReport) map[string]int {
		idx := map[string]int{}
		for i, o := range r.Organisations {
			idx[o.Code] = i
		}
		return idx
	}
	en, frOrgs := orgs(r), orgs(fr)
	for code, w := range map[string][5]int{"UNODC": {2, 4, 3, 2, 1}, "EUDA": {0, 0, 0, 0, 0}} {
		i, ok := en[code]
		if !ok {
			t.Errorf("organisation %s missing", code)
			continue
		}
		o := r.Organisations[i]
		if got := [5]int{o.Meetings, o.Registered, o.Confirmed, o.Attended, o.Funded}; got != w {
			t.Errorf("organisation %s = %v, want %v (meetings, registered, confirmed, attended, funded)", code, got, w)
		}
	}
	// Civil Society Forum … European Union Drugs Agency … United Nations
	// Office; Agence de l'Union européenne … Forum de la société civile
	// … Office des Nations Unies.
	if !(en["CSFD"] < en["EUDA"] && en["EUDA"] < en["UNODC"]) || r.Organisations[en["UNODC"]].Name != "United Nations Office on Drugs and Crime" {
		t.Errorf("organisations not alphabetical in English: CSFD %d, EUDA %d, UNODC %d", en["CSFD"], en["EUDA"], en["UNODC"])
	}
	if !(frOrgs["EUDA"] < frOrgs["CSFD"] && frOrgs["CSFD"] < frOrgs["UNODC"]) || fr.Organisations[frOrgs["UNODC"]].Name != "Office des Nations Unies contre la drogue et le crime" {
		t.Errorf("organisations not alphabetical in French: EUDA %d, CSFD %d, UNODC %d", frOrgs["EUDA"], frOrgs["CSFD"], frOrgs["UNODC"])
	}
	roles := map[string][4]int{}
	for _, x := range r.Roles {
		roles[x.Role] = [4]int{x.Registered, x.Confirmed, x.Attended, x.Funded}
	}
	if roles["head"] != [4]int{4, 4, 4, 3} || roles["observer"] != [4]int{1, 0, 0, 0} || len(r.Roles) != 5 {
		t.Errorf("roles = %v", roles)
	}
	// Gender of the fifteen confirmed: six women shown; three men (Hugo's
	// answer erased), one other, one undisclosed, four unknown withheld.
	if r.Gender["woman"] != float64(6) || r.Gender["man"] != nil || r.Gender["other"] != nil ||
		r.Gender["undisclosed"] != nil || r.Gender["unknown"] != nil || r.Gender["threshold"] != float64(5) || r.Gender["withheld"] != true {
		t.Errorf("gender = %v", r.Gender)
	}
	// One kind: the expert group alone, four people: no gender figure.
	var eg statsReport
	e.JSON("GET", "/api/v1/statistics/participation?from=2025-01-01&to=2025-12-31&kind=expert_group", "secretariat", nil, 200, &eg)
	if eg.Meetings != 1 || eg.Totals["confirmed"] != 4 || eg.Gender["man"] != nil || eg.Gender["woman"] != nil || eg.Gender["withheld"] != true {
		t.Errorf("expert groups: meetings %d, confirmed %d, gender %v", eg.Meetings, eg.Totals["confirmed"], eg.Gender)
	}
	// The edge of the year, in the meeting's zone: 1 January 2026 in
	// Strasbourg is next year's.
	var y26 statsReport
	e.JSON("GET", "/api/v1/statistics/participation?from=2026-01-01&to=2026-01-01", "secretariat", nil, 200, &y26)
	if y26.Meetings != 1 || y26.Totals["confirmed"] != 1 {
		t.Errorf("1 January 2026: %d meetings, %d confirmed; want 1, 1", y26.Meetings, y26.Totals["confirmed"])
	}

	// Bad input: field errors, never a 500.
	for q, field := range map[string]string{"from=2025-13-01&to=2025-12-31": "from", "from=2025-02-01&to=2025-01-01": "to",
		"from=2025-01-01&to=2025-12-31&kind=party": "kind", "from=1900-01-01&to=2025-01-01": "to"} {
		code, body := e.Do("GET", "/api/v1/statistics/participation?"+q, "secretariat", nil)
		if code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)[field] == "" {
			t.Errorf("%s: %d %s, want 422 on %s", q, code, body, field)
		}
	}
	_ = f
}

func TestParticipationExports(t *testing.T) {
	e := apptest.Start(t)
	buildStatsFixture(t, e)
	q := "?from=2025-01-01&to=2025-12-31"
	code, body := e.Do("GET", "/api/v1/statistics/participation.csv"+q+"&lang=fr", "secretariat", nil)
	if code != 200 {
		t.Fatalf("csv: %d %s", code, body)
	}
	rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
	rd.Comma, rd.FieldsPerRecord = ';', -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	find := func(recs [][]string, label string) []string {
		for _, r := range recs {
			if len(r) > 0 && r[0] == label {
				return r
			}
		}
		return nil
	}
	if r := find(recs, "Réunions tenues"); len(r) != 2 || r[1] != "3" {
		t.Errorf("csv: meetings held line %v", r)
	}
	if r := find(recs, "FR"); len(r) != 7 || r[1] != "France" || r[4] != "3" {
		t.Errorf("csv: France line %v", r)
	}
	if r := find(recs, "UNODC"); strings.Join(r, "|") != "UNODC|Office des Nations Unies contre la drogue et le crime|2|4|3|2|1" {
		t.Errorf("csv: UNODC line %v", r)
	}
	if r := find(recs, "EUDA"); len(r) != 7 || r[2] != "0" || r[6] != "0" {
		t.Errorf("csv: EUDA line %v (zeros)", r)
	}
	if r := find(recs, "Hommes"); len(r) != 2 || r[1] != "non communiqué" {
		t.Errorf("csv: men line %v (4 men: withheld)", r)
	}
	if r := find(recs, "Femmes"); len(r) != 2 || r[1] != "6" {
		t.Errorf("csv: women line %v", r)
	}

	code, body = e.Do("GET", "/api/v1/statistics/participation.xlsx"+q, "secretariat", nil)
	if code != 200 {
		t.Fatalf("xlsx: %d", code)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "Summary,States,Organisations,Roles,People,Gender" {
		t.Errorf("sheets = %s", got)
	}
	rows, err := x.GetRows("States")
	if err != nil {
		t.Fatal(err)
	}
	if r := find(rows, "IT"); len(r) != 7 || r[4] != "5" {
		t.Errorf("xlsx: Italy row %v", r)
	}
	rows, err = x.GetRows("Organisations")
	if err != nil {
		t.Fatal(err)
	}
	if r := find(rows, "UNODC"); strings.Join(r, "|") != "UNODC|United Nations Office on Drugs and Crime|2|4|3|2|1" {
		t.Errorf("xlsx: UNODC row %v", r)
	}
	if typ, _ := x.GetCellType("Organisations", "C2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("an organisation's meetings are stored as text, not a number")
	}
	if typ, _ := x.GetCellType("Summary", "B5"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("meetings held is stored as text, not a number")
	}
	rows, _ = x.GetRows("Gender")
	if r := find(rows, "Women"); len(r) != 2 || r[1] != "6" {
		t.Errorf("xlsx: women row %v", r)
	}
}

func TestStatisticsPages(t *testing.T) {
	e := apptest.Start(t)
	buildStatsFixture(t, e)
	for _, c := range []struct{ lang, title, held, women, note, orgs, unodc string }{
		{"en", "Participation statistics", "Meetings held: 3", "Women", "Small-group rule: no figure from 1 to 4",
			"Confirmed and attended by organisation", "United Nations Office on Drugs and Crime"},
		{"fr", "Statistiques de participation", "Réunions tenues : 3", "Femmes", "Règle des petits groupes : aucun chiffre de 1 à 4",
			"Confirmés et présents par organisation", "Office des Nations Unies contre la drogue et le crime"},
	} {
		code, body := e.Do("GET", "/secretariat/statistics?from=2025-01-01&to=2025-12-31&lang="+c.lang, "secretariat", nil)
		page := string(body)
		if code != 200 {
			t.Fatalf("%s: %d", c.lang, code)
		}
		for _, want := range []string{c.title, c.held, c.women, c.note, `<svg class="chart" id="chart-states" role="img"`, `aria-describedby="chart-gender-table"`, `id="chart-gender-table"`,
			`<h2 id="h-organisations">` + c.orgs + `</h2>`, `<svg class="chart" id="chart-organisations" role="img"`,
			`<tr id="organisation-UNODC"><th scope="row">` + c.unodc + `</th><td>2</td><td>4</td><td>3</td><td>2</td><td>1</td></tr>`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s page lacks %q", c.lang, want)
			}
		}
		// Every chart has its table.
		for _, id := range regexp.MustCompile(`<svg class="chart" id="([a-z-]+)"`).FindAllStringSubmatch(page, -1) {
			if !strings.Contains(page, `<table class="data`) || !strings.Contains(page, `id="`+id[1]+`-table"`) {
				t.Errorf("%s: chart %s has no data table", c.lang, id[1])
			}
		}
		if strings.Contains(page, "<script") {
			t.Errorf("%s: the page needs JavaScript", c.lang)
		}
	}
	code, body := e.Do("GET", "/secretariat/statistics?from=2025-12-01&to=2025-01-01&lang=fr", "secretariat", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "ne doit pas précéder le début de la période") {
		t.Errorf("bad period: %d", code)
	}
	for _, as := range []string{"", "fp_FR"} {
		for _, p := range []string{"/secretariat/statistics", "/secretariat/people?q=alice"} {
			// Visitors land on the sign-in page, focal points on "not found".
			code, body := e.Do("GET", p, as, nil)
			if strings.Contains(string(body), "Durand") || strings.Contains(string(body), "Meetings held") || strings.Contains(string(body), "sec-nav") {
				t.Errorf("%s as %q: %d, shows the secretariat's page", p, as, code)
			}
		}
	}
}

func TestPeopleSearch(t *testing.T) {
	e := apptest.Start(t)
	f := buildStatsFixture(t, e)
	var res struct {
		People []struct {
			ID       int64
			LastName string `json:"last_name"`
			Email    string
			States   []string
			Invitees []struct {
				Code   string
				NameFR string `json:"name_fr"`
			}
			Meetings int
		}
		More bool
	}
	search := func(q string) []string {
		e.JSON("GET", "/api/v1/people?q="+url.QueryEscape(q), "secretariat", nil, 200, &res)
		var got []string
		for _, p := range res.People {
			got = append(got, p.Email)
		}
		return got
	}
	// Case and accents do not matter, in the query or the data.
	for _, q := range []string{"muller", "MÜLLER", "gina mül", "GINA@example"} {
		if got := search(q); len(got) != 1 || got[0] != "gina@example.org" {
			t.Errorf("search %q = %v, want Gina", q, got)
		}
	}
	if got := search("lefevre"); len(got) != 1 || got[0] != "jane@example.org" {
		t.Errorf("search lefevre = %v", got)
	}
	if got := search("ministere de la sante"); len(got) < 10 {
		t.Errorf("search by organisation found %d people", len(got))
	}
	// An organisation's delegates are found by its names in the roster,
	// in either language, and by its code, with the other words.
	for q, want := range map[string]string{
		"nations unies":             "omar@example.org,paula@example.org,quinn@example.org",
		"United Nations Office":     "omar@example.org,paula@example.org,quinn@example.org",
		"unodc haddad":              "omar@example.org",
		"vienna office":             "omar@example.org,paula@example.org,quinn@example.org",
		"nations unies Ministère":   "",
		"World Health Organization": "",
	} {
		got := search(q)
		sort.Strings(got)
		if strings.Join(got, ",") != want {
			t.Errorf("search %q = %v, want %s", q, got, want)
		}
	}
	// Omar, UNODC's delegate twice: his organisation, named.
	search("haddad")
	if len(res.People) != 1 || res.People[0].Meetings != 2 || strings.Join(res.People[0].States, ",") != "UNODC" ||
		len(res.People[0].Invitees) != 1 || res.People[0].Invitees[0].NameFR != "Office des Nations Unies contre la drogue et le crime" {
		t.Fatalf("haddad: %+v", res.People)
	}
	omar := res.People[0].ID
	var oh struct {
		Participations []struct {
			State         string
			InviteeNameEN string `json:"invitee_name_en"`
			Status        string
		}
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/people/%d", omar), "secretariat", nil, 200, &oh)
	if len(oh.Participations) != 2 || oh.Participations[0].State != "UNODC" || oh.Participations[1].State != "UNODC" ||
		oh.Participations[0].InviteeNameEN != "United Nations Office on Drugs and Crime" {
		t.Errorf("Omar's history = %+v", oh.Participations)
	}
	for lang, name := range map[string]string{"en": "United Nations Office on Drugs and Crime", "fr": "Office des Nations Unies contre la drogue et le crime"} {
		code, body := e.Do("GET", fmt.Sprintf("/secretariat/people/%d?lang=%s", omar, lang), "secretariat", nil)
		if code != 200 || strings.Count(string(body), "<td>"+strings.ReplaceAll(name, "'", "&#39;")+"</td>") != 2 {
			t.Errorf("Omar's page in %s: %d, his organisation not named twice", lang, code)
		}
		code, body = e.Do("GET", "/secretariat/people?q=haddad&lang="+lang, "secretariat", nil)
		if code != 200 || !strings.Contains(string(body), "<td>"+name+"</td>") {
			t.Errorf("people page in %s: %d, Omar's organisation not named", lang, code)
		}
	}
	// Dan, registered for Germany and then Austria: one person, two states.
	search("weber")
	if len(res.People) != 1 || res.People[0].Meetings != 2 || strings.Join(res.People[0].States, ",") != "AT,DE" {
		t.Fatalf("weber: %+v", res.People)
	}
	var h struct {
		Person         struct{ Email string }
		Participations []struct {
			State  string
			Status string
		}
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/people/%d", res.People[0].ID), "secretariat", nil, 200, &h)
	if len(h.Participations) != 2 || h.Participations[0].State != "AT" || h.Participations[1].State != "DE" {
		t.Errorf("Dan's history = %+v", h.Participations)
	}
	code, body := e.Do("GET", fmt.Sprintf("/secretariat/people/%d?lang=fr", res.People[0].ID), "secretariat", nil)
	if code != 200 || !strings.Contains(string(body), "Inscrit(e) à 2 réunion(s)") {
		t.Errorf("person page in French: %d", code)
	}
	code, body = e.Do("GET", "/secretariat/people?q=weber&lang=en", "secretariat", nil)
	if code != 200 || !strings.Contains(string(body), "Weber, Dan") {
		t.Errorf("people page: %d", code)
	}
	// Erased people disappear from the search and their history.
	if got := search("hugo"); len(got) != 1 {
		t.Fatalf("hugo before erasure: %v", got)
	}
	e.JSON("POST", "/api/v1/privacy/erase", "admin", map[string]string{"email": "hugo@example.org"}, 200, nil)
	for _, q := range []string{"hugo", "anonymised participant", "erased-"} {
		if got := search(q); len(got) != 0 {
			t.Errorf("an erased person is still found by %q: %v", q, got)
		}
	}
	if code, _ := e.Do("GET", fmt.Sprintf("/api/v1/people/%d", f.regs["hugo"]), "secretariat", nil); code != http.StatusNotFound {
		t.Errorf("an erased person's history: %d, want 404", code)
	}
	// Too short a query is a field error; LIKE's wildcards are literal.
	code, body = e.Do("GET", "/api/v1/people?q=ab", "secretariat", nil)
	if code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)["q"] == "" {
		t.Errorf("q=ab: %d %s", code, body)
	}
	if got := search("%%%"); len(got) != 0 {
		t.Errorf("%%%%%% matches %v", got)
	}
	var raw json.RawMessage
	e.JSON("GET", "/api/v1/people?q=zzzz", "secretariat", nil, 200, &raw)
	if !strings.Contains(string(raw), `"people":[]`) {
		t.Errorf("no match: %s", raw)
	}
}

// In a browser (the page has no script: TestStatisticsPages): the
// secretariat picks a period and a kind with the form, and sees the
// charts and their tables.
func TestStatisticsPageInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	buildStatsFixture(t, e)
	b := browsertest.New(t)
	signIn(b, e.URL, "secretariat@example.org", "/secretariat/statistics", "fr")
	b.Do(chromedp.SetValue(chromedp.CSS("#f-from"), "2025-01-01"), chromedp.SetValue(chromedp.CSS("#f-to"), "2025-12-31"))
	submit(b, "form.sec-stats-form button[type=submit]")
	if got := b.Text("#meetings-held"); got != "Réunions tenues : 3" {
		t.Errorf("meetings held: %q", got)
	}
	if n := b.Count("svg.chart"); n != 6 {
		t.Errorf("%d charts, want 6", n)
	}
	if got := b.Text("#state-IT td:nth-of-type(3)"); got != "5" {
		t.Errorf("Italy confirmed: %q", got)
	}
	b.Screenshot("secretariat-statistics-fr")
	b.Do(chromedp.SetValue(chromedp.CSS("#f-kind"), "expert_group"))
	submit(b, "form.sec-stats-form button[type=submit]")
	if got := b.Text("#meetings-held"); got != "Réunions tenues : 1" {
		t.Errorf("expert groups: %q", got)
	}
	if !strings.Contains(b.Text("#chart-gender-table"), "non communiqué") {
		t.Errorf("the gender of four people is shown: %q", b.Text("#chart-gender-table"))
	}
}
