// Package proctest runs Agora as an operator does, for the tests and
// benchmarks that need real processes: it builds the `agora` binary, starts
// `agora serve` and `agora worker` against a database, waits until they
// are ready, and stops them with SIGTERM — or kills them with SIGKILL, for
// the fault scenarios. A Client speaks the JSON API with a secretariat's
// token created by the binary's own commands.
package proctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build compiles cmd/agora into dir and returns the binary's path. A
// package's TestMain (or its first test) builds once and shares the path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "agora")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/coe-agora/agora/cmd/agora").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// BuildT is Build into a temporary directory of t, failing t on error.
func BuildT(t testing.TB) string {
	t.Helper()
	bin, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Env is the environment of a process: DATABASE_URL and AGORA_* settings
// on top of a minimal PATH and HOME. Later entries win.
type Env map[string]string

// Quiet is the base environment of the scenarios: no SMTP server unless
// given (mail is kept as withheld), warnings only in the logs, and no
// per-address limit on public registrations, since every client of a
// test comes from 127.0.0.1 while a real rush comes from as many
// addresses as people.
func Quiet(dsn string) Env {
	return Env{"DATABASE_URL": dsn, "AGORA_LOG_LEVEL": "warn", "AGORA_SMTP_URL": "",
		"AGORA_LIMITS_REGISTRATION_PER_MINUTE": "0", "AGORA_LIMITS_LINK_PER_MINUTE": "0"}
}

// With returns a copy of e with the pairs k, v, … set.
func (e Env) With(kv ...string) Env {
	c := make(Env, len(e)+len(kv)/2)
	for k, v := range e {
		c[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

func (e Env) list(home string) []string {
	l := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	for k, v := range e {
		l = append(l, k+"="+v)
	}
	slices.Sort(l[2:])
	return l
}

// Process is a running `agora serve` or `agora worker`.
type Process struct {
	Name string // for messages: "serve-1", "worker-2", …
	URL  string // http://127.0.0.1:port for serve; empty for a worker
	PID  int

	cmd    *exec.Cmd
	stderr syncBuffer
	exited chan struct{}
	err    error // the exit status, once exited is closed
	killed bool
}

// Start runs `agora args…` (e.g. "serve", "--no-worker" or "worker") with
// env, in a directory of its own without configs/agora.yaml, so that only
// the defaults and env apply. For serve it picks a free port (unless env
// sets AGORA_ADDR) and waits until /readyz answers 200. The process is
// stopped with SIGTERM when t ends, and must then exit with status 0
// unless it was killed.
func Start(t testing.TB, bin, name string, env Env, args ...string) *Process {
	t.Helper()
	p := &Process{Name: name, exited: make(chan struct{})}
	serve := len(args) > 0 && args[0] == "serve"
	if serve {
		if _, ok := env["AGORA_ADDR"]; !ok {
			env = env.With("AGORA_ADDR", "127.0.0.1:"+strconv.Itoa(FreePort(t)))
		}
		p.URL = "http://" + env["AGORA_ADDR"]
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = t.TempDir()
	p.cmd.Env = env.list(p.cmd.Dir)
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p.PID = p.cmd.Process.Pid
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if err := p.Stop(20 * time.Second); err != nil {
			t.Errorf("%s: %v\n%s", name, err, p.Stderr())
		}
	})
	if serve {
		if err := p.WaitReady(90 * time.Second); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, p.Stderr())
		}
	}
	return p
}

// WaitReady polls /readyz every 10 ms until it answers 200, the process
// exits or the timeout passes.
func (p *Process) WaitReady(timeout time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("exited before it was ready: %v", p.err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", timeout)
		}
	}
}

// Kill sends SIGKILL, as the kernel's OOM killer or a pulled plug would,
// and waits until the process is gone.
func (p *Process) Kill() {
	p.killed = true
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop sends SIGTERM and waits up to timeout for a clean exit (status 0).
// It does nothing for a process that already exited after Kill.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(timeout):
			_ = p.cmd.Process.Kill()
			<-p.exited
			return fmt.Errorf("did not stop on SIGTERM within %s", timeout)
		}
	}
	if p.err != nil && !p.killed {
		return fmt.Errorf("exit: %w", p.err)
	}
	return nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Stderr is what the process has logged so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// RSS is the process's resident memory in bytes, from /proc.
func (p *Process) RSS() (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/pid/status")
}

// Run runs a one-shot command of the binary (`user add`, `token create`,
// `mail release`, …) with env and stdin, and returns its standard output.
func Run(t testing.TB, bin string, env Env, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = env.list(cmd.Dir)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("agora %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// Secretariat creates a secretariat account and an API token for it with
// the binary's commands, and returns a client of baseURL with that token.
func Secretariat(t testing.TB, bin string, env Env, baseURL string) *Client {
	t.Helper()
	email := "secretariat-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.org"
	Run(t, bin, env, "a long enough passphrase\n", "user", "add", "--email", email, "--name", "Test Secretariat",
		"--role", "secretariat", "--password-stdin")
	token := strings.TrimSpace(Run(t, bin, env, "", "token", "create", "--email", email, "--name", "proctest"))
	return NewClient(baseURL, token)
}

// Client sends JSON requests to one Agora, with a token when it has one.
type Client struct {
	URL   string
	Token string
	HTTP  *http.Client
}

// NewClient returns a client of baseURL with keep-alive connections for
// many concurrent requests.
func NewClient(baseURL, token string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &Client{URL: baseURL, Token: token, HTTP: &http.Client{Timeout: 30 * time.Second, Transport: tr}}
}

// With returns a client of another base URL (another process) sharing
// the token and connections.
func (c *Client) With(baseURL string) *Client {
	d := *c
	d.URL = baseURL
	return &d
}

// Do sends a request with body encoded as JSON (none when nil) and returns
// the status and the answer. An error means no answer arrived.
func (c *Client) Do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}

// JSON sends a request, fails t unless the status is want, and decodes
// the answer into out (when not nil).
func (c *Client) JSON(t testing.TB, method, path string, body any, want int, out any) {
	t.Helper()
	status, got, err := c.Do(context.Background(), method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, got)
		}
	}
}

// FreePort returns a TCP port that was free a moment ago on 127.0.0.1.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
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
