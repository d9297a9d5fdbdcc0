package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

// readGuest reads a row with SELECT *, whose result type a column change
// alters: the server refuses the cached plan (SQLSTATE 0A000).
func readGuest(ctx context.Context, q sqlx.QueryerContext, id int) (map[string]any, error) {
	row := map[string]any{}
	err := q.QueryRowxContext(ctx, `SELECT * FROM guests WHERE id = $1`, id).MapScan(row)
	return row, err
}

// One connection, so the statement the column change invalidates is the
// one the next read uses, outside and inside a transaction.
func TestStatementCacheAfterAColumnChange(t *testing.T) {
	ctx := context.Background()
	_, dsn := testdb.Empty(t)
	db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{MaxOpenConns: 1, MaxIdleConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.MustExecContext(ctx, `CREATE TABLE guests (id int PRIMARY KEY, name text NOT NULL)`)
	db.MustExecContext(ctx, `INSERT INTO guests VALUES (1, 'Çağrı Şahin')`)
	if _, err := readGuest(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	var prepared int
	if err := db.GetContext(ctx, &prepared, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM guests%'`); err != nil || prepared != 1 {
		t.Fatalf("the read should be a cached prepared statement: %d (%v)", prepared, err)
	}

	db.MustExecContext(ctx, `ALTER TABLE guests ADD COLUMN country text NOT NULL DEFAULT 'TR'`)
	row, err := readGuest(ctx, db, 1)
	if err != nil || fmt.Sprint(row["country"]) != "TR" {
		t.Fatalf("outside a transaction, after ADD COLUMN: %v %v", row, err)
	}

	if _, err := readGuest(ctx, db, 1); err != nil { // cached again, in the new shape
		t.Fatal(err)
	}

	db.MustExecContext(ctx, `ALTER TABLE guests ALTER COLUMN id TYPE bigint`)
	runs := 0
	err = postgres.InTx(ctx, db, func(tx *sqlx.Tx) error {
		runs++
		row, err = readGuest(ctx, tx, 1)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE guests SET name = $1 WHERE id = $2`, "Ștefan Țăran", 1)
		return err
	})
	if err != nil || runs != 2 {
		t.Fatalf("inside a transaction, after ALTER TYPE: %v (function run %d times, want twice)", err, runs)
	}
	if _, ok := row["id"].(int64); !ok {
		t.Errorf("the retried read still sees the old row type: %#v", row)
	}
	var name string
	if err := db.GetContext(ctx, &name, `SELECT name FROM guests WHERE id = 1`); err != nil || name != "Ștefan Țăran" {
		t.Errorf("the retried transaction did not commit its write: %q %v", name, err)
	}

	// The transaction that failed dropped the statements, and the next
	// ones prepared them again.
	if err := db.GetContext(ctx, &prepared, `SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM guests%'`); err != nil || prepared != 1 {
		t.Errorf("prepared reads after the change: %d (%v), want 1", prepared, err)
	}
}

// Readers outside and inside transactions on a pool of connections while
// the table they read with SELECT * changes shape several times: none of
// them sees an error, and every one ends up reading the new columns.
func TestStatementCacheUnderLoadWhileColumnsChange(t *testing.T) {
	ctx := context.Background()
	ddl, dsn := testdb.Empty(t)
	db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{MaxOpenConns: 4, MaxIdleConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ddl.MustExecContext(ctx, `CREATE TABLE guests (id int PRIMARY KEY, name text NOT NULL, visits int NOT NULL DEFAULT 0)`)
	ddl.MustExecContext(ctx, `INSERT INTO guests (id, name) SELECT g, 'guest ' || g FROM generate_series(1, 20) g`)

	const workers = 6
	var (
		done    = make(chan struct{})
		wg      sync.WaitGroup
		rounds  [workers]atomic.Int64
		lastSaw [workers]atomic.Int64 // columns in the last row read
		errs    = make(chan error, workers)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				id := 1 + (w+i)%20
				var row map[string]any
				var err error
				if w%2 == 0 {
					row, err = readGuest(ctx, db, id)
				} else {
					err = postgres.InTx(ctx, db, func(tx *sqlx.Tx) error {
						if row, err = readGuest(ctx, tx, id); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, `UPDATE guests SET visits = visits + 1 WHERE id = $1`, id)
						return err
					})
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d (in a transaction: %v): %w", w, w%2 == 1, err)
					return
				}
				lastSaw[w].Store(int64(len(row)))
				rounds[w].Add(1)
			}
		}()
	}
	// waitRounds lets every worker read n more times.
	waitRounds := func(n int64) {
		t.Helper()
		var from [workers]int64
		for w := range workers {
			from[w] = rounds[w].Load()
		}
		deadline := time.Now().Add(30 * time.Second)
		for w := range workers {
			for rounds[w].Load() < from[w]+n {
				select {
				case err := <-errs:
					close(done)
					wg.Wait()
					t.Fatal(err)
				default:
				}
				if time.Now().After(deadline) {
					close(done)
					wg.Wait()
					t.Fatalf("worker %d stalled", w)
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	waitRounds(20)
	for _, change := range []struct {
		sql     string
		columns int64
	}{
		{`ALTER TABLE guests ADD COLUMN country text NOT NULL DEFAULT 'PL'`, 4},
		{`ALTER TABLE guests ALTER COLUMN visits TYPE bigint`, 4},
		{`ALTER TABLE guests ADD COLUMN language text NOT NULL DEFAULT 'en'`, 5},
		{`ALTER TABLE guests DROP COLUMN country`, 4},
	} {
		ddl.MustExecContext(ctx, change.sql)
		waitRounds(20)
		for w := range workers {
			if got := lastSaw[w].Load(); got != change.columns {
				t.Errorf("after %q worker %d reads %d columns, want %d", change.sql, w, got, change.columns)
			}
		}
	}
	close(done)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// InTx's second run may land on another connection whose statements the
// schema change made stale too (the first one was taken meanwhile): the
// run marked fresh drops them before it begins, so it cannot fail the
// same way again.
func TestFreshTransactionDropsStaleStatements(t *testing.T) {
	ctx := context.Background()
	_, dsn := testdb.Empty(t)
	db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{MaxOpenConns: 2, MaxIdleConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.MustExecContext(ctx, `CREATE TABLE guests (id int PRIMARY KEY, name text NOT NULL)`)
	db.MustExecContext(ctx, `INSERT INTO guests VALUES (1, 'Ελένη')`)
	conn, err := db.Connx(ctx) // the stale connection, pinned
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func(fresh bool) error {
		txCtx := ctx
		if fresh {
			txCtx = postgres.FreshTx(ctx)
		}
		tx, err := conn.BeginTxx(txCtx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // read only
		_, err = readGuest(ctx, tx, 1)
		return err
	}
	for _, c := range []struct {
		change string
		fresh  bool
	}{
		{`ALTER TABLE guests ADD COLUMN country text`, false},
		{`ALTER TABLE guests ADD COLUMN language text`, true},
	} {
		if err := read(false); err != nil { // cached in the table's current shape
			t.Fatal(err)
		}
		db.MustExecContext(ctx, c.change) // on the pool's other connection
		err := read(c.fresh)
		if c.fresh && err != nil || !c.fresh && !postgres.IsStalePlan(err) {
			t.Errorf("after %q, a transaction (fresh: %v) reads: %v", c.change, c.fresh, err)
		}
	}
}
