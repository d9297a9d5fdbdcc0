package web_test

import (
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

// TestRateLimits checks the limits of the public registration and of
// secret links, each on its own: the sign-in limits have their own tests
// (hardening_test.go). The app trusts the test as a proxy, so that
// X-Forwarded-For can give every request another address.
func TestRateLimits(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.Limits = config.Limits{LoginPerMinute: 5, RegistrationPerMinute: 6, LinkPerMinute: 10}
		c.HTTP.TrustedProxies = []string{"127.0.0.1"}
	}})
	do := func(method, path, as, from string, body string) int {
		req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		if as != "" {
			req.Header.Set("Authorization", "Bearer "+e.Tokens[as])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		return resp.StatusCode
	}
	// Public registration: limited per address; signed-in staff are not.
	statuses := map[int]int{}
	for range 15 {
		statuses[do("POST", "/api/v1/meetings/1/registrations", "", "198.51.100.1", `{"invitation_token":"inv_x","first_name":"A"}`)]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("anonymous registrations never limited: %v", statuses)
	}
	for range 15 {
		if do("GET", "/api/v1/meetings", "secretariat", "198.51.100.1", "") == http.StatusTooManyRequests {
			t.Fatal("staff API calls limited")
		}
	}
	// A secret link is limited per address: another link each time.
	statuses = map[int]int{}
	for i := range 20 {
		statuses[do("GET", fmt.Sprintf("/api/v1/manage/reg_guess%d", i), "", "198.51.100.2", "")]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("guessing manage links from one address never limited: %v", statuses)
	}
	// ... and per link: the same link from another address each time.
	statuses = map[int]int{}
	for i := range 20 {
		statuses[do("GET", "/api/v1/manage/reg_guess", "", fmt.Sprintf("198.51.100.%d", 10+i), "")]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("one manage link from many addresses never limited: %v", statuses)
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
