package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
)

// frenchClient is a page client whose pages are in French (the language
// cookie that ?lang=fr sets), signed in as email when one is given.
func frenchClient(t *testing.T, e *apptest.Env, email string) *pageClient {
	t.Helper()
	p := signInHTTP(t, e, email)
	if code, _ := p.get("/?lang=fr"); code != http.StatusOK {
		t.Fatalf("GET /?lang=fr: %d", code)
	}
	return p
}

// showsFrench fails unless the page holds every text (as the browser shows it)
// and none of the English ones.
func showsFrench(t *testing.T, what, body string, want []string, notWant ...string) {
	t.Helper()
	text := html.UnescapeString(body)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: the page does not show %q", what, w)
		}
	}
	for _, w := range notWant {
		if strings.Contains(text, w) {
			t.Errorf("%s: the French page shows the English %q", what, w)
		}
	}
}

// A French registration form shows the services' field errors in French.
func TestFrenchRegistrationFormShowsFrenchFieldErrors(t *testing.T) {
	e := apptest.Start(t)
	_, tokens := delegationMeeting(t, e, "Expert group", false)
	p := frenchClient(t, e, "")
	path := "/register/" + tokens["FR"]
	_, page := p.get(path)
	code, body := p.post(path, page, url.Values{"first_name": {"12"}, "last_name": {"Martin"}, "email": {"pas-une-adresse"},
		"delegation_role": {"delegate"}, "language": {"fr"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("POST %s: %d, want 422", path, code)
	}
	showsFrench(t, "registration form", body,
		[]string{"doit être une adresse électronique, par exemple nom@exemple.org", "doit contenir des lettres"},
		"must be an email address", "must contain letters")
}

// A French sign-in page says why in French, and tells a throttled sign-in
// (429, Retry-After) by the error's code, whatever its words.
func TestFrenchLoginErrors(t *testing.T) {
	e := apptest.Start(t)
	p := frenchClient(t, e, "")
	_, page := p.get("/login")
	try := func() (int, string) {
		return p.post("/login", page, url.Values{"email": {"fp.fr@example.org"}, "password": {"not the password"}})
	}
	code, body := try()
	if code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d, want 401", code)
	}
	showsFrench(t, "wrong password", body, []string{"adresse électronique ou mot de passe incorrect"}, "wrong email or password")
	for range 5 {
		code, body = try()
	}
	if code != http.StatusTooManyRequests {
		t.Fatalf("sixth wrong password: %d, want 429", code)
	}
	showsFrench(t, "throttled", body, []string{"trop de tentatives infructueuses ; réessayez dans 15 minutes"}, "too many failed attempts")
}

// The secretariat's French editor words the services' errors its own way,
// with the labels of its form; the admin's French user form puts a
// duplicate account next to the email field, in French.
func TestFrenchStaffFormsShowFrenchFieldErrors(t *testing.T) {
	e := apptest.Start(t)
	sec := frenchClient(t, e, "secretariat@example.org")
	_, page := sec.get("/secretariat/meetings/new")
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	code, body := sec.post("/secretariat/meetings/new", page, url.Values{"kind": {"expert_group"}, "title_en": {"Expert group"},
		"title_fr": {"Groupe d'experts"}, "starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {start.Add(-time.Hour).Format("2006-01-02T15:04")},
		"timezone": {"Europe/Paris"}, "format": {"in_person"}, "venue": {"Strasbourg"}, "audience": {"members"},
		"seats_per_state": {"2"}, "funded_seats_per_state": {"1"}, "languages": {"en", "fr"}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("POST /secretariat/meetings/new: %d, want 422", code)
	}
	showsFrench(t, "meeting editor", body, []string{"doit être postérieur(e) à « Début »"}, "must be after")

	admin := frenchClient(t, e, "admin@example.org")
	_, page = admin.get("/admin/users")
	code, body = admin.post("/admin/users", page, url.Values{"email": {"fp.fr@example.org"}, "name": {"Double"},
		"role": {"secretariat"}, "language": {"fr"}, "password": {testPassword}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("POST /admin/users: %d, want 422", code)
	}
	want := "un compte existe déjà pour cette adresse électronique"
	showsFrench(t, "users form", body, []string{want}, "an account with this email already exists")
	// Next to the email field, not as a message for the whole form.
	if i := strings.Index(html.UnescapeString(body), want); i < 0 || !strings.Contains(html.UnescapeString(body)[max(0, i-600):i], `name="email"`) {
		t.Errorf("the duplicate account is not shown next to the email field")
	}
	// A message the English-matching tables never translated.
	code, body = admin.post("/admin/users", page, url.Values{"email": {"nouveau@example.org"}, "name": {"Nouveau"},
		"role": {"secretariat"}, "language": {"fr"}, "password": {strings.Repeat("x", 1100)}})
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("POST /admin/users with a long password: %d, want 422", code)
	}
	showsFrench(t, "users form", body, []string{"doit comporter au plus 1024 octets"}, "must be at most 1024 bytes")
}
