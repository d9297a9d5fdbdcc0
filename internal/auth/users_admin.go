package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/postgres"
)

// Errors of account administration that pages word in their own language.
var (
	// ErrNotAdmin refuses account administration to anyone but an admin.
	ErrNotAdmin = apperr.New(apperr.Forbidden, apperr.M("err.admin_only"))
	// ErrLastAdmin keeps at least one administrator.
	ErrLastAdmin = apperr.New(apperr.Conflict, apperr.M("err.last_admin"))
	// ErrUserInHistory refuses to delete an account that the history of
	// meetings, invitations or registrations names as an author.
	ErrUserInHistory = apperr.New(apperr.Conflict, apperr.M("err.user_in_history"))
)

// CanAdministerUsers is the policy for creating accounts and changing their
// role, state, language, or deleting them: admins only.
func CanAdministerUsers(a Actor) bool { return a.Is(RoleAdmin) }

// Roles lists the roles an account can have, most powerful first.
var Roles = []string{RoleAdmin, RoleSecretariat, RoleFocalPoint}

// UserChange is what an admin may change about an account.
type UserChange struct {
	Role     string
	State    string // for focal points only
	Language string
}

// Users lists every account: admins, then the secretariat, then focal
// points by state; by name within each.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	users := []User{}
	err := s.db.SelectContext(ctx, &users, `SELECT `+userColumns+` FROM users
		ORDER BY array_position(ARRAY['admin', 'secretariat', 'focal_point'], role), coalesce(state_code, organisation_code) NULLS FIRST, lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	return users, nil
}

// AddUser creates an account on an admin's (or the command line's)
// behalf, and records it in the audit trail.
func (s *Store) AddUser(ctx context.Context, a Actor, n NewUser) (User, error) {
	if !CanAdministerUsers(a) {
		return User{}, ErrNotAdmin
	}
	var u User
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if u, err = createUser(ctx, tx, n); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "user.create", SubjectType: "user", SubjectID: u.ID,
			Details: map[string]any{"role": u.Role}})
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// ChangeUser changes an account's role, state and language. Only admins
// may; the last admin keeps the role. The admins' rows are locked first, so
// two admins demoting each other at once cannot both succeed.
func (s *Store) ChangeUser(ctx context.Context, a Actor, id int64, ch UserChange) (User, error) {
	if !CanAdministerUsers(a) {
		return User{}, ErrNotAdmin
	}
	ch.State = strings.ToUpper(strings.TrimSpace(ch.State))
	if ch.Role != RoleFocalPoint {
		ch.State = "" // only focal points are bound to a state
	}
	// The rules of a new account apply, bar those on email, name and password.
	check := NewUser{Email: "x@example.org", Name: "x", Role: ch.Role, State: ch.State, Language: ch.Language,
		Password: strings.Repeat("x", MinPasswordLength)}
	if err := check.Validate(); err != nil {
		return User{}, err
	}
	var u User
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, admins, err := lockForChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Role == RoleAdmin && ch.Role != RoleAdmin && admins <= 1 {
			return ErrLastAdmin
		}
		stateCode, orgCode, err := binding(ctx, tx, ch.State)
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &u, `
			UPDATE users SET role = $2, state_code = $3, organisation_code = $5, language = $4, updated_at = now()
			WHERE id = $1 RETURNING `+userColumns, id, ch.Role, stateCode, ch.Language, orgCode)
		if err != nil {
			return fmt.Errorf("auth: change user %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "user.update", SubjectType: "user", SubjectID: id,
			Details: map[string]any{"role": u.Role}})
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// DeleteUser deletes an account (its API tokens and reset links go with
// it; its sessions end at their next request). Only admins may; the last
// admin stays, and so does an account the history names.
func (s *Store) DeleteUser(ctx context.Context, a Actor, id int64) error {
	if !CanAdministerUsers(a) {
		return ErrNotAdmin
	}
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		cur, admins, err := lockForChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Role == RoleAdmin && admins <= 1 {
			return ErrLastAdmin
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23503" { // foreign_key_violation
			return ErrUserInHistory
		}
		if err != nil {
			return fmt.Errorf("auth: delete user %d: %w", id, err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "user.delete", SubjectType: "user", SubjectID: id,
			Details: map[string]any{"role": cur.Role}})
	})
}

// lockForChange locks every admin's row, then the account's, and returns
// the account and how many admins there are.
func lockForChange(ctx context.Context, tx *sqlx.Tx, id int64) (User, int, error) {
	var adminIDs []int64
	if err := tx.SelectContext(ctx, &adminIDs, `SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`); err != nil {
		return User{}, 0, fmt.Errorf("auth: lock admins: %w", err)
	}
	var u User
	err := tx.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, 0, apperr.New(apperr.NotFound, apperr.M("err.no_account"))
	}
	if err != nil {
		return User{}, 0, fmt.Errorf("auth: user %d: %w", id, err)
	}
	return u, len(adminIDs), nil
}
