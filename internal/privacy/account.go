package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

// ErrLastAdmin refuses to erase the last administrator's account: Agora
// would be left without anyone to administer it.
var ErrLastAdmin = apperr.New(apperr.Conflict, apperr.M("err.erase_last_admin"))

type account struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Role string `db:"role"`
}

// lockAccount locks every admin's row, then the account with the address,
// in the order auth uses (so the two never deadlock), and refuses when it
// is the last admin. It returns nil when there is no such account.
func lockAccount(ctx context.Context, tx *sqlx.Tx, email string) (*account, error) {
	var adminIDs []int64
	if err := tx.SelectContext(ctx, &adminIDs, `SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`); err != nil {
		return nil, fmt.Errorf("privacy: lock admins: %w", err)
	}
	var a account
	err := tx.GetContext(ctx, &a, `SELECT id, name, role FROM users WHERE lower(email) = $1 FOR UPDATE`, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("privacy: account of the address: %w", err)
	}
	if a.Role == auth.RoleAdmin && len(adminIDs) <= 1 {
		return nil, ErrLastAdmin
	}
	return &a, nil
}

// eraseAccount deletes the account's tokens and reset links, then the
// account itself, unless something names it as an author: then it is
// anonymised instead, so history still tells one author from another.
func eraseAccount(ctx context.Context, tx *sqlx.Tx, a account) (outcome string, tokens, resets int, err error) {
	if tokens, err = exec(ctx, tx, `DELETE FROM api_tokens WHERE user_id = $1`, a.ID); err != nil {
		return "", 0, 0, fmt.Errorf("privacy: delete tokens: %w", err)
	}
	if resets, err = exec(ctx, tx, `DELETE FROM password_resets WHERE user_id = $1`, a.ID); err != nil {
		return "", 0, 0, fmt.Errorf("privacy: delete reset links: %w", err)
	}
	audited, err := inAuditTrail(ctx, tx, a.ID)
	if err != nil {
		return "", 0, 0, err
	}
	if !audited {
		deleted, err := deleteUnlessReferenced(ctx, tx, a.ID)
		if err != nil {
			return "", 0, 0, err
		}
		if deleted {
			return "deleted", tokens, resets, nil
		}
	}
	// An admin is made secretariat: an account nobody can sign in to must
	// not count as the admin that lets the last real one be removed.
	_, err = tx.ExecContext(ctx, `
		UPDATE users SET email = 'erased-user-' || id || '@invalid', name = $2, password_hash = $3,
			role = CASE WHEN role = 'admin' THEN 'secretariat' ELSE role END, updated_at = now()
		WHERE id = $1`, a.ID, erasedUserName, unusablePassword)
	if err != nil {
		return "", 0, 0, fmt.Errorf("privacy: anonymise account %d: %w", a.ID, err)
	}
	return "anonymised", tokens, resets, nil
}

// deleteUnlessReferenced deletes the account unless a foreign key keeps it
// (meetings, agenda changes, invitations or registrations it made, or any
// table added later); a savepoint keeps the transaction usable either way.
func deleteUnlessReferenced(ctx context.Context, tx *sqlx.Tx, id int64) (bool, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT erase_account`); err != nil {
		return false, fmt.Errorf("privacy: savepoint: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23503" { // foreign_key_violation
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT erase_account`); err != nil {
			return false, fmt.Errorf("privacy: rollback to savepoint: %w", err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("privacy: delete account %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT erase_account`); err != nil {
		return false, fmt.Errorf("privacy: release savepoint: %w", err)
	}
	return true, nil
}

// inAuditTrail reports whether the audit trail names the account. The
// trail keeps user ids without a foreign key (it outlives accounts), so
// the delete would not be refused; the account row is kept, anonymised, so
// that the trail still tells one author from another. A database without
// the trail's table simply has no such reference.
func inAuditTrail(ctx context.Context, tx *sqlx.Tx, id int64) (bool, error) {
	var exists, found bool
	if err := tx.GetContext(ctx, &exists, `SELECT to_regclass('audit_log') IS NOT NULL`); err != nil {
		return false, fmt.Errorf("privacy: audit trail table: %w", err)
	}
	if !exists {
		return false, nil
	}
	if err := tx.GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM audit_log WHERE user_id = $1)`, id); err != nil {
		return false, fmt.Errorf("privacy: account in the audit trail: %w", err)
	}
	return found, nil
}
