package postgres

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

// The web layer answers 503 (try again) for these errors and 500 for the
// others, so a database restart must land on the first side.
func TestIsUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection lost inside a transaction", fmt.Errorf("mail: enqueue: %w", driver.ErrBadConn), true},
		{"commit on a lost connection", fmt.Errorf("postgres: commit: %w", driver.ErrBadConn), true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"server shutting down", &pq.Error{Code: "57P01"}, true},
		{"server starting up", &pq.Error{Code: "57P03"}, true},
		{"connection done", sql.ErrConnDone, true},
		{"deadlock broken by the server", fmt.Errorf("registration: cancel: %w", &pq.Error{Code: "40P01"}), true},
		{"serialisation failure", &pq.Error{Code: "40001"}, true},
		{"no rows", sql.ErrNoRows, false},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"syntax error", &pq.Error{Code: "42601"}, false},
		{"other", errors.New("template: no such field"), false},
		{"nil", nil, false},
	} {
		if got := IsUnavailable(tc.err); got != tc.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
