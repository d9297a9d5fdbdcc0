package registration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

// Position is where a page of Registrations stands in the whole list:
// how many registrations the filter keeps, and how many of them come up
// to the page's cursor (0 for the first page).
type Position struct {
	Total  int `db:"total"`
	Before int `db:"before"`
}

// ListPosition counts, for the filter of a page of Registrations (its
// limit aside), the registrations it keeps and those before its cursor
// in protocol order, so that a page can say "2,501–2,600 of 5,000"
// without reading the rows of the other pages.
func (s *Service) ListPosition(ctx context.Context, a auth.Actor, meetingID int64, f Filter) (Position, error) {
	f.State = strings.ToUpper(f.State)
	if err := s.checkListAccess(ctx, a, meetingID, &f); err != nil {
		return Position{}, err
	}
	query, args, err := PositionQuery(meetingID, f)
	if err != nil {
		return Position{}, apperr.InvalidField("cursor", apperr.M("err.cursor_restart"))
	}
	var p Position
	if err := s.db.GetContext(ctx, &p, query, args...); err != nil {
		return Position{}, fmt.Errorf("registration: list position: %w", err)
	}
	return p, nil
}

// PositionQuery returns the SQL of ListPosition and its arguments; the
// error is about the cursor. Like ListQuery, it is exported for the
// benchmarks, which EXPLAIN it.
//
// "Before the cursor" is the complement of what ListQuery reads after
// it: a state earlier in protocol order, or the cursor's state and a
// person up to the cursor, under the same collations. It reads every
// row the filter keeps (without a cursor, not even their states).
func PositionQuery(meetingID int64, f Filter) (string, []any, error) {
	after, ok := decodeCursor(f.Cursor)
	if !ok {
		return "", nil, errors.New("registration: not a cursor of this list")
	}
	args := []any{meetingID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := []string{"r.meeting_id = $1"}
	if f.State != "" {
		where = append(where, "r.invitee = "+arg(f.State))
	}
	if f.Status != "" {
		where = append(where, "r.status = "+arg(f.Status))
	}
	if f.Role != "" {
		where = append(where, "r.delegation_role = "+arg(f.Role))
	}
	if after == nil {
		return `SELECT count(*) AS total, 0 AS before FROM registrations r WHERE ` + strings.Join(where, " AND "), args, nil
	}
	lang := "en"
	if f.Lang == "fr" {
		lang = "fr"
	}
	code := arg(after.State)
	// Guests (no invitee, code '') come last, under the list's name for them.
	guests := arg(guestsGroupName[lang])
	before := fmt.Sprintf(`((CASE WHEN r.invitee IS NULL THEN 2 WHEN s.kind = 'organisation' THEN 1 ELSE 0 END),
			coalesce(s.name_%[1]s, %[6]s::text) COLLATE agora_protocol_%[1]s, coalesce(s.code, ''))
		< (coalesce((SELECT (kind = 'organisation')::int FROM invitees WHERE code = %[2]s), 2),
			coalesce((SELECT name_%[1]s FROM invitees WHERE code = %[2]s), %[6]s::text), %[2]s)
		OR (coalesce(r.invitee, '') = %[2]s AND (r.last_name COLLATE agora_names, r.first_name COLLATE agora_names, r.id) <= (%[3]s, %[4]s, %[5]s::bigint))`,
		lang, code, arg(after.LastName), arg(after.FirstName), arg(after.ID), guests)
	return `SELECT count(*) AS total, count(*) FILTER (WHERE ` + before + `) AS before
		FROM registrations r LEFT JOIN invitees s ON s.code = r.invitee
		WHERE ` + strings.Join(where, " AND "), args, nil
}
