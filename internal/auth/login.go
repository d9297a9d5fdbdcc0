package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/coe-agora/agora/internal/apperr"
)

// Throttling of sign-in: after this many failures in the window, for one
// account or from one address, sign-in is refused until the window passes.
const (
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
	FailureWindow         = 15 * time.Minute
)

// ErrBadCredentials is the one answer to a wrong email or password, so
// that the answer does not tell which accounts exist.
var ErrBadCredentials = apperr.New(apperr.Unauthorized, apperr.M("err.bad_credentials"))

// dummyHash is compared against when the account does not exist, so that
// both cases take the same time. It is a constant, made once with
// argon2id.DefaultParams (a test checks they still match): computing it at
// start-up cost every process 150 ms and 64 MB of heap.
const dummyHash = "$argon2id$v=19$m=65536,t=1,p=2$doAu9Ixd4cMQ1ocRTqjlwg$dxHUsLWLK3oiufHYXWIuxGaL5goZZ92QTYQ1+77zCxE"

// Login checks an email and password from an address, with throttling.
func (s *Store) Login(ctx context.Context, email, password, address string) (User, error) {
	email = NormalizeEmail(email)
	var perAccount, perAddress int
	err := s.db.GetContext(ctx, &perAccount, `SELECT count(*) FROM login_failures WHERE lower(email) = $1 AND at > now() - $2::interval`,
		email, FailureWindow.String())
	if err == nil {
		err = s.db.GetContext(ctx, &perAddress, `SELECT count(*) FROM login_failures WHERE address = $1 AND at > now() - $2::interval`,
			address, FailureWindow.String())
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: login throttle: %w", err)
	}
	if perAccount >= MaxFailuresPerAccount || perAddress >= MaxFailuresPerAddress {
		return User{}, apperr.New(apperr.RateLimited, apperr.M("err.too_many_attempts"))
	}
	u, err := s.UserByEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		return User{}, s.fail(ctx, email, address)
	}
	if err != nil {
		return User{}, err
	}
	if !CheckPassword(u, password) {
		return User{}, s.fail(ctx, email, address)
	}
	return u, nil
}

func (s *Store) fail(ctx context.Context, email, address string) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO login_failures (email, address) VALUES ($1, $2)`, email, address); err != nil {
		return fmt.Errorf("auth: record failure: %w", err)
	}
	return ErrBadCredentials
}

// UserByID returns an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.New(apperr.NotFound, apperr.M("err.no_account"))
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: user %d: %w", id, err)
	}
	return u, nil
}

// ResetLifetime is how long a password reset link works.
const ResetLifetime = time.Hour

// StartReset makes a single-use password reset secret for the account with
// this email. It returns ok=false (and no error) for an unknown email, so
// callers answer the same either way.
func (s *Store) StartReset(ctx context.Context, email string) (secret string, u User, ok bool, err error) {
	u, err = s.UserByEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		return "", User{}, false, nil
	}
	if err != nil {
		return "", User{}, false, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", User{}, false, err
	}
	secret = "rst_" + base64.RawURLEncoding.EncodeToString(raw)
	_, err = s.db.ExecContext(ctx, `INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, now() + $3::interval)`,
		u.ID, HashToken(secret), ResetLifetime.String())
	if err != nil {
		return "", User{}, false, fmt.Errorf("auth: start reset: %w", err)
	}
	return secret, u, true, nil
}

// FinishReset sets a new password with a reset secret, once; it also
// signs the account out everywhere (the caller drops its sessions).
func (s *Store) FinishReset(ctx context.Context, secret, password string) (User, error) {
	if len(password) < MinPasswordLength || len(password) > 1024 {
		return User{}, apperr.InvalidField("password", apperr.M("err.min_chars", "N", MinPasswordLength))
	}
	hash, err := argon2id.CreateHash(password, argon2id.DefaultParams)
	if err != nil {
		return User{}, fmt.Errorf("auth: hash password: %w", err)
	}
	var userID int64
	err = s.db.GetContext(ctx, &userID, `
		UPDATE password_resets SET used_at = now()
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
		RETURNING user_id`, HashToken(secret))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.New(apperr.NotFound, apperr.M("err.link_expired"))
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: finish reset: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, userID, hash); err != nil {
		return User{}, fmt.Errorf("auth: set password: %w", err)
	}
	return s.UserByID(ctx, userID)
}
