package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/testdb"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agora-bin-")
	if err != nil {
		panic(err)
	}
	_ = os.Chmod(dir, 0o755) // the embedded server may run as another user
	binary = filepath.Join(dir, "agora")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// agora runs the binary with only the given environment (plus PATH).
func agora(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Dir = t.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("agora %s still running after a minute; killed\n%s", strings.Join(args, " "), errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

var tokenLine = regexp.MustCompile(`^agora_[A-Za-z0-9_-]{40,}\n$`)

func TestAccountsAndTokens(t *testing.T) {
	db, dsn := testdb.New(t)
	env := []string{"DATABASE_URL=" + dsn, "AGORA_LOG_LEVEL=warn"}

	r := agora(t, env, "a long enough passphrase\n", "user", "add", "--email", "Chef@Example.org", "--name", "Chef de secrétariat",
		"--role", "secretariat", "--lang", "fr", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "chef@example.org") {
		t.Fatalf("user add: %+v", r)
	}
	r = agora(t, env, "a long enough passphrase\n", "user", "add", "--email", "chef@example.org", "--name", "Again", "--role", "secretariat", "--password-stdin")
	if r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("duplicate user: %+v", r)
	}
	r = agora(t, env, "short\n", "user", "add", "--email", "fp@example.org", "--name", "FP", "--role", "focal_point", "--state", "FR", "--password-stdin")
	if r.code == 0 || !strings.Contains(r.stderr, "--password") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("short password: want one line naming --password, got %+v", r)
	}

	r = agora(t, env, "", "token", "create", "--email", "chef@example.org", "--name", "ci")
	if r.code != 0 || !tokenLine.MatchString(r.stdout) {
		t.Fatalf("token create must print the token alone on one line: %q (stderr %q)", r.stdout, r.stderr)
	}
	tok := strings.TrimSpace(r.stdout)
	r = agora(t, env, "", "token", "list", "--email", "chef@example.org")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "1\tci\t") || strings.Contains(r.stdout, tok) {
		t.Fatalf("token list: %+v", r)
	}
	if r = agora(t, env, "", "token", "revoke", tok); r.code != 0 {
		t.Fatalf("token revoke: %+v", r)
	}
	r = agora(t, env, "", "token", "list", "--email", "chef@example.org")
	if !strings.Contains(r.stdout, "revoked") {
		t.Errorf("token not revoked: %q", r.stdout)
	}
	// What an operator does from the command line is in the audit trail,
	// as the admin pages' actions are: by the system, marked "cli".
	var trail []string
	if err := db.Select(&trail, `SELECT actor || ' ' || action || ' ' || subject_type || ' ' || (details->>'via')
		FROM audit_log WHERE subject_type = 'user' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"system user.create user cli", "system token.create user cli", "system token.revoke user cli"}; !slices.Equal(trail, want) {
		t.Errorf("audit trail of the commands: %q, want %q", trail, want)
	}
	if r = agora(t, env, "", "migrate", "status"); r.code != 0 || !strings.Contains(r.stdout, "00001_foundation.sql") {
		t.Errorf("migrate status: %+v", r)
	}
}

func TestBadInvocations(t *testing.T) {
	_, dsn := testdb.New(t)
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"bad setting", []string{"AGORA_LOG_FORMAT=xml"}, []string{"migrate", "status"}, 1, "log.format"},
		{"bad port", []string{"AGORA_EMBEDDED_PORT=http"}, []string{"serve"}, 1, "embedded.port"},
		{"bad flag", nil, []string{"serve", "--addr", "nowhere"}, 1, "addr"},
		{"password on the command line", []string{"DATABASE_URL=" + dsn}, []string{"user", "add", "--email", "a@example.org"}, 2, "--password-stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := agora(t, tt.env, "", tt.args...)
			last := strings.TrimSpace(r.stderr)
			if i := strings.LastIndex(last, "\n"); i >= 0 {
				last = last[i+1:]
			}
			if r.code != tt.code || !strings.HasPrefix(last, "agora: ") || !strings.Contains(last, tt.want) {
				t.Errorf("exit %d (want %d), last stderr line %q (want it to name %q)", r.code, tt.code, last, tt.want)
			}
		})
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitReady(t *testing.T, url string, cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	t.Fatalf("agora serve never became ready:\n%s", stderr.String())
}

// The quick start: no DATABASE_URL, so agora runs its own PostgreSQL under
// the data directory, which survives a restart. As root the server runs as
// an unprivileged user; the test also runs agora itself as an ordinary user.
func TestEmbeddedPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	runAs := map[string]*syscall.Credential{"current user": nil}
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("nobody"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			runAs["ordinary user"] = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		}
	}
	for name, cred := range runAs {
		t.Run(name, func(t *testing.T) {
			work, err := os.MkdirTemp("", "agora-embedded-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(work)
			_ = os.Chmod(work, 0o755)
			if cred != nil {
				_ = os.Chown(work, int(cred.Uid), int(cred.Gid))
			}
			pgPort, httpPort := freePort(t), freePort(t)
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work,
				"AGORA_EMBEDDED_DIR=" + filepath.Join(work, "var"), "AGORA_EMBEDDED_PORT=" + strconv.Itoa(pgPort),
				"AGORA_ADDR=127.0.0.1:" + strconv.Itoa(httpPort)}
			url := "http://127.0.0.1:" + strconv.Itoa(httpPort)
			run := func(stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
				cmd := exec.Command(binary, args...)
				cmd.Env, cmd.Dir = env, work
				cmd.Stdin = strings.NewReader(stdin)
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				return cmd, &out, &errb
			}

			serve, _, serveErr := run("", "serve")
			if err := serve.Start(); err != nil {
				t.Fatal(err)
			}
			waitReady(t, url, serve, serveErr)
			if !strings.Contains(serveErr.String(), "user add --email") {
				t.Errorf("an empty database should print how to create the first admin:\n%s", serveErr)
			}
			// A second command uses the server the first one started.
			add, out, errb := run("a long enough passphrase\n", "user", "add", "--email", "admin@example.org", "--name", "Admin", "--role", "admin", "--password-stdin")
			if err := add.Run(); err != nil {
				t.Fatalf("user add beside serve: %v\n%s%s", err, out, errb)
			}
			_ = serve.Process.Signal(syscall.SIGTERM)
			if err := serve.Wait(); err != nil {
				t.Fatalf("serve did not exit cleanly on SIGTERM: %v\n%s", err, serveErr)
			}
			if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(pgPort), time.Second); err == nil {
				c.Close()
				t.Fatal("the embedded PostgreSQL is still running after agora stopped")
			}

			// Restart: the data is still there.
			serve, _, serveErr = run("", "serve")
			if err := serve.Start(); err != nil {
				t.Fatal(err)
			}
			waitReady(t, url, serve, serveErr)
			tok, out, errb := run("", "token", "create", "--email", "admin@example.org")
			if err := tok.Run(); err != nil || !tokenLine.MatchString(out.String()) {
				t.Fatalf("after a restart the account is gone: %v %q %s", err, out, errb)
			}
			if strings.Contains(serveErr.String(), "No administrator yet") {
				t.Error("the restarted server thinks the database is empty")
			}
			_ = serve.Process.Signal(syscall.SIGTERM)
			if err := serve.Wait(); err != nil {
				t.Fatalf("second serve: %v", err)
			}
		})
	}
}

// A mail worker that cannot start (here: a CA file with no certificate)
// stops the process with the reason, for `agora worker` and for `agora
// serve` with its worker, instead of running on without sending mail.
func TestWorkerThatCannotStartStopsTheProcess(t *testing.T) {
	_, dsn := testdb.New(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + dsn, "AGORA_LOG_LEVEL=warn", "AGORA_SMTP_URL=smtp://127.0.0.1:1",
		"AGORA_MAIL_CA_FILE=" + ca, "AGORA_ADDR=127.0.0.1:0"}
	for _, args := range [][]string{{"worker"}, {"serve"}} {
		r := agora(t, env, "", args...)
		if r.code == 0 || !strings.Contains(r.stderr, "certificate") {
			t.Errorf("agora %s with an unusable CA file: exit %d, stderr %q; want a failure naming the certificate", args[0], r.code, r.stderr)
		}
	}
}

// `make run` in a checkout that only its owner can enter — root's /root/agora
// (mode 0700) is the usual case in containers and on CI machines — with
// the binary built inside it and the default ./var. As root the server runs
// as the postgres user, who can enter neither, so the data goes under
// /var/lib/agora/ in a directory named after the checkout, said in one
// line; as an ordinary user it stays in ./var. Either way the server
// starts, serves a second command, and keeps its data across a restart.
func TestEmbeddedPostgresInAPrivateCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	t.Run("root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root: this case checks how root's private checkout hands its data to the postgres user")
		}
		runInPrivateCheckout(t, nil)
	})
	t.Run("ordinary user", func(t *testing.T) {
		var cred *syscall.Credential
		if os.Geteuid() == 0 {
			u, err := user.Lookup("nobody")
			if err != nil {
				t.Skip("running as root with no 'nobody' user to play the ordinary user")
			}
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		}
		runInPrivateCheckout(t, cred)
	})
}

// runInPrivateCheckout runs agora as cred (nil: as this process) from a
// mode-0700 checkout of its own.
func runInPrivateCheckout(t *testing.T, cred *syscall.Credential) {
	checkout, err := os.MkdirTemp("", "agora-private-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(checkout)
	if err := os.Chmod(checkout, 0o700); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(checkout, "bin", "agora")
	if err := os.MkdirAll(filepath.Dir(bin), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", binary, bin).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	if cred != nil {
		if out, err := exec.Command("chown", "-R", fmt.Sprintf("%d:%d", cred.Uid, cred.Gid), checkout).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	// Where root's data goes: /var/lib/agora/ and the checkout's path.
	shared := filepath.Join("/var/lib/agora", strings.ReplaceAll(strings.Trim(filepath.Join(checkout, "var"), "/"), "/", "-"))
	defer os.RemoveAll(shared)

	pgPort, httpPort := freePort(t), freePort(t)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + checkout,
		"AGORA_EMBEDDED_PORT=" + strconv.Itoa(pgPort), "AGORA_ADDR=127.0.0.1:" + strconv.Itoa(httpPort)}
	url := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	run := func(stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, checkout
		cmd.Stdin = strings.NewReader(stdin)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cmd, &out, &errb
	}
	type server struct {
		cmd    *exec.Cmd
		stderr *bytes.Buffer
		exited chan error
	}
	serve := func() server {
		cmd, _, errb := run("", "serve")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		s := server{cmd, errb, make(chan error, 1)}
		go func() { s.exited <- cmd.Wait() }()
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			select {
			case err := <-s.exited:
				t.Fatalf("agora serve exited (%v):\n%s", err, errb)
			default:
			}
			if resp, err := http.Get(url + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return s
				}
			}
		}
		_ = cmd.Process.Kill()
		t.Fatalf("agora serve never became ready:\n%s", errb)
		return s
	}
	stop := func(s server) {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		if err := <-s.exited; err != nil {
			t.Fatalf("serve did not exit cleanly on SIGTERM: %v\n%s", err, s.stderr)
		}
	}

	srv := serve()
	dataIn := filepath.Join(checkout, "var", "pg", "data")
	if os.Geteuid() == 0 && cred == nil {
		dataIn = filepath.Join(shared, "pg", "data")
		var said []string
		for _, line := range strings.Split(srv.stderr.String(), "\n") {
			if strings.Contains(line, shared) && strings.Contains(line, "cannot enter "+checkout) {
				said = append(said, line)
			}
		}
		if len(said) != 1 {
			t.Errorf("want one line saying the data is in %s and why; got %d:\n%s", shared, len(said), srv.stderr)
		}
	} else if strings.Contains(srv.stderr.String(), "/var/lib/agora") {
		t.Errorf("an ordinary user's data should stay in the checkout:\n%s", srv.stderr)
	}
	if _, err := os.Stat(filepath.Join(dataIn, "PG_VERSION")); err != nil {
		t.Errorf("no PostgreSQL cluster in %s: %v", dataIn, err)
	}
	add, out, errb := run("a long enough passphrase\n", "user", "add", "--email", "admin@example.org", "--name", "Admin", "--role", "admin", "--password-stdin")
	if err := add.Run(); err != nil {
		t.Fatalf("user add beside serve: %v\n%s%s", err, out, errb)
	}
	stop(srv)

	srv = serve()
	tok, out, errb := run("", "token", "create", "--email", "admin@example.org")
	if err := tok.Run(); err != nil || !tokenLine.MatchString(out.String()) {
		t.Fatalf("after a restart the account is gone: %v %q %s", err, out, errb)
	}
	stop(srv)
}

// A worker told to stop while it is still starting — migrating an empty
// database, seeding the roster — stops as it would once started: status 0,
// nothing left half done (the next start finishes the migrations). Test
// runs stop their processes at any moment, and so do operators.
func TestStopWhileStarting(t *testing.T) {
	db, dsn := testdb.Empty(t)
	cmd := exec.Command(binary, "worker")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "DATABASE_URL=" + dsn, "AGORA_LOG_LEVEL=warn"}
	cmd.Dir = t.TempDir()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The migrations have begun once goose's table exists: the signal
	// handler is in place by then, and most of the start is still to come.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Millisecond) {
		var table *string
		if err := db.Get(&table, `SELECT to_regclass('goose_db_version')::text`); err != nil {
			t.Fatal(err)
		}
		if table != nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the worker never began migrating\n%s", errb.String())
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("worker stopped while starting: %v\n%s", err, errb.String())
	}
	r := agora(t, []string{"DATABASE_URL=" + dsn}, "", "migrate", "up")
	if r.code != 0 {
		t.Fatalf("migrating after the interrupted start: exit %d\n%s", r.code, r.stderr)
	}
}
