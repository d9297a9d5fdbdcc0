package postgres

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// SharedDataDir holds the embedded server's data when we are root and the
// configured directory is closed to the user the server runs as: one
// directory per configured directory, named after its path
// (/root/agora/var → /var/lib/agora/root-agora-var).
const SharedDataDir = "/var/lib/agora"

// placement says where the embedded server keeps its files and as whom it
// runs.
type placement struct {
	home  string              // the data is in home/pg
	cred  *syscall.Credential // nil: the server runs as this process
	user  string              // the name behind cred
	moved string              // why home is not the configured directory; "" when it is
}

// place decides where the embedded server's data lives. As an ordinary
// user, in the configured directory. As root, the server runs as the
// postgres (or nobody) user, who must walk down to its data: the
// configured directory when it can, else a directory of its own under
// SharedDataDir — so that `make run` works from root's private checkout.
func place(configured string) (placement, error) {
	home, err := filepath.Abs(configured)
	if err != nil {
		return placement{}, fmt.Errorf("embedded postgres: %w", err)
	}
	if os.Geteuid() != 0 {
		if err := os.MkdirAll(home, 0o755); err != nil {
			return placement{}, fmt.Errorf("embedded postgres: cannot create %s: %w", home, err)
		}
		return placement{home: home}, nil
	}
	u, err := serverUser()
	if err != nil {
		return placement{}, err
	}
	pl := placement{home: home, cred: u.cred, user: u.name}
	if blocked := closedTo(home, u.cred); blocked != "" {
		pl.home = filepath.Join(SharedDataDir, pathName(home))
		pl.moved = fmt.Sprintf("user %s cannot enter %s, and PostgreSQL refuses to run as root", u.name, blocked)
	}
	if err := mkdirOpen(pl.home); err != nil {
		if pl.moved != "" {
			return placement{}, fmt.Errorf("%w (%s); set embedded.dir to a directory it can enter, or DATABASE_URL", err, pl.moved)
		}
		return placement{}, err
	}
	return pl, nil
}

// mkdirOpen creates dir and the directories above it that are missing,
// each enterable by everyone (whatever the umask): the server's user must
// walk through them.
func mkdirOpen(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := mkdirOpen(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("embedded postgres: cannot create %s: %w", dir, err)
	}
	return os.Chmod(dir, 0o755)
}

type serverIdentity struct {
	name string
	cred *syscall.Credential
}

// serverUser is the identity the server runs under when we are root.
func serverUser() (serverIdentity, error) {
	for _, name := range []string{"postgres", "nobody"} {
		if u, err := user.Lookup(name); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			return serverIdentity{name, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
		}
	}
	return serverIdentity{}, errors.New("embedded postgres: running as root needs a 'postgres' or 'nobody' user to run the server as")
}

// closedTo returns the first existing directory on the way down to path
// (path included) that cred may not enter, or "" when it may walk all of
// them. It reads the mode bits only (no ACLs, no supplementary groups),
// which errs towards moving the data.
func closedTo(path string, cred *syscall.Credential) string {
	var dirs []string
	for d := path; ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		st, err := os.Stat(dirs[i])
		if err != nil {
			break // missing: mkdirOpen creates it open
		}
		if !allowed(st, cred, 0o1) {
			return dirs[i]
		}
	}
	return ""
}

// allowed reports whether cred has the permission bit (1 execute, 4 read)
// on the file, going by its owner, group and mode.
func allowed(st os.FileInfo, cred *syscall.Credential, bit os.FileMode) bool {
	perm := st.Mode().Perm()
	sys, ok := st.Sys().(*syscall.Stat_t)
	switch {
	case ok && sys.Uid == cred.Uid:
		return perm&(bit<<6) != 0
	case ok && sys.Gid == cred.Gid:
		return perm&(bit<<3) != 0
	default:
		return perm&bit != 0
	}
}

// pathName names a directory after its absolute path, as one file name.
func pathName(abs string) string {
	name := strings.Map(func(r rune) rune {
		if r == '/' || r < ' ' {
			return '-'
		}
		return r
	}, strings.Trim(abs, "/"))
	if name == "" {
		return "root"
	}
	return name
}

// executable returns the binary the server's child process runs: this
// one, or — when the server's user cannot reach it (bin/agora inside a
// private checkout, a `go run` build) — a copy of it in pl.home.
func (pl placement) executable() (string, error) {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		return "", fmt.Errorf("embedded postgres: %w", err)
	}
	if pl.cred == nil {
		return self, nil
	}
	st, err := os.Stat(self)
	if err != nil {
		return "", fmt.Errorf("embedded postgres: %w", err)
	}
	if closedTo(filepath.Dir(self), pl.cred) == "" && allowed(st, pl.cred, 0o1) {
		return self, nil
	}
	cp := filepath.Join(pl.home, "agora-embedded-postgres")
	if old, err := os.Stat(cp); err == nil && old.Size() == st.Size() && old.ModTime().Equal(st.ModTime()) {
		return cp, nil
	}
	if err := copyExecutable(self, cp, st); err != nil {
		return "", fmt.Errorf("embedded postgres: the server's user cannot run %s, and copying it failed: %w", self, err)
	}
	return cp, nil
}

// copyExecutable copies src to dst through a temporary file renamed into
// place, so that a copy a running server executes is never rewritten.
func copyExecutable(src, dst string, st os.FileInfo) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".agora-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return err
	}
	if err := os.Chtimes(tmp.Name(), st.ModTime(), st.ModTime()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
