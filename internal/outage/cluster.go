package outage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/postgres"
)

// Cluster is a private PostgreSQL server made with the installed binaries
// (initdb, pg_ctl) in a directory of its own, so a test may stop and start
// it without disturbing the shared server other tests use. As root, the
// server runs as the "postgres" (or "nobody") user, since PostgreSQL
// refuses to run as root.
type Cluster struct {
	Port int
	dir  string // holds data/ and server.log
	bin  string // the directory of pg_ctl
	cred *syscall.Credential
}

// NewCluster initialises a cluster on port in a new temporary directory
// and starts it. Durability settings are relaxed (fsync off): the tests
// stop the server, never the machine, so committed data survives even an
// immediate shutdown.
func NewCluster(port int) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "agora-outage-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Port: port, dir: dir, bin: bin}
	if err := os.Chmod(dir, 0o755); err != nil { // the server's user must reach its data
		return nil, errors.Join(err, c.remove())
	}
	if os.Geteuid() == 0 {
		if c.cred, err = serverUser(); err != nil {
			return nil, errors.Join(err, c.remove())
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, errors.Join(err, c.remove())
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync"); err != nil {
		return nil, errors.Join(err, c.remove())
	}
	conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"+
		"fsync = off\nfull_page_writes = off\nmax_connections = 100\n", port)
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return nil, errors.Join(err, c.remove())
	}
	if err := c.Start(); err != nil {
		return nil, errors.Join(err, c.remove())
	}
	return c, nil
}

// URL is the connection URL of database name on the cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, name)
}

// CreateDatabase creates an empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	db, err := postgres.Open(ctx, c.URL("postgres"), postgres.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return c.URL(name), nil
}

// Open connects to database name with a small pool of its own.
func (c *Cluster) Open(ctx context.Context, name string) (*sqlx.DB, error) {
	return postgres.Open(ctx, c.URL(name), postgres.PoolOptions{MaxOpenConns: 4, MaxIdleConns: 2})
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() error {
	return c.run("pg_ctl", "start", "-w", "-t", "60", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"))
}

// Stop stops the server in mode "smart", "fast" (disconnect clients,
// roll back their transactions) or "immediate" (abort, as a crash would;
// the next start recovers from the WAL), and waits until it is gone.
func (c *Cluster) Stop(mode string) error {
	return c.run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", c.data())
}

// Close stops the server, if running, and removes its files.
func (c *Cluster) Close() error {
	var err error
	if _, statErr := os.Stat(filepath.Join(c.data(), "postmaster.pid")); statErr == nil {
		err = c.Stop("immediate")
	}
	return errors.Join(err, c.remove())
}

// Log is the server's log so far, for failure messages.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
	return string(b)
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) remove() error { return os.RemoveAll(c.dir) }

// run runs one of the server's programs as the server's user.
func (c *Cluster) run(program string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, program), args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LANG=C", "HOME=" + c.dir}
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	// pg_ctl start leaves the server running with our pipes as its output
	// unless told otherwise (-l): collect the output in a file, not a pipe,
	// so that waiting for pg_ctl does not wait for the server.
	out, err := os.CreateTemp("", "agora-outage-pgctl-")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", program, err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		err = errors.Join(errors.New("timed out after 2 minutes"), <-done)
	}
	if err != nil {
		b, _ := os.ReadFile(out.Name())
		return fmt.Errorf("%s %s: %w\n%s", program, strings.Join(args, " "), err, b)
	}
	return nil
}

// binDir returns the bin directory of the newest installed PostgreSQL
// that has initdb and pg_ctl (Debian: /usr/lib/postgresql/<major>/bin).
func binDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); hasServer(d) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return n }
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server installed (initdb and pg_ctl under /usr/lib/postgresql/*/bin)")
}

func hasServer(dir string) bool {
	for _, p := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

// serverUser is the identity the server runs under when we are root.
func serverUser() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
		}
	}
	return nil, errors.New("running as root needs a 'postgres' or 'nobody' user to run PostgreSQL as")
}
