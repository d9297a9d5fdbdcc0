package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/web"
)

// Who may call what: the policy of every route of the JSON API (and the
// public pages), checked role by role. A route the router knows but this
// table does not fails the test, so no route ships unclassified.
type policy string

const (
	anyone      policy = "anyone"      // public
	signedIn    policy = "signed-in"   // any account (a focal point sees their own state)
	secretariat policy = "secretariat" // secretariat and admins
	adminOnly   policy = "admin"       // admins
	ownState    policy = "own-state"   // the state's focal point, the secretariat, admins
	ownOrg      policy = "own-org"     // the organisation's focal point, the secretariat, admins
	hidden      policy = "hidden"      // a non-public meeting: 404 for the public, visible to accounts
	link        policy = "link"        // a secret link: opens with the right token, 404 with any other
	pageOnly    policy = "page"        // HTML pages and files checked by their own tests
)

var roles = []string{"", "fp_FR", "fp_DE", "fp_EUDA", "secretariat", "admin"}

func allowed(p policy, role string) bool {
	switch p {
	case anyone, link, pageOnly:
		return true
	case signedIn, hidden:
		return role != ""
	case secretariat:
		return role == "secretariat" || role == "admin"
	case adminOnly:
		return role == "admin"
	case ownState:
		return role == "fp_FR" || role == "secretariat" || role == "admin"
	case ownOrg:
		return role == "fp_EUDA" || role == "secretariat" || role == "admin"
	}
	return false
}

type rule struct {
	policy policy
	// last marks actions that end what they act on (cancel, erase): they
	// run after every other route.
	last bool
}

var routePolicies = map[string]rule{
	"GET /healthz": {policy: anyone}, "GET /readyz": {policy: anyone}, "GET /metrics": {policy: adminOnly},
	"GET /api/v1/openapi.json": {policy: anyone}, "GET /api/v1/states": {policy: anyone},
	"PUT /api/v1/states/:code":  {policy: adminOnly},
	"GET /api/v1/organisations": {policy: anyone}, "POST /api/v1/organisations": {policy: secretariat},
	"PUT /api/v1/organisations/:code":               {policy: adminOnly},
	"GET /api/v1/organisations/:code/focal-points":  {policy: ownOrg},
	"POST /api/v1/organisations/:code/focal-points": {policy: secretariat},
	"POST /api/v1/meetings":                         {policy: secretariat}, "GET /api/v1/meetings": {policy: anyone},
	"GET /api/v1/meetings/:id": {policy: hidden}, "PATCH /api/v1/meetings/:id": {policy: secretariat},
	"POST /api/v1/meetings/:id/publish": {policy: secretariat},
	"POST /api/v1/meetings/:id/cancel":  {policy: secretariat, last: true},
	"POST /api/v1/meetings/:id/archive": {policy: secretariat, last: true},
	"POST /api/v1/meetings/:id/copy":    {policy: secretariat},
	"DELETE /api/v1/meetings/:id":       {policy: secretariat, last: true},
	"GET /api/v1/meetings/:id/history":  {policy: secretariat},
	"GET /api/v1/meetings/:id/agenda":   {policy: hidden}, "POST /api/v1/meetings/:id/agenda": {policy: secretariat},
	"PUT /api/v1/meetings/:id/agenda/order": {policy: secretariat},
	"PATCH /api/v1/agenda-items/:id":        {policy: secretariat},
	"DELETE /api/v1/agenda-items/:id":       {policy: secretariat, last: true},
	"GET /api/v1/states/:code/focal-points": {policy: ownState}, "POST /api/v1/states/:code/focal-points": {policy: secretariat},
	"DELETE /api/v1/focal-points/:id":                    {policy: secretariat, last: true},
	"POST /api/v1/meetings/:id/invitations":              {policy: secretariat},
	"GET /api/v1/meetings/:id/invitations":               {policy: signedIn},
	"POST /api/v1/meetings/:id/invitations/remind":       {policy: secretariat},
	"GET /api/v1/meetings/:id/reminders":                 {policy: secretariat},
	"POST /api/v1/meetings/:id/invitations/:code/revoke": {policy: secretariat, last: true},
	"POST /api/v1/meetings/:id/registrations":            {policy: signedIn},
	"GET /api/v1/meetings/:id/registrations":             {policy: signedIn},
	"GET /api/v1/meetings/:id/registrations.csv":         {policy: signedIn},
	"GET /api/v1/meetings/:id/registrations.xlsx":        {policy: signedIn},
	"GET /api/v1/meetings/:id/attendance":                {policy: signedIn},
	"GET /api/v1/meetings/:id/participants":              {policy: hidden},
	"GET /api/v1/registrations/:id":                      {policy: ownState},
	"POST /api/v1/registrations/:id/approve":             {policy: ownState},
	"POST /api/v1/registrations/:id/decline":             {policy: ownState, last: true},
	"POST /api/v1/registrations/:id/cancel":              {policy: ownState, last: true},
	"POST /api/v1/registrations/:id/check-in":            {policy: secretariat},
	"POST /api/v1/registrations/:id/attendance":          {policy: ownState},
	"POST /api/v1/registrations/:id/replace":             {policy: ownState, last: true},
	"GET /api/v1/manage/:token":                          {policy: link}, "PATCH /api/v1/manage/:token": {policy: link},
	"POST /api/v1/manage/:token/cancel": {policy: link, last: true},
	"GET /api/v1/audit":                 {policy: secretariat},
	"POST /api/v1/privacy/export":       {policy: adminOnly},
	"POST /api/v1/privacy/erase":        {policy: adminOnly, last: true},
	"GET /api/v1/mail":                  {policy: secretariat}, "POST /api/v1/mail/release": {policy: secretariat},
	"POST /api/v1/mail/:id/resend":   {policy: secretariat},
	"GET /meetings/:id/calendar.ics": {policy: hidden},
	// Documents: the fixture's document is for participants of a meeting
	// that invites FR and DE (documents_access_test.go walks every access
	// level for every kind of reader).
	"GET /api/v1/meetings/:id/documents":                          {policy: hidden},
	"POST /api/v1/meetings/:id/documents":                         {policy: secretariat},
	"PUT /api/v1/meetings/:id/documents/order":                    {policy: secretariat},
	"PATCH /api/v1/documents/:id":                                 {policy: secretariat},
	"DELETE /api/v1/documents/:id":                                {policy: secretariat, last: true},
	"PUT /api/v1/documents/:id/files/:language":                   {policy: secretariat},
	"GET /api/v1/documents/:id/files/:language":                   {policy: signedIn},
	"GET /api/v1/documents/:id/files/:language/versions/:version": {policy: secretariat},
	"GET /api/v1/manage/:token/documents/:id/files/:language":     {policy: link},
	"GET /api/v1/manage/:token/documents.zip":                     {policy: link},
	// Letters, badges and the door.
	"GET /api/v1/meetings/:id/invitations/:code/letter.pdf": {policy: ownState},
	"GET /api/v1/meetings/:id/badges.pdf":                   {policy: secretariat},
	"GET /api/v1/meetings/:id/check-in":                     {policy: secretariat},
	"GET /api/v1/meetings/:id/check-in/search":              {policy: secretariat},
	"POST /api/v1/meetings/:id/check-in":                    {policy: secretariat},
	"GET /api/v1/manage/:token/certificate.pdf":             {policy: link},
	"POST /api/v1/manage/:token/visa-letter":                {policy: link},
	"GET /api/v1/meetings/:id/visa-requests":                {policy: secretariat},
	// The fixture asked for no visa letter: allowed callers are told so (404).
	"POST /api/v1/registrations/:id/visa-letter/approve": {policy: secretariat, last: true},
	// Personal invitations and funding decisions.
	"POST /api/v1/meetings/:id/guests":       {policy: secretariat},
	"GET /api/v1/meetings/:id/guests":        {policy: secretariat},
	"POST /api/v1/guests/:id/resend":         {policy: secretariat},
	"POST /api/v1/guests/:id/revoke":         {policy: secretariat, last: true},
	"POST /api/v1/registrations/:id/funding": {policy: secretariat},

	// Statistics and the people search: the secretariat's alone.
	"GET /api/v1/statistics/participation":      {policy: secretariat},
	"GET /api/v1/statistics/participation.csv":  {policy: secretariat},
	"GET /api/v1/statistics/participation.xlsx": {policy: secretariat},
	"GET /api/v1/people":                        {policy: secretariat},
	"GET /api/v1/people/:id":                    {policy: secretariat},
}

// pageRoute: HTML pages and assets. Sign-in-only pages send visitors to
// the sign-in page and show other accounts a "not found" page; their own
// tests (browser and pages) cover them.
var pageRoute = regexp.MustCompile(`^(GET|HEAD|POST) /(static|login|logout|password|register|registrations/manage|privacy|meetings|secretariat|delegation|admin|$)`)

type fixture struct {
	meetingID, regFR, regDE, itemID, fpID, mailID, docID, guestID int64
	manageToken                                                   string
}

func authzFixture(t *testing.T, e *apptest.Env) fixture {
	t.Helper()
	var f fixture
	m := publishedMeeting(t, e, false)
	f.meetingID = m.ID
	e.JSON("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", map[string]any{"audience": "custom", "invited_states": []string{"FR", "DE"},
		"invited_organisations": []string{"EUDA"}}, 200, nil)
	var fp invitation.FocalPoint
	e.JSON("POST", "/api/v1/states/FR/focal-points", "secretariat", map[string]string{"name": "Jean Dupont", "email": "jd@example.org", "language": "fr"}, 201, &fp)
	f.fpID = fp.ID
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, nil)
	var agenda struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID), "secretariat", nil, 200, &agenda)
	f.itemID = agenda.Items[0].ID
	for _, st := range []string{"FR", "DE"} {
		var r registration.Result
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{"state": st,
			"first_name": "Person", "last_name": st, "email": strings.ToLower(st) + "@example.org", "delegation_role": "delegate", "language": "en"}, 201, &r)
		if st == "FR" {
			f.regFR, f.manageToken = r.ID, r.ManageURL[strings.LastIndex(r.ManageURL, "/")+1:]
		} else {
			f.regDE = r.ID
		}
	}
	if err := e.App.DB.Get(&f.mailID, `SELECT min(id) FROM outgoing_mail`); err != nil {
		t.Fatal(err)
	}
	var g registration.Guest
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/guests", m.ID), "secretariat", map[string]any{"first_name": "Gina", "last_name": "Guest",
		"email": "gina@example.org", "language": "en", "role": "expert"}, 201, &g)
	f.guestID = g.ID
	f.docID = newDocument(t, e, m.ID, "participants", "P-PG (2027) 1").ID
	if code, b := putFile(t, e, "secretariat", f.docID, "en", "report.pdf", docPDF(1000)); code != 200 {
		t.Fatalf("document upload: %d %s", code, b)
	}
	return f
}

// path fills a route's parameters; other=true points at another state's
// registration (for own-state routes) or a forged secret.
func (f fixture) path(route string, other bool) string {
	reg, token, code := f.regFR, f.manageToken, "FR"
	if other {
		reg, token, code = f.regDE, "reg_forged"+strings.Repeat("A", 33), "DE"
	}
	if strings.HasPrefix(route, "/api/v1/organisations/") {
		code = map[bool]string{false: "EUDA", true: "WHO"}[other]
	}
	r := strings.NewReplacer(":code", code, ":token", token, ":language", "en", ":version", "1")
	p := r.Replace(route)
	switch {
	case strings.HasPrefix(p, "/api/v1/registrations/:id"):
		p = strings.Replace(p, ":id", fmt.Sprint(reg), 1)
	case strings.HasPrefix(p, "/api/v1/agenda-items/:id"):
		p = strings.Replace(p, ":id", fmt.Sprint(f.itemID), 1)
	case strings.HasPrefix(p, "/api/v1/focal-points/:id"):
		p = strings.Replace(p, ":id", fmt.Sprint(f.fpID), 1)
	case strings.HasPrefix(p, "/api/v1/documents/:id"):
		p = strings.Replace(p, ":id", fmt.Sprint(f.docID), 1)
	case strings.Contains(p, "/documents/:id/files"):
		p = strings.Replace(p, ":id", fmt.Sprint(f.docID), 1)
	case strings.HasPrefix(p, "/api/v1/guests/:id"):
		p = strings.Replace(p, ":id", fmt.Sprint(f.guestID), 1)
	case strings.HasPrefix(p, "/api/v1/mail/:id"):
		p = strings.Replace(p, ":id", fmt.Sprint(f.mailID), 1)
	default:
		p = strings.Replace(p, ":id", fmt.Sprint(f.meetingID), 1)
	}
	return p
}

func TestAuthorizationMatrix(t *testing.T) {
	e := apptest.Start(t)
	srv, err := web.New(web.Config{MaxBodyBytes: 1 << 20}, nil, web.Deps{}, web.NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range srv.Routes() {
		key := r[0] + " " + r[1]
		if _, ok := routePolicies[key]; ok {
			keys = append(keys, key)
		} else if !pageRoute.MatchString(key) {
			t.Errorf("route %s has no authorization policy in this test: classify it", key)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return !routePolicies[keys[i]].last && routePolicies[keys[j]].last })
	f := authzFixture(t, e)
	for _, key := range keys {
		method, route, _ := strings.Cut(key, " ")
		rule := routePolicies[key]
		var body any
		if method != http.MethodGet && method != http.MethodDelete {
			body = map[string]any{}
		}
		check := func(role string, other bool, wantAllowed bool) {
			code, resp := e.Do(method, f.path(route, other), role, body)
			// Not found is a refusal too: an id in a URL grants nothing, and
			// hidden things are not revealed to exist.
			denied := code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound
			switch {
			case code >= 500:
				t.Errorf("%s as %q: %d %s", key, role, code, resp)
			case wantAllowed && denied && !(code == http.StatusNotFound && rule.last):
				t.Errorf("%s as %q (other=%v): refused with %d, want allowed", key, role, other, code)
			case !wantAllowed && !denied:
				t.Errorf("%s as %q (other=%v): %d, want refused", key, role, other, code)
			}
		}
		// Refusals first, so that allowed calls that end things come after.
		for _, role := range roles {
			if !allowed(rule.policy, role) {
				check(role, false, false)
			}
		}
		if rule.policy == ownState {
			check("fp_FR", true, false) // a focal point of FR acting on DE's registration
		}
		if rule.policy == ownOrg {
			check("fp_EUDA", true, false) // a focal point of EUDA reading WHO's
		}
		if rule.policy == link {
			check("", true, false) // a forged link
		}
		for _, role := range roles {
			if allowed(rule.policy, role) {
				check(role, false, true)
			}
		}
	}
}
