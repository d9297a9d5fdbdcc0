// Package auth holds accounts (admins, secretariat, focal points), their
// passwords and their API tokens, and the Actor that every service call
// receives to decide what its caller may do.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/validate"
)

// The roles an account can have.
const (
	RoleAdmin       = "admin"
	RoleSecretariat = "secretariat"
	RoleFocalPoint  = "focal_point"
)

// User is an account.
type User struct {
	ID           int64     `db:"id" json:"id"`
	Email        string    `db:"email" json:"email"`
	Name         string    `db:"name" json:"name"`
	Role         string    `db:"role" json:"role"`
	StateCode    *string   `db:"state_code" json:"state,omitempty"`
	Language     string    `db:"language" json:"language"`
	PasswordHash string    `db:"password_hash" json:"-"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`

	// OrganisationCode is set for a focal point of an organisation.
	OrganisationCode *string `db:"organisation_code" json:"organisation,omitempty"`
	// Invitee is the code of the state or organisation a focal point
	// speaks for (whichever is set); codes of both kinds never collide.
	Invitee *string `db:"invitee" json:"-"`
}

// NewUser is what creating an account needs.
type NewUser struct {
	Email    string
	Name     string
	Role     string
	State    string // for focal points only: the code of their state or organisation
	Language string
	Password string
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// Validate checks a new account and returns field-level errors.
func (n NewUser) Validate() error {
	f := apperr.Fields{}
	if msg := CheckEmail(n.Email); msg.Key != "" {
		f.Add("email", msg)
	}
	name := strings.TrimSpace(n.Name)
	if name == "" {
		f.Add("name", apperr.M("err.required"))
	} else if utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "\r\n\x00") {
		f.Add("name", apperr.M("err.one_line_max", "N", 200))
	}
	switch n.Role {
	case RoleAdmin, RoleSecretariat:
		if n.State != "" {
			f.Add("state", apperr.M("err.state_focal_only"))
		}
	case RoleFocalPoint:
		if !invitee.ValidCode(n.State) {
			f.Add("state", apperr.M("err.focal_needs_state"))
		}
	default:
		f.Add("role", apperr.M("err.role_values"))
	}
	if n.Language != "en" && n.Language != "fr" {
		f.Add("language", apperr.M("err.lang_values"))
	}
	if utf8.RuneCountInString(n.Password) < MinPasswordLength {
		f.Add("password", apperr.M("err.min_chars", "N", MinPasswordLength))
	} else if len(n.Password) > 1024 {
		f.Add("password", apperr.M("err.max_bytes", "N", 1024))
	}
	return f.Err()
}

// CheckEmail returns what is wrong with an email address, or a Msg with
// no key when nothing is.
func CheckEmail(email string) apperr.Msg {
	if email == "" {
		return apperr.M("err.required")
	}
	if len(email) > 254 {
		return apperr.M("err.max_chars", "N", 254)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return apperr.M("err.email")
	}
	return apperr.Msg{}
}

// NormalizeEmail is validate.NormalizeEmail, the one form of an address
// that is stored and compared.
//
// Deprecated: call validate.NormalizeEmail; this stays for callers not yet
// moved.
func NormalizeEmail(email string) string { return validate.NormalizeEmail(email) }

// Store reads and writes accounts and tokens.
type Store struct {
	db *sqlx.DB
}

// NewStore returns an account store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

const userColumns = `id, email, name, role, state_code, organisation_code,
	coalesce(state_code, organisation_code) AS invitee, language, password_hash, created_at`

// CreateUser adds an account with an argon2id hash of its password,
// recording no one in the audit trail: it is for seeding (the demo, test
// set-ups). People and the command line add accounts through AddUser.
func (s *Store) CreateUser(ctx context.Context, n NewUser) (User, error) {
	return createUser(ctx, s.db, n)
}

func createUser(ctx context.Context, q sqlx.ExtContext, n NewUser) (User, error) {
	n.Email = validate.NormalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	n.State = strings.ToUpper(strings.TrimSpace(n.State))
	if n.Language == "" {
		n.Language = "en"
	}
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := argon2id.CreateHash(n.Password, argon2id.DefaultParams)
	if err != nil {
		return User{}, fmt.Errorf("auth: hash password: %w", err)
	}
	stateCode, orgCode, err := binding(ctx, q, n.State)
	if err != nil {
		return User{}, err
	}
	var u User
	err = sqlx.GetContext(ctx, q, &u, `
		INSERT INTO users (email, name, role, state_code, organisation_code, language, password_hash)
		VALUES ($1, $2, $3, $4, $7, $5, $6)
		RETURNING `+userColumns, n.Email, n.Name, n.Role, stateCode, n.Language, hash, orgCode)
	if postgres.IsUniqueViolation(err, "users_email_key") {
		return User{}, apperr.New(apperr.Conflict, apperr.M("err.account_exists"))
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: create user: %w", err)
	}
	return u, nil
}

// binding resolves the code a focal point is bound to into the column it
// goes to: a state's code or an organisation's (nil, nil for none). A
// code of neither is a field error on "state".
func binding(ctx context.Context, q sqlx.QueryerContext, code string) (stateCode, orgCode *string, err error) {
	if code == "" {
		return nil, nil, nil
	}
	inv, err := invitee.Lookup(ctx, q, code)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, apperr.InvalidField("state", apperr.M("err.not_in_roster"))
	}
	if err != nil {
		return nil, nil, err
	}
	if inv.Organisation() {
		return nil, &inv.Code, nil
	}
	return &inv.Code, nil, nil
}

// UserByEmail finds an account by email, ignoring case.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE lower(email) = $1`, validate.NormalizeEmail(email))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.New(apperr.NotFound, apperr.M("err.no_account_email"))
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: user by email: %w", err)
	}
	return u, nil
}

// CountAdmins returns how many admin accounts exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM users WHERE role = 'admin'`); err != nil {
		return 0, fmt.Errorf("auth: count admins: %w", err)
	}
	return n, nil
}

// CheckPassword reports whether password matches the user's hash.
func CheckPassword(u User, password string) bool {
	ok, err := argon2id.ComparePasswordAndHash(password, u.PasswordHash)
	return err == nil && ok
}
