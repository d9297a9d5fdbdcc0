package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
)

func TestSecurityHeaders(t *testing.T) {
	e := apptest.Start(t)
	for _, path := range []string{"/", "/api/v1/states", "/login"} {
		resp, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

func TestRateLimits(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.Limits = config.Limits{LoginPerMinute: 5, RegistrationPerMinute: 6, LinkPerMinute: 10}
	}})
	post := formClient(t, e.URL+"/login")
	limited := 0
	for range 12 {
		resp, err := post(e.URL+"/login", url.Values{"email": {"x@example.org"}, "password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Error("12 sign-in attempts in a row were never limited")
	}
	// Public registration: limited per address; signed-in staff are not.
	statuses := map[int]int{}
	for range 15 {
		code, _ := e.Do("POST", "/api/v1/meetings/1/registrations", "", map[string]any{"invitation_token": "inv_x", "first_name": "A"})
		statuses[code]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("anonymous registrations never limited: %v", statuses)
	}
	for range 15 {
		if code, _ := e.Do("GET", "/api/v1/meetings", "secretariat", nil); code == http.StatusTooManyRequests {
			t.Fatal("staff API calls limited")
		}
	}
	// A secret link is limited per link too.
	statuses = map[int]int{}
	for range 20 {
		code, _ := e.Do("GET", "/api/v1/manage/reg_guess", "", nil)
		statuses[code]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("guessing a manage link never limited: %v", statuses)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formClient opens page with a cookie jar, as a browser would, and returns
// a function that posts a form from that page (with its CSRF token and
// Origin).
func formClient(t *testing.T, page string) func(target string, v url.Values) (*http.Response, error) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on %s", page)
	}
	token := html.UnescapeString(string(m[1]))
	origin := page[:strings.Index(page[len("http://"):], "/")+len("http://")]
	return func(target string, v url.Values) (*http.Response, error) {
		v.Set("csrf_token", token)
		req, _ := http.NewRequest("POST", target, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		return client.Do(req)
	}
}
