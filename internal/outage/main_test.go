package outage

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/proctest"
)

var (
	smtpDown = flag.Duration("outage.smtp-down", 60*time.Second,
		"how long Mailpit stays down in TestSMTPOutageDuringInvitationRun")
	pgDown = flag.Duration("outage.pg-down", 3*time.Second,
		"how long PostgreSQL stays down in the database scenarios")
)

// agoraBin is the agora binary, built once for the package by TestMain.
var agoraBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "agora-outage-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	agoraBin, err = proctest.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// privateCluster starts a PostgreSQL cluster of t's own with an empty
// database "agora" and returns it, that database's URL and a connection
// to it for the test's checks. The cluster is removed when t ends.
func privateCluster(t *testing.T) (*Cluster, string, *sqlx.DB) {
	t.Helper()
	c, err := NewCluster(proctest.FreePort(t))
	if err != nil {
		t.Fatalf("private PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("private PostgreSQL: %v", err)
		}
	})
	ctx := context.Background()
	dsn, err := c.CreateDatabase(ctx, "agora")
	if err != nil {
		t.Fatal(err)
	}
	db, err := c.Open(ctx, "agora")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return c, dsn, db
}

// eventually polls cond every interval until it returns true, failing t
// with what (and cond's last report) after timeout. It bounds a wait; it
// does not judge speed.
func eventually(t *testing.T, timeout, interval time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, report := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s (%s)", what, timeout, report)
		}
		time.Sleep(interval)
	}
}
