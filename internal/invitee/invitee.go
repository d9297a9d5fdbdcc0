// Package invitee is what a meeting invites, whatever its kind: a state of
// the roster or an organisation. Codes of both kinds share one namespace
// (migrations/00019), so a code alone names an invitee; quotas, funded
// seats, waiting lists, invitations and focal points work per invitee.
// A personal invitation (a guest in their own name) is not an invitee: its
// registration belongs to no state and no organisation.
package invitee

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/state"
)

// Kinds of invitee.
const (
	KindState        = "state"
	KindOrganisation = "organisation"
)

// Invitee is a state or an organisation, as lists and emails show it.
type Invitee struct {
	Code   string `db:"code" json:"code"`
	NameEN string `db:"name_en" json:"name_en"`
	NameFR string `db:"name_fr" json:"name_fr"`
	Kind   string `db:"kind" json:"kind"`
	// Status is the state's (member, partner, observer, inactive) or the
	// organisation's (active, inactive).
	Status string `db:"status" json:"status"`
	// Rank is the invitee's group in protocol order: member states 0,
	// partners 1, observers 2, inactive states 3, organisations 4.
	Rank int `db:"rank" json:"-"`
}

// Name returns the name in lang ("fr" or English).
func (i Invitee) Name(lang string) string {
	if lang == "fr" {
		return i.NameFR
	}
	return i.NameEN
}

// Inactive reports whether the invitee can no longer be invited.
func (i Invitee) Inactive() bool { return i.Status == "inactive" }

// Organisation reports whether the invitee is an organisation.
func (i Invitee) Organisation() bool { return i.Kind == KindOrganisation }

var codeRE = regexp.MustCompile(`^[A-Z0-9-]{2,16}$`)

// ValidCode reports whether code has the shape of an invitee's code (a
// state's two letters are one case of it).
func ValidCode(code string) bool { return codeRE.MatchString(code) }

const columns = `code, name_en, name_fr, kind, status, rank`

// Lookup returns the invitee with that code through q.
func Lookup(ctx context.Context, q sqlx.QueryerContext, code string) (Invitee, error) {
	var i Invitee
	err := sqlx.GetContext(ctx, q, &i, `SELECT `+columns+` FROM invitees WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Invitee{}, apperr.New(apperr.NotFound, apperr.M("err.no_invitee", "Code", code))
	}
	if err != nil {
		return Invitee{}, fmt.Errorf("invitee: get %s: %w", code, err)
	}
	return i, nil
}

// ByCode returns the invitees among codes that exist, by code.
func ByCode(ctx context.Context, q sqlx.QueryerContext, codes []string) (map[string]Invitee, error) {
	var list []Invitee
	err := sqlx.SelectContext(ctx, q, &list, `SELECT `+columns+` FROM invitees WHERE code = ANY($1)`, pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("invitee: get: %w", err)
	}
	out := make(map[string]Invitee, len(list))
	for _, i := range list {
		out[i.Code] = i
	}
	return out, nil
}

// All returns every invitee in protocol order for lang.
func All(ctx context.Context, q sqlx.QueryerContext, lang string) ([]Invitee, error) {
	var list []Invitee
	if err := sqlx.SelectContext(ctx, q, &list, `SELECT `+columns+` FROM invitees`); err != nil {
		return nil, fmt.Errorf("invitee: list: %w", err)
	}
	SortProtocol(list, lang)
	return list, nil
}

// SortByGroup sorts invitees as lists of registrations show them: every
// state in one alphabetical run (whatever its status), then organisations.
func SortByGroup(list []Invitee, lang string) {
	c := collate.New(tagOf(lang), collate.Loose)
	org := func(i Invitee) int {
		if i.Organisation() {
			return 1
		}
		return 0
	}
	sort.SliceStable(list, func(i, j int) bool {
		if a, b := org(list[i]), org(list[j]); a != b {
			return a < b
		}
		if d := c.CompareString(list[i].Name(lang), list[j].Name(lang)); d != 0 {
			return d < 0
		}
		return list[i].Code < list[j].Code
	})
}

func tagOf(lang string) language.Tag {
	if lang == "fr" {
		return language.French
	}
	return language.English
}

// SortProtocol sorts invitees in protocol order for lang: member states,
// partner states, observer states, inactive states, then organisations,
// each group alphabetical by the name in lang with that language's
// collation.
func SortProtocol(list []Invitee, lang string) {
	tag := language.English
	if lang == "fr" {
		tag = language.French
	}
	c := collate.New(tag, collate.Loose)
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Rank != list[j].Rank {
			return list[i].Rank < list[j].Rank
		}
		if d := c.CompareString(list[i].Name(lang), list[j].Name(lang)); d != 0 {
			return d < 0
		}
		return list[i].Code < list[j].Code
	})
}

// Of turns the roster's states and organisations into invitees in
// protocol order for lang.
func Of(states []state.State, orgs []organisation.Organisation, lang string) []Invitee {
	out := make([]Invitee, 0, len(states)+len(orgs))
	for _, s := range states {
		rank := 3
		switch s.Status {
		case state.StatusMember:
			rank = 0
		case state.StatusPartner:
			rank = 1
		case state.StatusObserver:
			rank = 2
		}
		out = append(out, Invitee{Code: s.Code, NameEN: s.NameEN, NameFR: s.NameFR, Kind: KindState, Status: s.Status, Rank: rank})
	}
	for _, o := range orgs {
		out = append(out, Invitee{Code: o.Code, NameEN: o.NameEN, NameFR: o.NameFR, Kind: KindOrganisation, Status: o.Status, Rank: 4})
	}
	SortProtocol(out, lang)
	return out
}
