// Package organisation holds the organisations of the roster: international
// bodies, NGOs and academic bodies invited next to the states, with their
// official names in English and French, a kind and a status. Their codes
// share one namespace with the states' (migrations/00019), so that a code
// names one invitee whatever its kind.
package organisation

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
	"github.com/coe-agora/agora/internal/postgres"
)

// Kinds of organisation.
var Kinds = []string{"international", "ngo", "academic", "other"}

// Statuses of an organisation: an inactive one cannot be invited.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// Organisation is one organisation of the roster.
type Organisation struct {
	Code      string    `db:"code" json:"code"`
	NameEN    string    `db:"name_en" json:"name_en"`
	NameFR    string    `db:"name_fr" json:"name_fr"`
	Kind      string    `db:"kind" json:"kind"`
	Status    string    `db:"status" json:"status"`
	UpdatedAt time.Time `db:"updated_at" json:"-"`
}

// Name returns the organisation's name in lang ("fr" or English).
func (o Organisation) Name(lang string) string {
	if lang == "fr" {
		return o.NameFR
	}
	return o.NameEN
}

// Fields are what an admin sets about an organisation. Status is
// optional when creating (active).
type Fields struct {
	Code   string `json:"code"`
	NameEN string `json:"name_en"`
	NameFR string `json:"name_fr"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

var codeRE = regexp.MustCompile(`^[A-Z0-9-]{2,16}$`)

// ValidCode reports whether code has the shape of an organisation's code:
// 2 to 16 of A–Z, 0–9 and "-".
func ValidCode(code string) bool { return codeRE.MatchString(code) }

func (f *Fields) normalize() {
	f.Code = strings.ToUpper(strings.TrimSpace(f.Code))
	f.NameEN, f.NameFR = strings.TrimSpace(f.NameEN), strings.TrimSpace(f.NameFR)
	if f.Status == "" {
		f.Status = StatusActive
	}
}

// validate checks the fields; withCode checks the code too (creation).
func (f Fields) validate(withCode bool) error {
	errs := apperr.Fields{}
	if withCode && !ValidCode(f.Code) {
		errs.Add("code", apperr.M("err.org_code"))
	}
	for field, v := range map[string]string{"name_en": f.NameEN, "name_fr": f.NameFR} {
		switch {
		case v == "":
			errs.Add(field, apperr.M("err.required"))
		case utf8.RuneCountInString(v) > 200:
			errs.Add(field, apperr.M("err.max_chars", "N", 200))
		case strings.ContainsAny(v, "\r\n\t\x00"):
			errs.Add(field, apperr.M("err.single_line"))
		}
	}
	if !contains(Kinds, f.Kind) {
		errs.Add("kind", apperr.M("err.one_of", "Values", strings.Join(Kinds, ", ")))
	}
	if f.Status != StatusActive && f.Status != StatusInactive {
		errs.Add("status", apperr.M("err.one_of", "Values", "active, inactive"))
	}
	return errs.Err()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Store reads and writes the organisations of the roster.
type Store struct {
	db *sqlx.DB
}

// NewStore returns the organisation store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

const columns = `code, name_en, name_fr, kind, status, updated_at`

// Organisations returns every organisation in protocol order for lang.
func (s *Store) Organisations(ctx context.Context, lang string) ([]Organisation, error) {
	orgs := []Organisation{}
	if err := s.db.SelectContext(ctx, &orgs, `SELECT `+columns+` FROM organisations`); err != nil {
		return nil, fmt.Errorf("organisation: list: %w", err)
	}
	SortProtocol(orgs, lang)
	return orgs, nil
}

// Organisation returns one organisation by code.
func (s *Store) Organisation(ctx context.Context, code string) (Organisation, error) {
	return Lookup(ctx, s.db, code)
}

// Lookup returns one organisation by code through q (a transaction or not).
func Lookup(ctx context.Context, q sqlx.QueryerContext, code string) (Organisation, error) {
	var o Organisation
	err := sqlx.GetContext(ctx, q, &o, `SELECT `+columns+` FROM organisations WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Organisation{}, apperr.New(apperr.NotFound, apperr.M("err.no_organisation", "Code", code))
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("organisation: get %s: %w", code, err)
	}
	return o, nil
}

// Create adds an organisation to the roster. Its code must be free among
// states and organisations alike. Who may is the router's business
// (admins and the secretariat).
func (s *Store) Create(ctx context.Context, a audit.Actor, f Fields) (Organisation, error) {
	f.normalize()
	if err := f.validate(true); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &o, `
			INSERT INTO organisations (code, name_en, name_fr, kind, status) VALUES ($1, $2, $3, $4, $5)
			RETURNING `+columns, f.Code, f.NameEN, f.NameFR, f.Kind, f.Status)
		if postgres.IsUniqueViolation(err, "") {
			return apperr.InvalidField("code", apperr.M("err.code_taken", "Code", f.Code))
		}
		if err != nil {
			return fmt.Errorf("organisation: create %s: %w", f.Code, err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "organisation.create", State: o.Code, SubjectType: "organisation",
			Details: map[string]any{"kind": o.Kind, "status": o.Status}})
	})
	return o, err
}

// Update changes an organisation's names, kind and status (its code stays).
func (s *Store) Update(ctx context.Context, a audit.Actor, code string, f Fields) (Organisation, error) {
	f.normalize()
	if err := f.validate(false); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err := postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &o, `
			UPDATE organisations SET name_en = $2, name_fr = $3, kind = $4, status = $5, updated_at = now()
			WHERE code = $1 RETURNING `+columns, code, f.NameEN, f.NameFR, f.Kind, f.Status)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, apperr.M("err.no_organisation", "Code", code))
		}
		if err != nil {
			return fmt.Errorf("organisation: update %s: %w", code, err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "organisation.update", State: code, SubjectType: "organisation",
			Details: map[string]any{"kind": o.Kind, "status": o.Status}})
	})
	return o, err
}

// Seed adds the shipped organisations that are missing (those already
// present keep what an admin made of them) and returns how many it added.
func Seed(ctx context.Context, q sqlx.ExecerContext) (int, error) {
	added := 0
	for _, o := range Roster {
		res, err := q.ExecContext(ctx, `
			INSERT INTO organisations (code, name_en, name_fr, kind, status) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (code) DO NOTHING`, o.Code, o.NameEN, o.NameFR, o.Kind, o.Status)
		if err != nil {
			return added, fmt.Errorf("organisation: seed %s: %w", o.Code, err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	return added, nil
}

// SortProtocol sorts organisations alphabetically by their name in lang,
// with that language's collation.
func SortProtocol(orgs []Organisation, lang string) {
	tag := language.English
	if lang == "fr" {
		tag = language.French
	}
	c := collate.New(tag, collate.Loose)
	sort.SliceStable(orgs, func(i, j int) bool {
		return c.CompareString(orgs[i].Name(lang), orgs[j].Name(lang)) < 0
	})
}
