// Package apptest starts the whole Agora application on a free port against
// a fresh database, with one account and API token per role, for
// end-to-end tests of the API and the pages.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/app"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/testdb"
)

// Env is a running application.
type Env struct {
	T   testing.TB
	App *app.App
	URL string
	DSN string
	// Tokens by user key: "admin", "secretariat", "fp_FR", "fp_DE",
	// "fp_EUDA" (an organisation's focal point).
	Tokens map[string]string
	Users  map[string]auth.User
	stop   context.CancelFunc
	done   chan error
}

// Options adjust the environment.
type Options struct {
	// Config changes the configuration before the app starts.
	Config func(*config.Config)
	// SMTPURL, when set, is the mail server; the app then runs its mail
	// worker as `agora serve` does.
	SMTPURL string
	// Join runs a second process on the database of another Env (same
	// accounts and tokens) instead of a fresh one.
	Join *Env
	// Clock, when set, is the time the app's response cache goes by.
	Clock func() time.Time
}

// Start runs the application and creates the standard accounts.
func Start(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var join *Env
	for _, o := range opts {
		if o.Join != nil {
			join = o.Join
		}
	}
	var dsn string
	if join != nil {
		dsn = join.DSN
	} else {
		_, dsn = testdb.New(t)
	}
	cfg, err := config.Load(config.Sources{File: "/dev/null", LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = dsn
	cfg.HTTP.ShutdownTimeout = 5 * time.Second
	// Tests hammer the server from one address; abuse limits are tested
	// on their own (Options.Config turns them back on).
	cfg.Limits = config.Limits{}
	worker := false
	for _, o := range opts {
		if o.SMTPURL != "" {
			cfg.SMTPURL, worker = o.SMTPURL, true
			cfg.Mail.PollInterval = 200 * time.Millisecond
		}
		if o.Config != nil {
			o.Config(&cfg)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	logTo := io.Discard
	if os.Getenv("AGORA_TEST_LOG") != "" { // show the app's log while debugging a test
		logTo = os.Stderr
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(logTo, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		if o.Clock != nil {
			a.Clock = o.Clock
		}
	}
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{T: t, App: a, URL: "http://" + ln.Addr().String(), DSN: dsn, stop: cancel, done: make(chan error, 1),
		Tokens: map[string]string{}, Users: map[string]auth.User{}}
	workerDone := make(chan error, 1)
	if worker {
		go func() { workerDone <- a.RunWorker(ctx) }()
	} else {
		workerDone <- nil
	}
	go func() { e.done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-e.done
		if err := <-workerDone; err != nil {
			t.Errorf("mail worker: %v", err)
		}
		a.Close()
	})

	if join != nil {
		e.Tokens, e.Users = join.Tokens, join.Users
		return e
	}
	for key, u := range map[string]auth.NewUser{
		"admin":       {Email: "admin@example.org", Name: "Ada Admin", Role: auth.RoleAdmin, Language: "en"},
		"secretariat": {Email: "secretariat@example.org", Name: "Sam Secretariat", Role: auth.RoleSecretariat, Language: "en"},
		"fp_FR":       {Email: "fp.fr@example.org", Name: "Françoise Point", Role: auth.RoleFocalPoint, State: "FR", Language: "fr"},
		"fp_DE":       {Email: "fp.de@example.org", Name: "Dieter Punkt", Role: auth.RoleFocalPoint, State: "DE", Language: "en"},
		// A focal point of an organisation (the seeded EU drugs agency).
		"fp_EUDA": {Email: "fp.euda@example.org", Name: "Eva Agency", Role: auth.RoleFocalPoint, State: "EUDA", Language: "en"},
	} {
		u.Password = "a long enough passphrase"
		created, err := a.Auth.CreateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Auth.CreateToken(ctx, auth.SystemActor("test"), u.Email, "test")
		if err != nil {
			t.Fatal(err)
		}
		e.Tokens[key], e.Users[key] = tok, created
	}
	return e
}

// Do sends a request as the user key ("" for anonymous) with an optional
// JSON body and returns the status and body.
func (e *Env) Do(method, path, as string, body any) (int, []byte) {
	e.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		r = strings.NewReader(string(j))
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		e.T.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if as != "" {
		tok, ok := e.Tokens[as]
		if !ok {
			e.T.Fatalf("apptest: no user %q", as)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// JSON sends a request and decodes the response into out, failing the test
// unless the status is want.
func (e *Env) JSON(method, path, as string, body any, want int, out any) {
	e.T.Helper()
	code, b := e.Do(method, path, as, body)
	if code != want {
		e.T.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, as, code, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.T.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// ErrorFields decodes a 422 body's field messages.
func ErrorFields(b []byte) map[string]string {
	var e struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Fields
}
