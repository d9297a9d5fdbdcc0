// Package testmail starts a real SMTP server for tests: Mailpit, on free
// ports, with SMTP AUTH required, and a client for its HTTP API to read
// back what it received. Each call of Start runs its own Mailpit, killed
// when the test ends. Its messages are kept in a database file, so that
// Stop and Restart make an outage that loses nothing the server accepted.
//
// Mailpit is expected at $(go env GOPATH)/bin/mailpit; scripts/ensure-mailpit.sh
// installs it.
package testmail

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InstallHint is the command that installs the Mailpit the tests expect.
const InstallHint = "go install github.com/axllent/mailpit@v1.33.1 (or scripts/ensure-mailpit.sh)"

// Options change how Mailpit is started.
type Options struct {
	// STARTTLS offers STARTTLS with a certificate for 127.0.0.1 signed by
	// a test authority (see Server.CAFile).
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte (smtps://), with the same
	// kind of certificate.
	ImplicitTLS bool
}

// Server is a running Mailpit.
type Server struct {
	// SMTPAddr is host:port of the SMTP server; APIURL the base of the
	// HTTP API.
	SMTPAddr string
	APIURL   string
	// Username and Password are the only credentials the server accepts.
	Username, Password string
	// CAFile is the PEM file of the authority that signed the server's
	// certificate, when it has one.
	CAFile string

	implicitTLS bool
	http        *http.Client

	bin  string   // the mailpit executable
	args []string // its command line, for Restart
	mu   sync.Mutex
	proc *process // nil while stopped
}

// Start runs a Mailpit for t and waits until it answers. It fails the
// test, with the install command, when Mailpit is not installed.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	bin, err := binary()
	if err != nil {
		t.Fatalf("testmail: %v; install it with: %s", err, InstallHint)
	}
	dir := t.TempDir()
	s := &Server{
		Username:    "agora",
		Password:    "s3cret:p@ss/w%rd", // needs percent-encoding in a URL (Mailpit refuses spaces)
		implicitTLS: o.ImplicitTLS,
		http:        &http.Client{Timeout: 30 * time.Second},
	}
	authFile := filepath.Join(dir, "smtp-auth")
	if err := os.WriteFile(authFile, []byte(s.Username+":"+s.Password+"\n"), 0o600); err != nil {
		t.Fatalf("testmail: %v", err)
	}
	// Mailpit refuses AUTH without TLS unless told; it refuses being told
	// when TLS is implicit.
	extraArgs := []string{"--smtp-auth-allow-insecure"}
	if o.STARTTLS || o.ImplicitTLS {
		cert, key, ca, err := writeCertificate(dir)
		if err != nil {
			t.Fatalf("testmail: certificate: %v", err)
		}
		s.CAFile = ca
		extraArgs = append(extraArgs, "--smtp-tls-cert", cert, "--smtp-tls-key", key)
		if o.ImplicitTLS {
			extraArgs = []string{"--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-tls"}
		}
	}
	// A free port can be taken by someone else before Mailpit binds it:
	// try a few times.
	for try := 1; ; try++ {
		err := s.start(t, bin, dir, authFile, extraArgs)
		if err == nil {
			return s
		}
		if try == 3 {
			t.Fatalf("testmail: %v", err)
		}
	}
}

// binary returns the path of the mailpit executable.
func binary() (string, error) {
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			return "", fmt.Errorf("go env GOPATH: %w", err)
		}
		gopath = strings.TrimSpace(string(out))
	}
	bin := filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "bin", "mailpit")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("no Mailpit at %s", bin)
	}
	return bin, nil
}

func (s *Server) start(t testing.TB, bin, dir, authFile string, extraArgs []string) error {
	smtpPort, err := freePort()
	if err != nil {
		return err
	}
	httpPort, err := freePort()
	if err != nil {
		return err
	}
	s.SMTPAddr = "127.0.0.1:" + smtpPort
	s.APIURL = "http://127.0.0.1:" + httpPort
	s.bin = bin
	s.args = append([]string{
		"--db-file", filepath.Join(dir, fmt.Sprintf("mailpit-%s.db", smtpPort)),
		"--smtp", s.SMTPAddr,
		"--listen", "127.0.0.1:" + httpPort,
		"--max", "0",
		"--smtp-auth-file", authFile,
		"--smtp-disable-rdns",
		"--disable-version-check",
		"--quiet",
	}, extraArgs...)
	if err := s.launch(); err != nil {
		return err
	}
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.proc != nil {
			s.proc.kill()
			s.proc = nil
		}
	})
	return nil
}

// process is one run of Mailpit.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the exit status, once exited is closed
	out    lockedBuffer
}

func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// launch runs Mailpit with s.args and waits until it answers.
func (s *Server) launch() error {
	p := &process{cmd: exec.Command(s.bin, s.args...), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start mailpit: %w", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	if err := s.waitReady(p.exited); err != nil {
		p.kill()
		return fmt.Errorf("%w (exit: %v); mailpit said: %s", err, p.err, p.out.String())
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	return nil
}

// Stop stops the server as an operator would (SIGTERM: Mailpit closes
// its database and exits) and waits until it is gone. What it received
// stays in its database file, for Restart. Stopping a stopped server does
// nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	p := s.proc
	s.proc = nil
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(15 * time.Second):
		p.kill()
		return errors.New("testmail: mailpit did not stop on SIGTERM within 15s; killed")
	}
}

// Restart starts a stopped server again on the same ports with the same
// database, so it still holds the messages it received before, and
// waits until it answers.
func (s *Server) Restart() error {
	s.mu.Lock()
	running := s.proc != nil
	s.mu.Unlock()
	if running {
		return errors.New("testmail: restart: the server is running")
	}
	// The ports were ours a moment ago; the kernel may take a moment to
	// let them go.
	var err error
	for try := 0; try < 20; try++ {
		if err = s.launch(); err == nil {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("testmail: restart: %w", err)
}

// waitReady waits until both the API and the SMTP port answer.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("mailpit exited")
		case <-time.After(25 * time.Millisecond):
		}
		resp, err := s.http.Get(s.APIURL + "/api/v1/info")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			continue
		}
		if c, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second); err == nil {
			c.Close()
			return nil
		}
	}
	return errors.New("mailpit did not become ready within 15s")
}

// SMTPURL returns the URL of the server with its credentials, in the form
// internal/mail.ParseSMTPURL reads.
func (s *Server) SMTPURL() string {
	return s.SMTPURLWith(s.Username, s.Password)
}

// SMTPURLWith returns the URL with other credentials.
func (s *Server) SMTPURLWith(username, password string) string {
	u := url.URL{Scheme: "smtp", Host: s.SMTPAddr, User: url.UserPassword(username, password)}
	if s.implicitTLS {
		u.Scheme = "smtps"
	}
	return u.String()
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port, nil
}

// lockedBuffer collects a process's output, written from another goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
