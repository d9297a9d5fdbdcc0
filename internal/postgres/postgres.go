// Package postgres opens the database, applies migrations and runs
// transactions. It also starts an embedded PostgreSQL server when no
// DATABASE_URL is configured (see embedded.go).
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// PoolOptions sizes the connection pool.
type PoolOptions struct {
	MaxOpenConns     int
	MaxIdleConns     int
	ConnMaxLifetime  time.Duration
	StatementTimeout time.Duration
}

// Open connects to the database at dsn and checks that it answers.
func Open(ctx context.Context, dsn string, opt PoolOptions) (*sqlx.DB, error) {
	dsn, err := withRuntimeParams(dsn, opt.StatementTimeout)
	if err != nil {
		return nil, err
	}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(cachingConnector{connector}), "postgres")
	if opt.MaxOpenConns > 0 {
		db.SetMaxOpenConns(opt.MaxOpenConns)
	}
	db.SetMaxIdleConns(opt.MaxIdleConns)
	db.SetConnMaxLifetime(opt.ConnMaxLifetime)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: cannot reach the database: %w", err)
	}
	return db, nil
}

// withRuntimeParams adds settings every session should have, unless the URL
// already sets them.
func withRuntimeParams(dsn string, statementTimeout time.Duration) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("postgres: bad database URL")
	}
	q := u.Query()
	if q.Get("sslmode") == "" && isLocal(u.Hostname()) {
		q.Set("sslmode", "disable")
	}
	if q.Get("statement_timeout") == "" && statementTimeout > 0 {
		q.Set("statement_timeout", fmt.Sprint(statementTimeout.Milliseconds()))
	}
	if q.Get("application_name") == "" {
		q.Set("application_name", "agora")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func isLocal(host string) bool {
	return host == "" || host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// InTx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise (and on panic).
//
// When the transaction failed because the server refused one of the
// connection's cached statements after a schema change (a migration run by
// another process, say: see forget in stmtcache.go), fn runs once more in
// a new transaction, on a connection whose statements are dropped first
// and so prepared afresh. So fn may run twice: it must write only through
// tx and set what it returns afresh on each run.
func InTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	run := &txRun{}
	err := inTx(context.WithValue(ctx, txRunKey{}, run), db, fn)
	if err != nil && run.stale {
		err = inTx(context.WithValue(ctx, txRunKey{}, &txRun{fresh: true}), db, fn)
	}
	return err
}

// inTx runs fn in one transaction. db.BeginTxx, unlike a transaction begun
// on a connection taken from the pool, moves to another connection when
// the first one turns out to be dead (after a database restart).
func inTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation,
// optionally of the named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" {
		return false
	}
	return constraint == "" || pqErr.Constraint == constraint
}

// IsUnavailable reports whether err means the database cannot serve the
// request now but may in a moment: it cannot be reached (connection refused
// or lost, server shutting down), or it rolled the transaction back to
// break a deadlock or a serialisation conflict. Either way the request
// wrote nothing and trying again is right, unlike a query fault.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	// A connection lost in the middle of a transaction (the server was
	// stopped or restarted) reaches us as driver.ErrBadConn: database/sql
	// retries it on a new connection only outside a transaction.
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		class := string(pqErr.Code)[:2]
		// connection, operator intervention, resources, transaction rollback (40001, 40P01)
		return class == "08" || class == "57" || class == "53" || class == "40"
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) {
		return true
	}
	return errors.Is(err, pq.ErrSSLNotSupported) || isConnRefused(err)
}
