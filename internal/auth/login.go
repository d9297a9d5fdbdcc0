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
	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/validate"
)

// Throttling of sign-in (SECURITY.md, "Sign-in throttling"). Failures are
// counted over FailureWindow. An address that fails
// MaxFailuresPerAccountAndAddress times for one account is refused for
// that account, and one that fails MaxFailuresPerAddress times for any
// accounts is refused altogether, until the window passes: guessing from
// one place stops there, while the owner, elsewhere, still signs in.
// Guesses spread over many addresses slow the account down instead of
// locking it: past SlowDownAfter failures, each attempt on the account
// waits a delay after its last failure, doubling with every failure up to
// MaxSlowDown — seconds for the owner, a guess a minute for an attacker.
const (
	MaxFailuresPerAccountAndAddress = 5
	MaxFailuresPerAddress           = 20
	FailureWindow                   = 15 * time.Minute
	SlowDownAfter                   = 10
	MaxSlowDown                     = time.Minute
)

// Throttled is the cause of a refused sign-in: how long to wait.
type Throttled struct{ Wait time.Duration }

func (t *Throttled) Error() string { return fmt.Sprintf("sign-in throttled for %s", t.Wait) }

// RetryAfter says how long a throttled sign-in must wait.
func RetryAfter(err error) (time.Duration, bool) {
	var t *Throttled
	if errors.As(err, &t) {
		return t.Wait, true
	}
	return 0, false
}

// slowDown is the wait after the last of n failures for an account.
func slowDown(n int) time.Duration {
	if n < SlowDownAfter {
		return 0
	}
	if n-SlowDownAfter >= 6 {
		return MaxSlowDown
	}
	return min(time.Second<<(n-SlowDownAfter), MaxSlowDown)
}

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
	email = validate.NormalizeEmail(email)
	if err := s.throttle(ctx, email, address); err != nil {
		return User{}, err
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

// throttle refuses a sign-in that the failures recorded in the window
// forbid for now (see MaxFailuresPerAccountAndAddress).
func (s *Store) throttle(ctx context.Context, email, address string) error {
	var f struct {
		Pair, Address, Account int
		PairOldest             time.Time `db:"pair_oldest"`
		AddressOldest          time.Time `db:"address_oldest"`
		AccountLast            time.Time `db:"account_last"`
		Now                    time.Time
	}
	err := s.db.GetContext(ctx, &f, `
		SELECT count(*) FILTER (WHERE lower(email) = $1 AND address = $2) AS pair,
		       count(*) FILTER (WHERE address = $2) AS address,
		       count(*) FILTER (WHERE lower(email) = $1) AS account,
		       coalesce(min(at) FILTER (WHERE lower(email) = $1 AND address = $2), now()) AS pair_oldest,
		       coalesce(min(at) FILTER (WHERE address = $2), now()) AS address_oldest,
		       coalesce(max(at) FILTER (WHERE lower(email) = $1), now()) AS account_last,
		       now() AS now
		FROM login_failures WHERE (lower(email) = $1 OR address = $2) AND at > now() - $3::interval`,
		email, address, FailureWindow.String())
	if err != nil {
		return fmt.Errorf("auth: login throttle: %w", err)
	}
	var wait time.Duration
	if f.Pair >= MaxFailuresPerAccountAndAddress {
		wait = f.PairOldest.Add(FailureWindow).Sub(f.Now)
	}
	if f.Address >= MaxFailuresPerAddress {
		wait = max(wait, f.AddressOldest.Add(FailureWindow).Sub(f.Now))
	}
	if wait > 0 {
		return apperr.Wrap(&Throttled{Wait: wait}, apperr.RateLimited, apperr.M("err.too_many_attempts"))
	}
	if wait = f.AccountLast.Add(slowDown(f.Account)).Sub(f.Now); wait > 0 {
		return apperr.Wrap(&Throttled{Wait: wait}, apperr.RateLimited, apperr.M("err.too_many_attempts_account"))
	}
	return nil
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

// MaxResetsPerHour bounds the reset emails one account receives in an
// hour, however many addresses ask: the reset form must not become a way
// to flood someone's mailbox.
const MaxResetsPerHour = 3

// StartReset makes a single-use password reset secret for the account with
// this email. It returns ok=false (and no error) for an unknown email, and
// for an account that had MaxResetsPerHour links in the last hour, so
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
	// The account's row is locked before its recent links are counted (in
	// a statement of its own, whose snapshot comes after the lock), so
	// that requests at the same moment cannot all pass the count.
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, u.ID); err != nil {
			return err
		}
		var recent int
		err := tx.GetContext(ctx, &recent, `SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > now() - interval '1 hour'`, u.ID)
		if err != nil || recent >= MaxResetsPerHour {
			ok = false
			return err
		}
		ok = true
		_, err = tx.ExecContext(ctx, `INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, now() + $3::interval)`,
			u.ID, HashToken(secret), ResetLifetime.String())
		return err
	})
	if err != nil {
		return "", User{}, false, fmt.Errorf("auth: start reset: %w", err)
	}
	if !ok {
		return "", User{}, false, nil // the links already sent still work; the answer is the same
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
	var u User
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var userID int64
		err := tx.GetContext(ctx, &userID, `
			UPDATE password_resets SET used_at = now()
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
			RETURNING user_id`, HashToken(secret))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, apperr.M("err.link_expired"))
		}
		if err != nil {
			return fmt.Errorf("auth: finish reset: %w", err)
		}
		err = tx.GetContext(ctx, &u, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING `+userColumns,
			userID, hash)
		if err != nil {
			return fmt.Errorf("auth: set password: %w", err)
		}
		// Done through the emailed link: the trail says "link", about the account.
		return audit.Record(ctx, tx, audit.Link, audit.Event{Action: "user.password_reset", SubjectType: "user", SubjectID: userID})
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}
