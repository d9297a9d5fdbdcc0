package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/registration"
)

// pageClient is a cookie-keeping HTTP client signed in as one account.
type pageClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func signInHTTP(t *testing.T, e *apptest.Env, email string) *pageClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &pageClient{t: t, base: e.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	if email == "" {
		return p
	}
	_, body := p.get("/login")
	if code, out := p.post("/login", body, url.Values{"email": {email}, "password": {testPassword}}); code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %s", email, code, out)
	}
	return p
}

func (p *pageClient) get(path string) (int, string) {
	p.t.Helper()
	resp, err := p.c.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form with the CSRF token of the page HTML given.
func (p *pageClient) post(path, pageHTML string, v url.Values) (int, string) {
	p.t.Helper()
	if m := csrfInput.FindStringSubmatch(pageHTML); m != nil {
		v.Set("csrf_token", html.UnescapeString(m[1]))
	}
	req, err := http.NewRequest("POST", p.base+path, strings.NewReader(v.Encode()))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.base) // a browser says where a form comes from
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Who reaches which focal and admin page: the rest get "not found" (or
// the sign-in page), which tells nothing.
func TestFocalAndAdminPagesAccess(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Bureau meeting", true)
	de := selfRegister(t, e, m, tokens["DE"], "Dietrich", "Geheimnis", "d.geheimnis@bund.example")
	deleg := fmt.Sprintf("/meetings/%d/delegation", m.ID)
	clients := map[string]*pageClient{
		"anonymous":   signInHTTP(t, e, ""),
		"fp_FR":       signInHTTP(t, e, "fp.fr@example.org"),
		"fp_DE":       signInHTTP(t, e, "fp.de@example.org"),
		"fp_EUDA":     signInHTTP(t, e, "fp.euda@example.org"),
		"secretariat": signInHTTP(t, e, "secretariat@example.org"),
		"admin":       signInHTTP(t, e, "admin@example.org"),
	}
	tests := []struct {
		path string
		want map[string]int // by client; absent: 404
	}{
		{"/delegation", map[string]int{"anonymous": 303, "fp_FR": 200, "fp_DE": 200, "fp_EUDA": 200}},
		{deleg, map[string]int{"anonymous": 303, "fp_FR": 200, "fp_DE": 200, "fp_EUDA": 200, "secretariat": 200, "admin": 200}},
		{deleg + "?state=DE", map[string]int{"anonymous": 303, "fp_DE": 200, "secretariat": 200, "admin": 200}},
		{deleg + "?state=FR", map[string]int{"anonymous": 303, "fp_FR": 200, "secretariat": 200, "admin": 200}},
		{fmt.Sprintf("%s/%d/replace", deleg, de.ID), map[string]int{"anonymous": 303, "fp_DE": 200, "secretariat": 200, "admin": 200}},
		{"/admin/users", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/states", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/states/FR", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/states/FR/focal-points", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/mail", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/organisations", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/organisations/EUDA", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/organisations/EUDA/focal-points", map[string]int{"anonymous": 303, "admin": 200}},
		{"/admin/organisations/FR", map[string]int{"anonymous": 303}}, // a state's code: no such organisation
		// EUDA is not invited: its focal point gets its own (empty) delegation, and no one else's.
		{deleg + "?state=EUDA", map[string]int{"anonymous": 303, "fp_EUDA": 200, "secretariat": 200, "admin": 200}},
	}
	for _, tt := range tests {
		for who, p := range clients {
			want, ok := tt.want[who]
			if !ok {
				want = http.StatusNotFound
			}
			code, body := p.get(tt.path)
			if code != want {
				t.Errorf("GET %s as %s: %d, want %d", tt.path, who, code, want)
			}
			if (who == "fp_FR" || who == "fp_EUDA") && strings.Contains(body, "Geheimnis") {
				t.Errorf("GET %s as %s shows a DE name", tt.path, who)
			}
		}
	}
	// The secretariat may not manage accounts, even by posting the form.
	_, form := clients["secretariat"].get(deleg + "?state=FR")
	if code, _ := clients["secretariat"].post(fmt.Sprintf("/admin/users/%d", e.Users["secretariat"].ID), form,
		url.Values{"role": {"admin"}, "language": {"en"}}); code != http.StatusNotFound {
		t.Errorf("secretariat promoting itself: %d", code)
	}
	if u, _ := e.App.Auth.UserByID(context.Background(), e.Users["secretariat"].ID); u.Role != "secretariat" {
		t.Errorf("the secretariat became %s", u.Role)
	}
	// The secretariat nominates for any state through the same page.
	_, form = clients["secretariat"].get(deleg + "?state=DE")
	code, _ := clients["secretariat"].post(deleg+"?state=DE", form, url.Values{"first_name": {"Greta"}, "last_name": {"Vogel"},
		"email": {"greta.vogel@bund.example"}, "delegation_role": {"head"}, "language": {"en"}})
	if _, page := clients["fp_DE"].get(deleg); code != http.StatusSeeOther || !strings.Contains(page, "Greta Vogel") {
		t.Errorf("the secretariat nominating for DE: %d", code)
	}
	// A state that is not invited cannot be given anyone.
	if _, page := clients["secretariat"].get(deleg + "?state=IT"); !strings.Contains(page, `id="not-invited"`) || strings.Contains(page, `id="nominate"`) {
		t.Error("the page offers to nominate for a state that is not invited")
	}
	// The focal point declines with a reason; the person learns why.
	_, form = clients["fp_DE"].get(deleg)
	if code, _ := clients["fp_DE"].post(fmt.Sprintf("%s/%d/decline", deleg, de.ID), form, url.Values{"reason": {"Seat reserved for the ministry"}}); code != http.StatusSeeOther {
		t.Errorf("declining: %d", code)
	}
	var r registration.Registration
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", de.ID), "secretariat", nil, 200, &r)
	if r.Status != registration.StatusDeclined || r.DeclineReason != "Seat reserved for the ministry" {
		t.Errorf("after declining: %s %q", r.Status, r.DeclineReason)
	}

	// Without SMTP, the mail check says mail is withheld and how much.
	_, body := clients["admin"].get("/admin/mail")
	if !strings.Contains(body, `id="withheld-count"`) || !regexp.MustCompile(`Emails withheld: [1-9]`).MatchString(body) {
		t.Errorf("the mail page does not show the withheld mail")
	}
}

// The delegate's details are one partial worded for who fills them in: the
// person on the registration form (their browser may fill them in), their
// focal point on the delegation page (in the third person, and no
// autocomplete from the focal point's own details).
func TestDetailsAreWordedForWhoFillsThemIn(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Bureau meeting", false)

	code, self := signInHTTP(t, e, "").get("/register/" + tokens["FR"] + "?lang=en")
	if code != http.StatusOK {
		t.Fatalf("registration page: %d", code)
	}
	_, other := signInHTTP(t, e, "fp.fr@example.org").get(fmt.Sprintf("/meetings/%d/delegation?lang=en", m.ID))
	for _, c := range []struct {
		page, body  string
		has, hasNot []string
	}{
		{"registration form", self, []string{"About you", `autocomplete="given-name"`, `autocomplete="email"`},
			[]string{"The person", `autocomplete="off"`}},
		{"delegation page", other, []string{"The person", `autocomplete="off"`},
			[]string{"About you", `autocomplete="given-name"`}},
	} {
		for _, s := range c.has {
			if !strings.Contains(c.body, s) {
				t.Errorf("%s lacks %s", c.page, s)
			}
		}
		for _, s := range c.hasNot {
			if strings.Contains(c.body, s) {
				t.Errorf("%s has %s", c.page, s)
			}
		}
	}
}
