package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
)

// agora is one running Agora: an `agora serve` process started from a
// freshly built binary, or, for profiling, the application in this process.
type agora struct {
	binary string
	env    []string
	pid    int // of the process; 0 in this process
	URL    string
	token  string // a secretariat's API token
	client *http.Client
}

// settings is the configuration the benchmark gives the app, on top of
// the defaults: no SMTP server (mail is rendered and kept as withheld),
// quiet logs, and no per-address limit on public registrations, since
// every client here comes from 127.0.0.1 while a real rush comes from as
// many addresses as people. Settings in the environment (AGORA_*) pass
// through and win, so that one can try, say,
// AGORA_DATABASE_MAX_OPEN_CONNS=40 without editing the benchmark.
func settings() map[string]string {
	env := map[string]string{"AGORA_LOG_LEVEL": "warn", "AGORA_SMTP_URL": "", "AGORA_LIMITS_REGISTRATION_PER_MINUTE": "0"}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AGORA_") {
			env[k] = v
		}
	}
	return env
}

// startInProcess runs the application inside the benchmark, as the
// end-to-end tests do, so that `go test -cpuprofile` sees the server (and,
// apart, the load generator), with the same settings as the process. It
// returns the app, its database and the database's URL.
func startInProcess(b *testing.B) (*agora, *sqlx.DB, string) {
	env := settings()
	cfg, err := config.Load(config.Sources{File: "/dev/null", LookupEnv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		b.Fatal(err)
	}
	e := apptest.Start(b, apptest.Options{Config: func(c *config.Config) {
		dsn, shutdown := c.DatabaseURL, c.HTTP.ShutdownTimeout
		*c = cfg
		c.DatabaseURL, c.HTTP.ShutdownTimeout = dsn, shutdown
	}})
	return &agora{URL: e.URL, token: e.Tokens["secretariat"], client: &http.Client{Timeout: 30 * time.Second}}, e.App.DB, e.DSN
}

// startAgora builds the binary, starts `agora serve` on a free port against
// dsn with settings(), and creates a secretariat account and API token with
// the binary's own commands. The process stops with b.
func startAgora(b *testing.B, dsn string) *agora {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "agora")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/coe-agora/agora/cmd/agora").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	port := freePort(b)
	work := b.TempDir() // no configs/agora.yaml here: defaults and the environment only
	a := &agora{binary: bin, URL: "http://127.0.0.1:" + strconv.Itoa(port),
		env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work, "DATABASE_URL=" + dsn}}
	for k, v := range settings() {
		a.env = append(a.env, k+"="+v)
	}
	a.env = append(a.env, "AGORA_ADDR=127.0.0.1:"+strconv.Itoa(port))

	cmd := exec.Command(bin, "serve")
	cmd.Env, cmd.Dir = a.env, work
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	a.pid = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				b.Errorf("agora serve: %v\n%s", err, stderr.String())
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			b.Errorf("agora serve did not stop on SIGTERM within 15 s")
		}
	})

	a.client = &http.Client{Timeout: 30 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := a.client.Get(a.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			b.Fatalf("agora serve exited: %v\n%s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.Fatalf("agora serve never became ready:\n%s", stderr.String())
		}
	}

	a.run(b, "a long enough passphrase\n", "user", "add", "--email", "bench@example.org", "--name", "Bench Secretariat",
		"--role", "secretariat", "--password-stdin")
	a.token = strings.TrimSpace(a.run(b, "", "token", "create", "--email", "bench@example.org", "--name", "bench"))
	return a
}

// run runs another command of the binary, beside the server, and returns
// its standard output.
func (a *agora) run(b *testing.B, stdin string, args ...string) string {
	b.Helper()
	cmd := exec.Command(a.binary, args...)
	cmd.Env, cmd.Dir = a.env, b.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		b.Fatalf("agora %s: %v\n%s", strings.Join(args[:2], " "), err, errb.String())
	}
	return out.String()
}

// call sends a JSON request as the secretariat and decodes the answer,
// failing unless its status is want.
func (a *agora) call(b *testing.B, method, path string, body any, want int, out any) {
	b.Helper()
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			b.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.URL+path, r)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			b.Fatalf("%s %s: %v in %s", method, path, err, got)
		}
	}
}

// openMeeting is a published meeting open for registration, with every
// member state invited.
type openMeeting struct {
	ID     int64
	States []string // invited states, in the order of the next two
	Tokens []string // their registration links' tokens
}

// openMeeting creates a plenary for the member states, with seatsPerState
// seats (one funded) each, publishes it, invites every state and reads the
// registration links, all through the API.
func (a *agora) openMeeting(b *testing.B, title string, seatsPerState int) openMeeting {
	b.Helper()
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	var m struct {
		ID int64 `json:"id"`
	}
	a.call(b, "POST", "/api/v1/meetings", map[string]any{
		"kind": "plenary", "title_en": title, "title_fr": title,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"audience": "members", "seats_per_state": seatsPerState, "funded_seats_per_state": 1,
	}, http.StatusCreated, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	a.call(b, "POST", path+"/publish", nil, http.StatusOK, nil)
	a.call(b, "POST", path+"/invitations", nil, http.StatusOK, nil)
	var invs struct {
		Invitations []struct {
			State string `json:"state"`
			URL   string `json:"registration_url"`
		} `json:"invitations"`
	}
	a.call(b, "GET", path+"/invitations", nil, http.StatusOK, &invs)
	om := openMeeting{ID: m.ID}
	for _, inv := range invs.Invitations {
		om.States = append(om.States, inv.State)
		om.Tokens = append(om.Tokens, inv.URL[strings.LastIndex(inv.URL, "/")+1:])
	}
	if len(om.States) < 40 {
		b.Fatalf("meeting %d invites %d states, want the ~45 member states", m.ID, len(om.States))
	}
	return om
}

func freePort(b *testing.B) int {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer that a process may write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
