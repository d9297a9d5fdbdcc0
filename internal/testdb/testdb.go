// Package testdb gives tests a fresh, real PostgreSQL database each: it
// connects to DATABASE_URL (or the local server on 127.0.0.1:5432), builds
// a migrated, seeded template database once, and copies it per test, which
// takes a few milliseconds. Databases are dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/migrations"
)

// AdminURL is the server the tests use: DATABASE_URL, else the local one.
func AdminURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// URLFor returns AdminURL with the database name replaced.
func URLFor(name string) string {
	u, err := url.Parse(AdminURL())
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// New returns a fresh migrated database with the roster, and its URL.
func New(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	return create(t, templateName(t))
}

// Empty returns a fresh database with no schema at all, and its URL.
func Empty(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	return create(t, "template0")
}

func create(t testing.TB, template string) (*sqlx.DB, string) {
	t.Helper()
	ctx := context.Background()
	admin := adminDB(t)
	defer admin.Close()
	name := "agora_test_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	dsn := URLFor(name)
	db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{MaxOpenConns: 20, MaxIdleConns: 5})
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		a := adminDB(t)
		defer a.Close()
		if _, err := a.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
		}
	})
	return db, dsn
}

func adminDB(t testing.TB) *sqlx.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), AdminURL(), postgres.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("testdb: no PostgreSQL for the tests (set DATABASE_URL or start the local server): %v", err)
	}
	return db
}

// templateName makes sure the template for the current migrations exists
// and returns its name. Its name carries a hash of the migrations, so a
// changed schema gets a new template; an advisory lock keeps test packages
// running in parallel from building it twice.
func templateName(t testing.TB) string {
	t.Helper()
	name := "agora_tpl_" + migrationsHash()[:12]
	ctx := context.Background()
	admin := adminDB(t)
	defer admin.Close()
	conn, err := admin.Connx(ctx)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727274)`); err != nil {
		t.Fatalf("testdb: lock: %v", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(727274)`) //nolint:errcheck
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, name); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	if exists {
		return name
	}
	building := name + "_wip"
	_, _ = conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0`, building)); err != nil {
		t.Fatalf("testdb: create template: %v", err)
	}
	db, err := postgres.Open(ctx, URLFor(building), postgres.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	if _, err := postgres.MigrateUp(ctx, db); err != nil {
		t.Fatalf("testdb: migrate template: %v", err)
	}
	if _, err := state.NewStore(db).SeedRoster(ctx); err != nil {
		t.Fatalf("testdb: seed template: %v", err)
	}
	db.Close()
	for _, q := range []string{
		fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name),
		fmt.Sprintf(`ALTER DATABASE %s IS_TEMPLATE true`, name),
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("testdb: %s: %v", q, err)
		}
	}
	return name
}

func migrationsHash() string {
	h := sha256.New()
	names, _ := fs.Glob(migrations.FS, "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
