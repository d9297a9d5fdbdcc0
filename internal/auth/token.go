package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/postgres"
)

// tokenPrefix marks Agora API tokens so that they are recognisable in a
// leaked file (and by secret scanners).
const tokenPrefix = "agora_"

// Token describes an API token; the secret itself is never stored.
type Token struct {
	ID         int64      `db:"id" json:"id"`
	UserID     int64      `db:"user_id" json:"user_id"`
	Name       string     `db:"name" json:"name"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
}

// HashToken returns the stored form of a token secret.
func HashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// CreateToken makes a new token for the account with this email and returns
// its secret, which is shown once and never stored. Only admins (and the
// command line) may; the audit trail records it.
func (s *Store) CreateToken(ctx context.Context, a Actor, email, name string) (string, Token, error) {
	if !CanAdministerUsers(a) {
		return "", Token{}, ErrNotAdmin
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return "", Token{}, err
	}
	if len(name) > 100 || strings.ContainsAny(name, "\r\n\x00") {
		return "", Token{}, apperr.InvalidField("name", apperr.M("err.one_line_max", "N", 100))
	}
	raw := make([]byte, 32) // 256 bits
	if _, err := rand.Read(raw); err != nil {
		return "", Token{}, fmt.Errorf("auth: token: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	var t Token
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &t, `
			INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3)
			RETURNING id, user_id, name, created_at, last_used_at, revoked_at`, u.ID, name, HashToken(secret))
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "token.create", SubjectType: "user", SubjectID: t.UserID,
			Details: map[string]any{"token_id": t.ID}})
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// Tokens lists the tokens of the account with this email.
func (s *Store) Tokens(ctx context.Context, email string) ([]Token, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	var ts []Token
	err = s.db.SelectContext(ctx, &ts, `
		SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
		WHERE user_id = $1 ORDER BY id`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken revokes a token given by its id or by its secret. Only
// admins (and the command line) may; the audit trail records it.
func (s *Store) RevokeToken(ctx context.Context, a Actor, idOrSecret string) (Token, error) {
	if !CanAdministerUsers(a) {
		return Token{}, ErrNotAdmin
	}
	var t Token
	query := `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE `
	var arg any
	if id, err := strconv.ParseInt(idOrSecret, 10, 64); err == nil {
		query, arg = query+`id = $1`, id
	} else if strings.HasPrefix(idOrSecret, tokenPrefix) {
		query, arg = query+`token_hash = $1`, HashToken(idOrSecret)
	} else {
		return Token{}, apperr.New(apperr.Invalid, apperr.M("err.token_ref"))
	}
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &t, query+` RETURNING id, user_id, name, created_at, last_used_at, revoked_at`, arg)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, apperr.M("err.no_token"))
		}
		if err != nil {
			return fmt.Errorf("auth: revoke token: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "token.revoke", SubjectType: "user", SubjectID: t.UserID,
			Details: map[string]any{"token_id": t.ID}})
	})
	if err != nil {
		return Token{}, err
	}
	return t, nil
}

// Authenticate returns the account a bearer token belongs to. Unknown,
// malformed and revoked tokens are all Unauthorized, with the same message.
func (s *Store) Authenticate(ctx context.Context, secret string) (User, error) {
	denied := apperr.New(apperr.Unauthorized, apperr.M("err.token_invalid"))
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 200 {
		return User{}, denied
	}
	var row struct {
		User
		TokenID  int64      `db:"token_id"`
		LastUsed *time.Time `db:"last_used_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT t.id AS token_id, t.last_used_at, u.id, u.email, u.name, u.role, u.state_code, u.organisation_code,
			coalesce(u.state_code, u.organisation_code) AS invitee, u.language, u.password_hash, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, HashToken(secret))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, denied
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: authenticate: %w", err)
	}
	// Record use at most once a minute: one write per request would cost more
	// than the request itself.
	if row.LastUsed == nil || time.Since(*row.LastUsed) > time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, row.TokenID); err != nil {
			return User{}, fmt.Errorf("auth: record token use: %w", err)
		}
	}
	return row.User, nil
}
