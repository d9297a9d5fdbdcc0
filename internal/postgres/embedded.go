package postgres

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
)

// EmbeddedCommand is the hidden subcommand under which the agora binary runs
// the embedded server (see RunEmbeddedChild).
const EmbeddedCommand = "embedded-postgres"

// EmbeddedOptions says where the embedded server keeps its data.
type EmbeddedOptions struct {
	Dir      string // data lives in Dir/pg
	Port     int
	Binaries string // a PostgreSQL installation (with bin/pg_ctl); empty: look for one
	Logger   *slog.Logger
}

// Embedded is a PostgreSQL server run by this process (or found running,
// started by another agora process on the same data directory).
type Embedded struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
}

// URL is the connection URL of the server.
func (e *Embedded) URL() string { return e.url }

// StartEmbedded makes sure the embedded server is running and returns it.
//
// PostgreSQL refuses to run as root, so the server runs in a child process
// (this binary, under EmbeddedCommand) which, when we are root, is given the
// identity of the "postgres" system user (or "nobody"). That user must reach
// the data and the binary: when root's checkout is private (/root/agora,
// mode 0700), the data goes under SharedDataDir instead and the binary is
// copied next to it (see place). The child is in its own process group so a
// terminal's Ctrl-C reaches only us: we stop it last, after in-flight
// requests have finished. If we die, its stdin closes and it stops the
// server on its own.
func StartEmbedded(ctx context.Context, opt EmbeddedOptions) (*Embedded, error) {
	pl, err := place(opt.Dir)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(pl.home, "pg")
	if pl.moved != "" && opt.Logger != nil {
		opt.Logger.Info("embedded PostgreSQL keeps its data in "+dir+" ("+pl.moved+")", "dir", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded postgres: cannot create %s: %w", dir, err)
	}
	password, err := embeddedPassword(dir)
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("postgres://agora:%s@127.0.0.1:%d/agora?sslmode=disable", password, opt.Port)
	if reachable(ctx, url) {
		return &Embedded{url: url}, nil
	}

	bin := opt.Binaries
	if bin == "" {
		bin = findPostgres()
	}
	version := ""
	if bin != "" {
		if version, err = postgresVersion(bin); err != nil {
			return nil, err
		}
	}
	self, err := pl.executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, EmbeddedCommand)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "LANG=C", "HOME=" + dir,
		"AGORA_PG_DIR=" + dir, "AGORA_PG_PORT=" + strconv.Itoa(opt.Port),
		"AGORA_PG_BINARIES=" + bin, "AGORA_PG_VERSION=" + version, "AGORA_PG_PASSWORD=" + password,
	}
	// Our working directory may be closed to the server's user, and
	// PostgreSQL's tools look at theirs.
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if pl.cred != nil {
		if err := giveTo(dir, pl); err != nil {
			return nil, err
		}
		cmd.SysProcAttr.Credential = pl.cred
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if opt.Logger != nil {
		opt.Logger.Info("starting embedded PostgreSQL", "dir", dir, "port", opt.Port, "binaries", orDownload(bin))
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("embedded postgres: cannot start %s: %w", self, err)
	}
	e := &Embedded{url: url, cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "ready") || strings.HasPrefix(line, "error:") {
				ready <- line
			}
		}
		close(ready)
		e.done <- cmd.Wait()
	}()
	select {
	case line, ok := <-ready:
		if ok && line == "ready" {
			return e, nil
		}
		_ = e.Stop()
		if ok {
			return nil, fmt.Errorf("embedded postgres: %s", strings.TrimPrefix(line, "error: "))
		}
		return nil, fmt.Errorf("embedded postgres: the server process exited (see the lines above; data in %s)", dir)
	case <-time.After(2 * time.Minute):
		_ = e.Stop()
		return nil, errors.New("embedded postgres: not ready after 2 minutes")
	case <-ctx.Done():
		_ = e.Stop()
		return nil, ctx.Err()
	}
}

// Stop stops a server this process started; it does nothing for one found running.
func (e *Embedded) Stop() error {
	if e == nil || e.cmd == nil {
		return nil
	}
	e.stdin.Close()
	select {
	case err := <-e.done:
		return err
	case <-time.After(30 * time.Second):
		_ = e.cmd.Process.Kill()
		return errors.New("embedded postgres: did not stop in 30s; killed")
	}
}

// RunEmbeddedChild is the child side: it runs the server until its stdin
// closes or it receives SIGTERM/SIGINT, printing "ready" once it accepts
// connections.
func RunEmbeddedChild(stdin io.Reader, stdout io.Writer, signals <-chan os.Signal) error {
	dir := os.Getenv("AGORA_PG_DIR")
	port, err := strconv.Atoi(os.Getenv("AGORA_PG_PORT"))
	if dir == "" || err != nil {
		return errors.New("embedded-postgres is started by agora itself")
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintf(stdout, "error: cannot write in %s (%v); run agora as an ordinary user or choose embedded.dir elsewhere\n", dir, err)
		return err
	}
	defer logFile.Close()
	cfg := embeddedpostgres.DefaultConfig().
		Port(uint32(port)).Username("agora").Password(os.Getenv("AGORA_PG_PASSWORD")).Database("agora").
		DataPath(filepath.Join(dir, "data")).RuntimePath(filepath.Join(dir, "runtime")).
		CachePath(filepath.Join(dir, "cache")).Encoding("UTF8").Locale("C").
		StartTimeout(90 * time.Second).Logger(logFile).
		StartParameters(map[string]string{"unix_socket_directories": socketDir(dir)})
	if bin := os.Getenv("AGORA_PG_BINARIES"); bin != "" {
		cfg = cfg.BinariesPath(bin)
	}
	if v := os.Getenv("AGORA_PG_VERSION"); v != "" {
		cfg = cfg.Version(embeddedpostgres.PostgresVersion(v))
	}
	pg := embeddedpostgres.NewDatabase(cfg)
	if err := pg.Start(); err != nil {
		fmt.Fprintf(stdout, "error: %s\n", strings.Join(strings.Fields(err.Error()), " "))
		return err
	}
	fmt.Fprintln(stdout, "ready")
	closed := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, stdin); close(closed) }()
	select {
	case <-closed:
	case <-signals:
	}
	return pg.Stop()
}

func socketDir(dir string) string {
	run := filepath.Join(dir, "run")
	if len(run) > 90 { // a unix socket path must fit in 107 bytes
		return ""
	}
	_ = os.MkdirAll(run, 0o700)
	return run
}

func embeddedPassword(dir string) (string, error) {
	path := filepath.Join(dir, "password")
	if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	pw := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("embedded postgres: %w", err)
	}
	return pw, nil
}

// giveTo gives the data directory to the server's user (the password
// file stays root's).
func giveTo(dir string, pl placement) error {
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || filepath.Base(path) == "password" {
			return err
		}
		return os.Lchown(path, int(pl.cred.Uid), int(pl.cred.Gid))
	})
	if err != nil {
		return fmt.Errorf("embedded postgres: cannot give %s to user %s: %w", dir, pl.user, err)
	}
	return nil
}

// findPostgres returns the installation directory of the newest PostgreSQL
// on this machine (the directory holding bin/pg_ctl), or "" for none.
func findPostgres() string {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		bindir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(bindir, "pg_ctl")); err == nil {
			if _, err := os.Stat(filepath.Join(bindir, "initdb")); err == nil {
				return filepath.Dir(bindir)
			}
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(matches, func(i, j int) bool { return majorOf(matches[i]) > majorOf(matches[j]) })
	for _, m := range matches {
		if _, err := os.Stat(filepath.Join(filepath.Dir(m), "initdb")); err == nil {
			return filepath.Dir(filepath.Dir(m))
		}
	}
	return ""
}

func majorOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

// postgresVersion returns the version in the library's form, so that it
// recognises a data directory made by the same major version and keeps it.
func postgresVersion(installDir string) (string, error) {
	out, err := exec.Command(filepath.Join(installDir, "bin", "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("embedded postgres: %s/bin/postgres --version: %w", installDir, err)
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return "", fmt.Errorf("embedded postgres: cannot read the version of %s", installDir)
	}
	minor := m[2]
	if minor == "" {
		minor = "0"
	}
	return m[1] + "." + minor + ".0", nil
}

func reachable(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	db, err := Open(ctx, url, PoolOptions{MaxOpenConns: 1})
	if err != nil {
		return false
	}
	db.Close()
	return true
}

func orDownload(bin string) string {
	if bin == "" {
		return "(downloaded by embedded-postgres)"
	}
	return bin
}
