package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

func tables(t *testing.T, db interface {
	GetContext(context.Context, any, string, ...any) error
}) int {
	t.Helper()
	var n int
	err := db.GetContext(context.Background(), &n, `
		SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsUpDownUp(t *testing.T) {
	ctx := context.Background()
	db, _ := testdb.Empty(t)
	n, err := postgres.MigrateUp(ctx, db)
	if err != nil || n == 0 {
		t.Fatalf("up on an empty database: applied %d, %v", n, err)
	}
	want := tables(t, db)
	if want == 0 {
		t.Fatal("no tables after migrating up")
	}
	if err := postgres.MigrateReset(ctx, db); err != nil {
		t.Fatalf("down to zero: %v", err)
	}
	if got := tables(t, db); got != 0 {
		t.Fatalf("%d tables left after migrating all the way down", got)
	}
	n2, err := postgres.MigrateUp(ctx, db)
	if err != nil || n2 != n {
		t.Fatalf("up again: applied %d of %d, %v", n2, n, err)
	}
	if got := tables(t, db); got != want {
		t.Fatalf("up again made %d tables, first time %d", got, want)
	}
	if n3, err := postgres.MigrateUp(ctx, db); err != nil || n3 != 0 {
		t.Fatalf("up with nothing pending applied %d, %v", n3, err)
	}
}

// Two processes starting at once must not both apply a migration: each
// has its own connection pool here, as two processes would.
func TestConcurrentMigrations(t *testing.T) {
	ctx := context.Background()
	_, dsn := testdb.Empty(t)
	const runners = 4
	applied := make([]int, runners)
	errs := make([]error, runners)
	var wg sync.WaitGroup
	for i := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{MaxOpenConns: 3})
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = postgres.MigrateUp(ctx, db)
		}()
	}
	wg.Wait()
	total := 0
	for i := range runners {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions int
	if err := db.GetContext(ctx, &versions, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	if total != versions {
		t.Fatalf("runners applied %d migrations in all, the database has %d: some ran twice or not at all", total, versions)
	}
}
