package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/app"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/testdb"
)

type running struct {
	app  *app.App
	url  string
	stop context.CancelFunc
	done chan error
}

// start runs the whole application on a free port against dsn.
func start(t *testing.T, dsn string) *running {
	t.Helper()
	cfg, err := config.Load(config.Sources{File: "/dev/null", LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = dsn
	cfg.HTTP.ShutdownTimeout = 10 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &running{app: a, url: "http://" + ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-r.done; a.Close() })
	return r
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func send(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEndToEnd(t *testing.T) {
	_, dsn := testdb.Empty(t) // the app itself migrates and seeds
	r := start(t, dsn)

	if code, body := get(t, r.url+"/healthz", ""); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, _ := get(t, r.url+"/readyz", ""); code != 200 {
		t.Errorf("/readyz: %d", code)
	}
	code, body := get(t, r.url+"/api/v1/states?lang=fr", "")
	var states struct {
		States []struct {
			Code   string `json:"code"`
			NameFR string `json:"name_fr"`
		} `json:"states"`
	}
	if err := json.Unmarshal([]byte(body), &states); err != nil || code != 200 || len(states.States) < 40 {
		t.Fatalf("/api/v1/states: %d, %d states, %v", code, len(states.States), err)
	}
	if states.States[0].NameFR != "Albanie" {
		t.Errorf("French roster starts with %q", states.States[0].NameFR)
	}
	// Metrics are for admins unless metrics.public says otherwise.
	if code, _ := get(t, r.url+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics for anyone: %d, want 401", code)
	}
	if _, err := r.app.Auth.CreateUser(context.Background(), auth.NewUser{Email: "ops@example.org", Name: "Ops", Role: "admin",
		Language: "en", Password: "a long enough passphrase"}); err != nil {
		t.Fatal(err)
	}
	ops, _, _ := r.app.Auth.CreateToken(context.Background(), auth.SystemActor("test"), "ops@example.org", "prometheus")
	code, body = get(t, r.url+"/metrics", ops)
	for _, want := range []string{`agora_http_requests_total{method="GET",route="/api/v1/states",status="200"} 1`,
		"agora_http_request_duration_seconds_bucket", `go_sql_max_open_connections{db_name="agora"}`, "go_goroutines"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if code, body := get(t, r.url+"/", ""); code != 200 || !strings.Contains(body, "<html lang=\"en\">") {
		t.Errorf("home page: %d", code)
	}
	if code, body := get(t, r.url+"/?lang=fr", ""); code != 200 || !strings.Contains(body, "Réunions") {
		t.Errorf("French home page: %d", code)
	}
}

func TestAuthorization(t *testing.T) {
	_, dsn := testdb.New(t)
	r := start(t, dsn)
	ctx := context.Background()
	for _, u := range []auth.NewUser{
		{Email: "admin@example.org", Name: "Admin", Role: "admin", Language: "en", Password: "a long enough passphrase"},
		{Email: "sec@example.org", Name: "Sec", Role: "secretariat", Language: "fr", Password: "a long enough passphrase"},
	} {
		if _, err := r.app.Auth.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	admin, _, _ := r.app.Auth.CreateToken(ctx, auth.SystemActor("test"), "admin@example.org", "")
	sec, _, _ := r.app.Auth.CreateToken(ctx, auth.SystemActor("test"), "sec@example.org", "")
	put := `{"name_en":"Republic of Moldova","name_fr":"République de Moldova","status":"partner"}`

	if code, body := send(t, "PUT", r.url+"/api/v1/states/MD", "", put); code != 401 || !strings.Contains(body, `"unauthorized"`) {
		t.Errorf("no token: %d %s", code, body)
	}
	if code, _ := send(t, "PUT", r.url+"/api/v1/states/MD", "agora_forged", put); code != 401 {
		t.Errorf("forged token: %d", code)
	}
	if code, body := send(t, "PUT", r.url+"/api/v1/states/MD", sec, put); code != 403 || !strings.Contains(body, `"forbidden"`) {
		t.Errorf("secretariat editing the roster: %d %s", code, body)
	}
	if code, body := send(t, "PUT", r.url+"/api/v1/states/MD", admin, put); code != 200 || !strings.Contains(body, `"partner"`) {
		t.Errorf("admin: %d %s", code, body)
	}
	if _, err := r.app.Auth.RevokeToken(ctx, auth.SystemActor("test"), admin); err != nil {
		t.Fatal(err)
	}
	if code, _ := send(t, "PUT", r.url+"/api/v1/states/MD", admin, put); code != 401 {
		t.Errorf("revoked token: %d", code)
	}
}

func TestErrorResponses(t *testing.T) {
	_, dsn := testdb.New(t)
	r := start(t, dsn)
	ctx := context.Background()
	if _, err := r.app.Auth.CreateUser(ctx, auth.NewUser{Email: "admin@example.org", Name: "Admin", Role: "admin", Language: "en", Password: "a long enough passphrase"}); err != nil {
		t.Fatal(err)
	}
	tok, _, _ := r.app.Auth.CreateToken(ctx, auth.SystemActor("test"), "admin@example.org", "")
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed JSON", `{"name_en":`, 400, "malformed"},
		{"unknown field", `{"name_en":"X","name_fr":"X","status":"member","flag":"🇫🇷"}`, 400, "malformed"},
		{"wrong type", `{"name_en":1,"name_fr":"X","status":"member"}`, 422, "invalid"},
		{"rule broken", `{"name_en":"","name_fr":"X","status":"member"}`, 422, "invalid"},
		{"too large", `{"name_en":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := send(t, "PUT", r.url+"/api/v1/states/FR", tok, tt.body)
			var e struct {
				Error struct {
					Code    string            `json:"code"`
					Message string            `json:"message"`
					Fields  map[string]string `json:"fields"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || code != tt.status || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Fatalf("got %d %s", code, body)
			}
			if tt.code == "invalid" && len(e.Error.Fields) == 0 {
				t.Errorf("422 without fields: %s", body)
			}
		})
	}
	st, _ := r.app.States.State(ctx, "FR")
	if st.NameEN != "France" {
		t.Errorf("a rejected request changed the roster: %+v", st)
	}
	if code, body := get(t, r.url+"/api/v1/nothing", ""); code != 404 || !strings.Contains(body, `"not_found"`) {
		t.Errorf("unknown route: %d %s", code, body)
	}
}

func TestReadinessFollowsTheDatabase(t *testing.T) {
	_, dsn := testdb.New(t)
	p, viaProxy := testdb.Proxied(t, dsn)
	r := start(t, viaProxy)

	if code, _ := get(t, r.url+"/readyz", ""); code != 200 {
		t.Fatalf("ready at start: %d", code)
	}
	p.Cut()
	if code, body := get(t, r.url+"/readyz", ""); code != 503 {
		t.Fatalf("database unreachable: /readyz %d %s", code, body)
	}
	if code, body := get(t, r.url+"/api/v1/states", ""); code != 503 || !strings.Contains(body, `"unavailable"`) {
		t.Errorf("database unreachable: /api/v1/states %d %s", code, body)
	}
	if code, _ := get(t, r.url+"/healthz", ""); code != 200 {
		t.Errorf("/healthz must not depend on the database: %d", code)
	}
	// A page says so in its language, as a page, not as the API's JSON.
	if code, body := get(t, r.url+"/meetings/1?lang=fr", ""); code != 503 || !strings.Contains(body, "<html") ||
		!strings.Contains(body, "Momentanément indisponible") || strings.Contains(body, `"error"`) {
		t.Errorf("database unreachable: /meetings/1?lang=fr %d %s", code, body)
	}
	p.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _ := get(t, r.url+"/readyz", "")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after the database came back", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _ := get(t, r.url+"/api/v1/states", ""); code != 200 {
		t.Errorf("requests fail after the database came back: %d", code)
	}
}

// slowBody sends part of a request body, waits for a signal, then the rest.
type slowBody struct {
	first, rest []byte
	gate        chan struct{}
	sentFirst   chan struct{}
	step        int
}

func (b *slowBody) Read(p []byte) (int, error) {
	switch b.step {
	case 0:
		b.step++
		n := copy(p, b.first)
		close(b.sentFirst)
		return n, nil
	case 1:
		<-b.gate
		b.step++
		return copy(p, b.rest), nil
	default:
		return 0, io.EOF
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	_, dsn := testdb.New(t)
	r := start(t, dsn)
	ctx := context.Background()
	if _, err := r.app.Auth.CreateUser(ctx, auth.NewUser{Email: "admin@example.org", Name: "Admin", Role: "admin", Language: "en", Password: "a long enough passphrase"}); err != nil {
		t.Fatal(err)
	}
	tok, _, _ := r.app.Auth.CreateToken(ctx, auth.SystemActor("test"), "admin@example.org", "")
	body := &slowBody{first: []byte(`{"name_en":"France",`), rest: []byte(`"name_fr":"France","status":"member"}`),
		gate: make(chan struct{}), sentFirst: make(chan struct{})}
	req, _ := http.NewRequest("PUT", r.url+"/api/v1/states/FR", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	type result struct {
		code int
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		resp.Body.Close()
		res <- result{code: resp.StatusCode}
	}()
	<-body.sentFirst
	time.Sleep(100 * time.Millisecond) // the server is now reading the body
	r.stop()
	time.Sleep(200 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", strings.TrimPrefix(r.url, "http://"), time.Second); err == nil {
		t.Error("still accepting connections during shutdown")
	}
	close(body.gate)
	got := <-res
	if got.err != nil || got.code != 200 { // the request completes; it is not cut off
		t.Fatalf("in-flight request: %d %v", got.code, got.err)
	}
	if err := <-r.done; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	r.done <- nil
}

// TestMetricsOnTheirOwnAddress: with metrics.addr, the metrics are served
// to anyone there, and nothing else is; the main address keeps them for
// admins.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	_, dsn := testdb.New(t)
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := free.Addr().String()
	free.Close()
	cfg, err := config.Load(config.Sources{File: "/dev/null", LookupEnv: func(k string) (string, bool) {
		if k == "AGORA_METRICS_ADDR" {
			return metricsAddr, true
		}
		return "", false
	}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = dsn
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	main := "http://" + ln.Addr().String()
	if code, _ := get(t, main+"/api/v1/states", ""); code != 200 {
		t.Fatalf("main address: %d", code)
	}
	var code int
	var body string
	for range 50 { // the metrics listener starts with Serve
		if code, body = getOr0("http://" + metricsAddr + "/metrics"); code != 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code != 200 || !strings.Contains(body, `agora_http_requests_total{method="GET",route="/api/v1/states",status="200"} 1`) {
		t.Errorf("GET /metrics on the metrics address: %d", code)
	}
	if code, _ := get(t, "http://"+metricsAddr+"/api/v1/states", ""); code != 404 {
		t.Errorf("the API on the metrics address: %d, want 404", code)
	}
	if code, _ := get(t, main+"/metrics", ""); code != 401 {
		t.Errorf("/metrics on the main address for anyone: %d, want 401", code)
	}
}

// getOr0 is get that reports a refused connection as status 0.
func getOr0(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
