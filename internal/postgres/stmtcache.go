package postgres

import (
	"context"
	"database/sql/driver"
	"errors"

	"github.com/lib/pq"
)

// Statement cache. lib/pq sends every query with arguments as an unnamed
// statement: parsed and planned again each time, in two round trips. That
// cost dominated a registration (docs/PERFORMANCE.md). Like pgx, we keep one
// prepared statement per query text and connection, so a repeated query is
// one round trip (Bind/Execute/Sync) and no planning. The queries are
// constants of the code, so the set is small; it is capped all the same.

// maxCachedStatements bounds the statements kept per connection.
const maxCachedStatements = 256

// pqConn is what lib/pq's connection implements and we pass through.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.NamedValueChecker
	driver.SessionResetter
	driver.Validator
	driver.Pinger
}

type cachingConnector struct{ c *pq.Connector }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := cn.(pqConn)
	if !ok {
		return cn, nil
	}
	return &cachingConn{pqConn: pc, stmts: map[string]driver.Stmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.c.Driver() }

// cachingConn is used by one goroutine at a time (database/sql's rule for
// a driver connection), so its map needs no lock.
type cachingConn struct {
	pqConn
	stmts map[string]driver.Stmt
	// inTx is true while a transaction is open on the connection; stale,
	// when the server refused one of its statements during it (see
	// forget); run, what InTx learns of it (nil outside InTx).
	inTx, stale bool
	run         *txRun
}

// txRun is how InTx and the connection running its transaction talk,
// through the context given to BeginTx.
type txRun struct {
	stale bool // set by the connection: the server refused a cached statement
	fresh bool // set by InTx: drop the connection's statements first
}

type txRunKey struct{}

// stmt returns the connection's prepared statement for q, preparing it
// while the cache has room; nil once it is full, and the caller then
// sends q unnamed, as lib/pq does, so that no statement is left prepared
// on the server unused.
func (c *cachingConn) stmt(ctx context.Context, q string) (driver.Stmt, error) {
	if s, ok := c.stmts[q]; ok || len(c.stmts) >= maxCachedStatements {
		return s, nil
	}
	s, err := c.pqConn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = s
	return s, nil
}

// isStalePlan reports whether err is the server refusing a prepared
// statement whose result type a schema change altered ("cached plan must
// not change result type", SQLSTATE 0A000).
func isStalePlan(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "0A000"
}

// forget reacts to a statement the server refused after a schema change.
// The change (a migration, ALTER TABLE) has most likely altered other
// cached statements too, so all of them go and are prepared again on next
// use. Outside a transaction the caller then runs the query unnamed and
// the caller of database/sql sees nothing. Inside one the server has
// already aborted the transaction, so nothing can be retried here: the
// statements are closed once it ends (the server accepts nothing else
// until then), and InTx learns that running the transaction again will do.
func (c *cachingConn) forget(err error) bool {
	if !isStalePlan(err) {
		return false
	}
	if c.inTx {
		c.stale = true
		if c.run != nil {
			c.run.stale = true
		}
		return false
	}
	c.closeStatements()
	return true
}

func (c *cachingConn) closeStatements() {
	for q, s := range c.stmts {
		_ = s.Close()
		delete(c.stmts, q)
	}
}

// BeginTx opens a transaction and follows it, for forget.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	run, _ := ctx.Value(txRunKey{}).(*txRun)
	if run != nil && run.fresh {
		c.closeStatements()
	}
	tx, err := c.pqConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx, c.stale, c.run = true, false, run
	return cachingTx{Tx: tx, c: c}, nil
}

// cachingTx closes the statements the server refused during the
// transaction once it has ended.
type cachingTx struct {
	driver.Tx
	c *cachingConn
}

func (t cachingTx) Commit() error   { return t.end(t.Tx.Commit()) }
func (t cachingTx) Rollback() error { return t.end(t.Tx.Rollback()) }

// end also runs after a failed Commit: lib/pq rolls an aborted
// transaction back and reports it as an error.
func (t cachingTx) end(err error) error {
	t.c.inTx, t.c.run = false, nil
	if t.c.stale {
		t.c.closeStatements()
		t.c.stale = false
	}
	return err
}

func (c *cachingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.pqConn.QueryContext(ctx, q, args)
	}
	s, err := c.stmt(ctx, q)
	if err != nil || s == nil {
		if err != nil {
			return nil, err
		}
		return c.pqConn.QueryContext(ctx, q, args)
	}
	rows, err := s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil && c.forget(err) {
		return c.pqConn.QueryContext(ctx, q, args)
	}
	return rows, err
}

func (c *cachingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.pqConn.ExecContext(ctx, q, args)
	}
	s, err := c.stmt(ctx, q)
	if err != nil || s == nil {
		if err != nil {
			return nil, err
		}
		return c.pqConn.ExecContext(ctx, q, args)
	}
	res, err := s.(driver.StmtExecContext).ExecContext(ctx, args)
	if err != nil && c.forget(err) {
		return c.pqConn.ExecContext(ctx, q, args)
	}
	return res, err
}

func (c *cachingConn) Close() error {
	for _, s := range c.stmts {
		_ = s.Close()
	}
	c.stmts = nil
	return c.pqConn.Close()
}
