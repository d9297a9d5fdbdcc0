// Package state holds the roster of member states, partners and observers:
// their codes, official names in English and French, and status.
package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/organisation"
)

// The statuses a state can have.
const (
	StatusMember   = "member"
	StatusPartner  = "partner"
	StatusObserver = "observer"
	StatusInactive = "inactive"
)

// State is one entry of the roster.
type State struct {
	Code      string    `db:"code" json:"code"`
	NameEN    string    `db:"name_en" json:"name_en"`
	NameFR    string    `db:"name_fr" json:"name_fr"`
	Status    string    `db:"status" json:"status"`
	UpdatedAt time.Time `db:"updated_at" json:"-"`
}

// Name returns the state's name in lang ("fr" or anything else for English).
func (s State) Name(lang string) string {
	if lang == "fr" {
		return s.NameFR
	}
	return s.NameEN
}

// Update is what an admin may change about a state.
type Update struct {
	NameEN string `json:"name_en"`
	NameFR string `json:"name_fr"`
	Status string `json:"status"`
}

var codeRE = regexp.MustCompile(`^[A-Z]{2}$`)

// ValidCode reports whether code is a roster code as accepted today
// (ISO 3166-1 alpha-2, upper case).
func ValidCode(code string) bool { return codeRE.MatchString(code) }

// Validate checks an update and returns field-level errors.
func (u Update) Validate() error {
	f := apperr.Fields{}
	for field, v := range map[string]string{"name_en": u.NameEN, "name_fr": u.NameFR} {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			f.Add(field, apperr.M("err.required"))
		case utf8.RuneCountInString(v) > 200:
			f.Add(field, apperr.M("err.max_chars", "N", 200))
		case strings.ContainsAny(v, "\r\n\t\x00"):
			f.Add(field, apperr.M("err.single_line"))
		}
	}
	switch u.Status {
	case StatusMember, StatusPartner, StatusObserver, StatusInactive:
	default:
		f.Add("status", apperr.M("err.one_of", "Values", "member, partner, observer, inactive"))
	}
	return f.Err()
}

// Store reads and writes the roster.
type Store struct {
	db *sqlx.DB
}

// NewStore returns a roster store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// States returns every state in protocol order for lang: alphabetical by
// the name in that language, as a French or English reader expects.
func (s *Store) States(ctx context.Context, lang string) ([]State, error) {
	var states []State
	err := s.db.SelectContext(ctx, &states, `SELECT code, name_en, name_fr, status, updated_at FROM states`)
	if err != nil {
		return nil, fmt.Errorf("state: list: %w", err)
	}
	SortProtocol(states, lang)
	return states, nil
}

// State returns one state by code.
func (s *Store) State(ctx context.Context, code string) (State, error) {
	return Lookup(ctx, s.db, code)
}

// Lookup returns one state by code through q, which may be a transaction:
// code that holds a transaction must not take a second connection.
func Lookup(ctx context.Context, q sqlx.QueryerContext, code string) (State, error) {
	var st State
	err := sqlx.GetContext(ctx, q, &st, `SELECT code, name_en, name_fr, status, updated_at FROM states WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, apperr.New(apperr.NotFound, apperr.M("err.no_state", "Code", code))
	}
	if err != nil {
		return State{}, fmt.Errorf("state: get %s: %w", code, err)
	}
	return st, nil
}

// UpdateState changes a state's names and status, and records who did it
// in the audit trail in the same transaction. Who may is the router's
// business (admins): this package cannot import auth, which imports it.
func (s *Store) UpdateState(ctx context.Context, a audit.Actor, code string, u Update) (State, error) {
	if err := u.Validate(); err != nil {
		return State{}, err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return State{}, fmt.Errorf("state: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var st State
	err = tx.GetContext(ctx, &st, `
		UPDATE states SET name_en = $2, name_fr = $3, status = $4, updated_at = now()
		WHERE code = $1
		RETURNING code, name_en, name_fr, status, updated_at`,
		code, strings.TrimSpace(u.NameEN), strings.TrimSpace(u.NameFR), u.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return State{}, apperr.New(apperr.NotFound, apperr.M("err.no_state", "Code", code))
	}
	if err != nil {
		return State{}, fmt.Errorf("state: update %s: %w", code, err)
	}
	if err := audit.Record(ctx, tx, a, audit.Event{Action: "state.update", State: code, SubjectType: "state",
		Details: map[string]any{"status": st.Status}}); err != nil {
		return State{}, err
	}
	if err := tx.Commit(); err != nil {
		return State{}, fmt.Errorf("state: commit: %w", err)
	}
	return st, nil
}

// SeedRoster adds the shipped roster's states that are missing, and the
// shipped organisations (organisation.Roster) that are missing; those
// already present keep whatever an admin made of them. It returns how
// many states and organisations were added.
func (s *Store) SeedRoster(ctx context.Context) (int, error) {
	added := 0
	for _, st := range Roster {
		res, err := s.db.ExecContext(ctx, `
			INSERT INTO states (code, name_en, name_fr, status) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO NOTHING`, st.Code, st.NameEN, st.NameFR, st.Status)
		if err != nil {
			return added, fmt.Errorf("state: seed %s: %w", st.Code, err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	orgs, err := organisation.Seed(ctx, s.db)
	return added + orgs, err
}

// SortProtocol sorts states alphabetically by their name in lang, using the
// collation rules of that language (accents and case handled properly).
func SortProtocol(states []State, lang string) {
	tag := language.English
	if lang == "fr" {
		tag = language.French
	}
	c := collate.New(tag, collate.Loose)
	sort.SliceStable(states, func(i, j int) bool {
		return c.CompareString(states[i].Name(lang), states[j].Name(lang)) < 0
	})
}
