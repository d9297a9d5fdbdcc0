package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
)

// browser is a cookie-keeping client that has opened a form page, so it
// can post that page's forms (CSRF token and Origin), optionally as if it
// came through a proxy from another address.
type browser struct {
	t      *testing.T
	client *http.Client
	token  string
	origin string
	// lastLocation is the Location of the last answer to post.
	lastLocation string
}

func newBrowser(t *testing.T, page string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := b.client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on %s", page)
	}
	b.token = html.UnescapeString(string(m[1]))
	u, _ := url.Parse(page)
	b.origin = u.Scheme + "://" + u.Host
	return b
}

// post sends a form; from, when set, is sent as X-Forwarded-For. It
// returns the status, the Retry-After header, the Content-Type and the body.
func (b *browser) post(target string, v url.Values, from string) (int, string, string, string) {
	b.t.Helper()
	v.Set("csrf_token", b.token)
	req, _ := http.NewRequest("POST", target, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	// The transport, not the client: a client refuses to return an answer
	// whose Location it cannot parse, and such answers are under test.
	for _, c := range b.client.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	b.client.Jar.SetCookies(req.URL, resp.Cookies())
	b.lastLocation = resp.Header.Get("Location")
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), string(body)
}

// TestLoginLimiterPerAddress checks the per-address limiter of sign-in on
// its own: every attempt names another account, so no account's failure
// count ever reaches its throttle, and the 429 must come from the limiter
// (a JSON "rate_limited" answer, not the sign-in page).
func TestLoginLimiterPerAddress(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.Limits.LoginPerMinute = 5 }})
	b := newBrowser(t, e.URL+"/login")
	limited := 0
	for i := range 12 {
		code, retry, ctype, body := b.post(e.URL+"/login", url.Values{"email": {fmt.Sprintf("x%d@example.org", i)}, "password": {"wrong"}}, "")
		if code == http.StatusTooManyRequests {
			limited++
			if retry == "" {
				t.Error("429 without Retry-After")
			}
			if !strings.HasPrefix(ctype, "application/json") || !strings.Contains(body, `"rate_limited"`) {
				t.Errorf("429 not from the per-address limiter: %s %s", ctype, body)
			}
		}
	}
	if limited < 5 {
		t.Errorf("12 sign-in attempts from one address at 5 a minute: %d limited, want at least 5", limited)
	}
	// The reset form shares the limit.
	if code, _, _, _ := b.post(e.URL+"/password/forgot", url.Values{"email": {"y@example.org"}}, ""); code != http.StatusTooManyRequests {
		t.Errorf("password reset after the sign-in limit: %d, want 429", code)
	}
}

// TestLoginThrottlePerAccount checks the per-account throttle with the
// per-address limiter off: five wrong passwords for one account from one
// address, and that address gets 429 on the sign-in page even with the
// right password.
func TestLoginThrottlePerAccount(t *testing.T) {
	e := apptest.Start(t) // abuse limits off
	b := newBrowser(t, e.URL+"/login")
	for i := range 5 {
		if code, _, _, _ := b.post(e.URL+"/login", url.Values{"email": {"fp.fr@example.org"}, "password": {"wrong"}}, ""); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, code)
		}
	}
	code, retry, ctype, _ := b.post(e.URL+"/login", url.Values{"email": {"fp.fr@example.org"}, "password": {"a long enough passphrase"}}, "")
	if code != http.StatusTooManyRequests || retry == "" || !strings.HasPrefix(ctype, "text/html") {
		t.Errorf("sixth attempt, right password, same address: %d Retry-After %q (%s), want 429 from the sign-in page", code, retry, ctype)
	}
	// Another account from the same address is not affected.
	if code, _, _, _ := b.post(e.URL+"/login", url.Values{"email": {"fp.de@example.org"}, "password": {"a long enough passphrase"}}, ""); code != http.StatusSeeOther {
		t.Errorf("another account from the same address: %d, want 303", code)
	}
}

// TestForwardedForIsNotBelieved: without trusted proxies, a forged
// X-Forwarded-For neither escapes the per-address limit nor lands in the
// recorded failures; with the proxy trusted, the header gives the address.
func TestForwardedForIsNotBelieved(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.Limits.LoginPerMinute = 5 }})
	b := newBrowser(t, e.URL+"/login")
	limited := 0
	for i := range 12 {
		code, _, _, _ := b.post(e.URL+"/login", url.Values{"email": {fmt.Sprintf("x%d@example.org", i)}, "password": {"wrong"}}, fmt.Sprintf("203.0.113.%d", i+1))
		if code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 5 {
		t.Errorf("rotating X-Forwarded-For escaped the per-address limit: %d of 12 limited", limited)
	}
	var forged int
	if err := e.App.DB.Get(&forged, `SELECT count(*) FROM login_failures WHERE address <> '127.0.0.1'`); err != nil {
		t.Fatal(err)
	}
	if forged != 0 {
		t.Errorf("%d failures recorded under a forged address", forged)
	}

	p := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.Limits.LoginPerMinute = 5
		c.HTTP.TrustedProxies = []string{"127.0.0.1/32", "::1"}
	}})
	b = newBrowser(t, p.URL+"/login")
	for i := range 12 {
		code, _, _, _ := b.post(p.URL+"/login", url.Values{"email": {fmt.Sprintf("x%d@example.org", i)}, "password": {"wrong"}}, fmt.Sprintf("203.0.113.%d", i+1))
		if code != http.StatusUnauthorized {
			t.Errorf("attempt %d through a trusted proxy from its own address: %d, want 401", i+1, code)
		}
	}
	var addresses int
	if err := p.App.DB.Get(&addresses, `SELECT count(DISTINCT address) FROM login_failures WHERE address LIKE '203.0.113.%'`); err != nil {
		t.Fatal(err)
	}
	if addresses != 12 {
		t.Errorf("failures through a trusted proxy recorded under %d forwarded addresses, want 12", addresses)
	}
}

// TestMetricsAreOptInToThePublic: /metrics is for admins by default and
// for anyone only with metrics.public.
func TestMetricsAreOptInToThePublic(t *testing.T) {
	e := apptest.Start(t)
	for as, want := range map[string]int{"": http.StatusUnauthorized, "fp_FR": http.StatusForbidden, "secretariat": http.StatusForbidden, "admin": http.StatusOK} {
		if code, body := e.Do("GET", "/metrics", as, nil); code != want || (code == http.StatusOK) != strings.Contains(string(body), "go_goroutines") {
			t.Errorf("/metrics as %q: %d, want %d", as, code, want)
		}
	}
	p := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.Metrics.Public = true }})
	if code, body := p.Do("GET", "/metrics", "", nil); code != http.StatusOK || !strings.Contains(string(body), "go_goroutines") {
		t.Errorf("public /metrics for anyone: %d", code)
	}
}

// TestNULBytesAreBadInput: a NUL anywhere a client can put one (path,
// query, form, JSON) is refused as malformed input, never a 500.
func TestNULBytesAreBadInput(t *testing.T) {
	e := apptest.Start(t)
	var m struct {
		ID int64 `json:"id"`
	}
	e.JSON("POST", "/api/v1/meetings", "secretariat", testMeeting(), http.StatusCreated, &m)
	for _, tc := range []struct{ method, path, as, body string }{
		{"GET", "/api/v1/meetings?cursor=%00", "secretariat", ""},
		{"GET", "/api/v1/meetings?status=draft&cur%00sor=1", "secretariat", ""},
		{"GET", fmt.Sprintf("/api/v1/meetings/%d/registrations?state=%%00", m.ID), "secretariat", ""},
		{"GET", "/api/v1/mail?to=%00", "secretariat", ""},
		{"GET", "/api/v1/audit?cursor=a%00b", "admin", ""},
		{"GET", "/meetings/%00", "", ""},
		{"PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", `{"title_en":"Plenary\u0000"}`},
		{"POST", "/api/v1/meetings", "secretariat", `{"kind":"plenary","title_en":"x","\u0000":1}`},
	} {
		code, body := e.Do(tc.method, tc.path, tc.as, bodyOrNil(tc.body))
		if code != http.StatusBadRequest || !strings.Contains(string(body), `"malformed"`) {
			t.Errorf("%s %s %s: %d %s, want 400 malformed", tc.method, tc.path, tc.body, code, body)
		}
	}
	// An escaped backslash followed by "u0000" is text, not a NUL.
	code, body := e.Do("PATCH", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", `{"title_en":"C:\\u0000 folder"}`)
	if code != http.StatusOK || !strings.Contains(string(body), `C:\\u0000 folder`) {
		t.Errorf("a title with a literal \\u0000: %d %s", code, body)
	}
	// Forms: anonymous sign-in and password reset.
	b := newBrowser(t, e.URL+"/login")
	for _, tc := range []struct {
		path string
		v    url.Values
	}{
		{"/login", url.Values{"email": {"fp.fr@example.org\x00"}, "password": {"x"}}},
		{"/login", url.Values{"email": {"fp.fr@example.org"}, "password": {"a long enough passphrase\x00"}}},
		{"/password/forgot", url.Values{"email": {"fp.fr\x00@example.org"}}},
	} {
		code, _, _, body := b.post(e.URL+tc.path, tc.v, "")
		if code != http.StatusBadRequest || !strings.Contains(body, `"malformed"`) {
			t.Errorf("POST %s %q: %d %s, want 400 malformed", tc.path, tc.v.Encode(), code, body)
		}
	}
	var failures int
	if err := e.App.DB.Get(&failures, `SELECT count(*) FROM login_failures`); err != nil || failures != 0 {
		t.Errorf("refused forms reached sign-in: %d failures recorded (%v)", failures, err)
	}
}

func bodyOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestBodyLimitCoversEveryBody: forms (urlencoded and multipart, with or
// without a Content-Length) are bounded like JSON, before anything reads
// them.
func TestBodyLimitCoversEveryBody(t *testing.T) {
	e := apptest.Start(t)
	b := newBrowser(t, e.URL+"/login")
	big := strings.Repeat("a", 9<<20)
	send := func(target, ctype string, body io.Reader, length int64) (int, string) {
		req, _ := http.NewRequest("POST", e.URL+target, body)
		if strings.HasPrefix(target, "/api/") {
			req.Header.Set("Authorization", "Bearer "+e.Tokens["secretariat"])
		}
		req.ContentLength = length
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Origin", b.origin)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	form := "csrf_token=" + url.QueryEscape(b.token) + "&email=fp.fr%40example.org&password=x&padding=" + big
	multipart := "--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + b.token +
		"\r\n--B\r\nContent-Disposition: form-data; name=\"padding\"\r\n\r\n" + big + "\r\n--B--\r\n"
	for name, tc := range map[string]struct {
		target, ctype, body string
		length              int64
	}{
		"urlencoded":         {"/login", "application/x-www-form-urlencoded", form, int64(len(form))},
		"urlencoded chunked": {"/login", "application/x-www-form-urlencoded", form, -1},
		"multipart":          {"/login", "multipart/form-data; boundary=B", multipart, int64(len(multipart))},
		"multipart chunked":  {"/login", "multipart/form-data; boundary=B", multipart, -1},
		"json chunked":       {"/api/v1/meetings", "application/json", `{"title_en":"` + big + `"}`, -1},
		"text to a page":     {"/login", "text/plain", big, int64(len(big))},
	} {
		code, body := send(tc.target, tc.ctype, io.MultiReader(strings.NewReader(tc.body)), tc.length)
		if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"too_large"`) {
			t.Errorf("%s body of 9 MiB: %d %.200s, want 413 too_large", name, code, body)
		}
	}
	var failures int
	if err := e.App.DB.Get(&failures, `SELECT count(*) FROM login_failures`); err != nil || failures != 0 {
		t.Errorf("oversized forms reached sign-in: %d failures recorded (%v)", failures, err)
	}
}

// testMeeting is the body of a draft meeting for FR and DE, 40 days ahead.
func testMeeting() map[string]any {
	start := time.Now().Add(40 * 24 * time.Hour).Truncate(time.Hour)
	return map[string]any{
		"kind": "plenary", "title_en": "Plenary", "title_fr": "Plénière",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"registration_closes_at": start.Add(-24 * time.Hour).Format(time.RFC3339),
		"audience":               "custom", "invited_states": []string{"FR", "DE"}, "seats_per_state": 5, "public": true,
	}
}

// TestSignInRedirectStaysLocal: the page to go back to after signing in
// is a local path or nothing; a hostile one lands on the account's home.
func TestSignInRedirectStaysLocal(t *testing.T) {
	e := apptest.Start(t)
	hostile := []string{
		"//evil.example/phish", "/\t/evil.example/phish", "/\n/evil.example", "/\r/evil.example", "/\\evil.example",
		"/\\/evil.example", "\\\\evil.example", "\\/evil.example", "https://evil.example/", "http:/evil.example",
		"javascript:alert(1)", " /secretariat", "evil.example", "/%2F/evil.example", "/%09/evil.example",
		"/%5Cevil.example", "/%5C%5Cevil.example", "/x\x7f", "/x\u0085/", "/%C2%85/evil.example", "///evil.example",
		"/%252F%252Fevil.example",
	}
	for _, next := range hostile {
		// The page does not carry it into its form ...
		resp, err := http.Get(e.URL + "/login?next=" + url.QueryEscape(next))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `name="next" value=""`) {
			t.Errorf("/login?next=%q keeps it in the form", next)
		}
		// ... and a sign-in that sends it anyway goes home.
		b := newBrowser(t, e.URL+"/login")
		code, _, _, _ := b.post(e.URL+"/login", url.Values{"email": {"fp.fr@example.org"}, "password": {"a long enough passphrase"}, "next": {next}}, "")
		if loc := b.lastLocation; code != http.StatusSeeOther || loc != "/delegation" {
			t.Errorf("sign-in with next=%q: %d to %q, want 303 to /delegation", next, code, loc)
		}
	}
	for _, next := range []string{"/secretariat/meetings?status=draft", "/delegation#FR", "/meetings/3?lang=fr"} {
		b := newBrowser(t, e.URL+"/login?next="+url.QueryEscape(next))
		code, _, _, _ := b.post(e.URL+"/login", url.Values{"email": {"secretariat@example.org"}, "password": {"a long enough passphrase"}, "next": {next}}, "")
		if code != http.StatusSeeOther || b.lastLocation != next {
			t.Errorf("sign-in with next=%q: %d to %q", next, code, b.lastLocation)
		}
	}
}

// TestOtherStatesRegistrationsAreNotFound: a focal point asking for (or
// acting on) another state's registration gets exactly the answer a
// missing one gets, so ids cannot be probed; the owner still sees it.
func TestOtherStatesRegistrationsAreNotFound(t *testing.T) {
	e := apptest.Start(t)
	var m struct {
		ID int64 `json:"id"`
	}
	e.JSON("POST", "/api/v1/meetings", "secretariat", testMeeting(), http.StatusCreated, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, http.StatusOK, nil)
	var r struct {
		ID int64 `json:"id"`
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "fp_FR", map[string]any{
		"state": "FR", "first_name": "Anne", "last_name": "Martin", "email": "anne.martin@example.org",
		"delegation_role": "delegate", "language": "fr"}, http.StatusCreated, &r)
	for _, action := range []string{"", "/approve", "/decline", "/cancel", "/replace"} {
		method := "POST"
		if action == "" {
			method = "GET"
		}
		codeOther, other := e.Do(method, fmt.Sprintf("/api/v1/registrations/%d%s", r.ID, action), "fp_DE", map[string]any{})
		codeMissing, missing := e.Do(method, fmt.Sprintf("/api/v1/registrations/%d%s", r.ID+1000, action), "fp_DE", map[string]any{})
		if codeOther != http.StatusNotFound || codeMissing != http.StatusNotFound || string(other) != string(missing) {
			t.Errorf("%s %s of another state's registration: %d %s; of a missing one: %d %s", method, action, codeOther, other, codeMissing, missing)
		}
	}
	var got struct {
		Email  string `json:"email"`
		Status string `json:"status"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", r.ID), "fp_FR", nil, http.StatusOK, &got)
	if got.Email != "anne.martin@example.org" || got.Status == "cancelled" || got.Status == "declined" {
		t.Errorf("the registration after another state's attempts: %+v", got)
	}
}

// TestStrangersCannotLockAnAccount: guesses from one address stop that
// address for that account, not the owner elsewhere; guesses spread over
// many addresses slow the account down by seconds, never lock it.
func TestStrangersCannotLockAnAccount(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} }})
	b := newBrowser(t, e.URL+"/login")
	wrong := url.Values{"email": {"fp.fr@example.org"}, "password": {"wrong"}}
	right := func() url.Values {
		return url.Values{"email": {"FP.FR@example.org"}, "password": {"a long enough passphrase"}}
	}
	for range 5 {
		if code, _, _, _ := b.post(e.URL+"/login", wrong, "203.0.113.66"); code != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %d", code)
		}
	}
	if code, _, _, _ := b.post(e.URL+"/login", right(), "203.0.113.66"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing address, sixth attempt: %d, want 429", code)
	}
	owner := newBrowser(t, e.URL+"/login")
	if code, _, _, _ := owner.post(e.URL+"/login", right(), "198.51.100.7"); code != http.StatusSeeOther || owner.lastLocation != "/delegation" {
		t.Fatalf("the owner from their own address after a stranger's 5 failures: %d to %q, want 303 to /delegation", code, owner.lastLocation)
	}
	// Five more from five other addresses: ten for the account.
	for i := range 5 {
		if code, _, _, _ := b.post(e.URL+"/login", wrong, fmt.Sprintf("203.0.113.%d", 100+i)); code != http.StatusUnauthorized {
			t.Fatalf("a wrong password from a fresh address: %d", code)
		}
	}
	owner = newBrowser(t, e.URL+"/login")
	code, retry, _, body := owner.post(e.URL+"/login", right(), "198.51.100.8")
	wait, _ := strconv.Atoi(retry)
	if code != http.StatusTooManyRequests || wait < 1 || wait > 60 || !strings.Contains(body, "try again in a minute") {
		t.Fatalf("right after ten failures spread over six addresses: %d, Retry-After %q, want 429 for at most a minute", code, retry)
	}
	time.Sleep(time.Duration(wait) * time.Second)
	if code, _, _, _ := owner.post(e.URL+"/login", right(), "198.51.100.8"); code != http.StatusSeeOther {
		t.Errorf("the owner after waiting %ds: %d, want 303", wait, code)
	}
}

// TestPasswordResetEmailsPerAccount: however many addresses ask, one
// account gets a bounded number of reset emails an hour.
func TestPasswordResetEmailsPerAccount(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.Limits.LoginPerMinute = 5
		c.HTTP.TrustedProxies = []string{"127.0.0.1"}
	}})
	b := newBrowser(t, e.URL+"/password/forgot")
	for i := range 8 {
		code, _, _, _ := b.post(e.URL+"/password/forgot", url.Values{"email": {"fp.fr@example.org"}}, fmt.Sprintf("203.0.113.%d", i+1))
		if code != http.StatusSeeOther {
			t.Fatalf("reset request %d: %d, want 303 (the same answer every time)", i+1, code)
		}
	}
	var log struct {
		Messages []struct {
			Kind string `json:"kind"`
		} `json:"messages"`
	}
	e.JSON("GET", "/api/v1/mail?to=fp.fr@example.org", "secretariat", nil, http.StatusOK, &log)
	resets := 0
	for _, m := range log.Messages {
		if m.Kind == "password_reset" {
			resets++
		}
	}
	if resets != 3 {
		t.Errorf("8 reset requests from 8 addresses: %d emails to the account, want 3", resets)
	}
	// At the same moment, from 10 addresses: still 3.
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := url.Values{"email": {"fp.de@example.org"}, "csrf_token": {b.token}}
			req, _ := http.NewRequest("POST", e.URL+"/password/forgot", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", b.origin)
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
			for _, c := range b.client.Jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	e.JSON("GET", "/api/v1/mail?to=fp.de@example.org", "secretariat", nil, http.StatusOK, &log)
	if len(log.Messages) != 3 {
		t.Errorf("10 reset requests at once: %d emails to the account, want 3", len(log.Messages))
	}
}

// TestEmailTwinsAreOneAddress: an address written with look-alike
// characters (fullwidth letters, a fullwidth at sign, upper case, an
// invisible zero-width space) is the same address on every path that
// takes one.
func TestEmailTwinsAreOneAddress(t *testing.T) {
	e := apptest.Start(t)
	var m struct {
		ID int64 `json:"id"`
	}
	e.JSON("POST", "/api/v1/meetings", "secretariat", testMeeting(), http.StatusCreated, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, http.StatusOK, nil)
	person := func(email string) map[string]any {
		return map[string]any{"state": "FR", "first_name": "Anne", "last_name": "Martin", "email": email, "delegation_role": "delegate", "language": "fr"}
	}
	regs := fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID)
	e.JSON("POST", regs, "fp_FR", person("dup@example.org"), http.StatusCreated, nil)
	for _, twin := range []string{"ｄｕｐ@example.org", "DUP＠ＥＸＡＭＰＬＥ.ORG", "d\u200bup@example.org"} {
		if code, body := e.Do("POST", regs, "fp_FR", person(twin)); code != http.StatusConflict {
			t.Errorf("registering %q next to dup@example.org: %d %s, want 409", twin, code, body)
		}
	}
	var list struct {
		Registrations []struct {
			Email string `json:"email"`
		} `json:"registrations"`
	}
	e.JSON("GET", regs, "secretariat", nil, http.StatusOK, &list)
	if len(list.Registrations) != 1 || list.Registrations[0].Email != "dup@example.org" {
		t.Errorf("registrations after the twins: %+v", list.Registrations)
	}
	// A registration with an internationalised domain is stored in the
	// one form, and its twin is refused.
	e.JSON("POST", regs, "fp_FR", person("Anne@Bücher.example"), http.StatusCreated, nil)
	if code, _ := e.Do("POST", regs, "fp_FR", person("anne@xn--bcher-kva.example")); code != http.StatusConflict {
		t.Errorf("the ASCII form of an internationalised domain next to its Unicode form: %d, want 409", code)
	}

	// Focal points.
	e.JSON("POST", "/api/v1/states/DE/focal-points", "secretariat", map[string]any{"name": "Kurt", "email": "kurt@example.org", "language": "en"}, http.StatusCreated, nil)
	if code, body := e.Do("POST", "/api/v1/states/DE/focal-points", "secretariat", map[string]any{"name": "Kurt", "email": "ｋｕｒｔ@example.org", "language": "en"}); code != http.StatusConflict {
		t.Errorf("a focal point's twin: %d %s, want 409", code, body)
	}

	// Accounts, through the admin page.
	admin := newBrowser(t, e.URL+"/login")
	if code, _, _, _ := admin.post(e.URL+"/login", url.Values{"email": {"admin@example.org"}, "password": {"a long enough passphrase"}}, ""); code != http.StatusSeeOther {
		t.Fatalf("admin sign-in: %d", code)
	}
	admin.post(e.URL+"/admin/users", url.Values{"email": {"ＳＥＣＲＥＴＡＲＩＡＴ@example.org"}, "name": {"Twin"}, "role": {"secretariat"},
		"language": {"en"}, "password": {"another long passphrase"}}, "")
	var accounts int
	if err := e.App.DB.Get(&accounts, `SELECT count(*) FROM users WHERE name = 'Twin' OR lower(email) LIKE '%ｓｅｃｒｅｔａｒｉａｔ%'`); err != nil || accounts != 0 {
		t.Errorf("an account's twin was created (%d, %v)", accounts, err)
	}

	// Sign-in and password reset with a twin reach the account.
	b := newBrowser(t, e.URL+"/login")
	if code, _, _, _ := b.post(e.URL+"/login", url.Values{"email": {"ｆｐ.ｆｒ＠example.org"}, "password": {"a long enough passphrase"}}, ""); code != http.StatusSeeOther {
		t.Errorf("signing in with a twin of the address: %d, want 303", code)
	}
	post := formClient(t, e.URL+"/password/forgot")
	if resp, err := post(e.URL+"/password/forgot", url.Values{"email": {"ＦＰ.ＦＲ@example.org"}}); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	// The mail log filter takes a twin too.
	var log struct {
		Messages []struct {
			To   string `json:"to"`
			Kind string `json:"kind"`
		} `json:"messages"`
	}
	e.JSON("GET", "/api/v1/mail?to="+url.QueryEscape("ＦＰ.ｆｒ@example.org"), "secretariat", nil, http.StatusOK, &log)
	if len(log.Messages) != 1 || log.Messages[0].Kind != "password_reset" || log.Messages[0].To != "fp.fr@example.org" {
		t.Errorf("mail to a twin of fp.fr@example.org: %+v, want the one reset email", log.Messages)
	}
}
