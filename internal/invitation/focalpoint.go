// Package invitation invites states to meetings: the focal points who
// receive invitations for each state, the per-state invitations with their
// secret registration links, reminders, and the emails that go with them.
package invitation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/validate"
)

// FocalPoint is a state's or an organisation's contact for invitations.
type FocalPoint struct {
	ID int64 `db:"id" json:"id"`
	// State is the code of the invitee (a state or an organisation) the
	// focal point speaks for; JSON names it "invitee", and "state" or
	// "organisation_code" according to its kind.
	State            string    `db:"invitee" json:"invitee"`
	StateCode        *string   `db:"state_code" json:"state,omitempty"`
	OrganisationCode *string   `db:"organisation_code" json:"organisation_code,omitempty"`
	Name             string    `db:"name" json:"name"`
	Email            string    `db:"email" json:"email"`
	Language         string    `db:"language" json:"language"`
	CreatedAt        time.Time `db:"created_at" json:"created_at"`
}

const fpColumns = `id, invitee, state_code, organisation_code, name, email, language, created_at`

// NewFocalPoint is what adding a focal point needs.
type NewFocalPoint struct {
	Name     string `json:"name" validate:"required,max=200,singleline"`
	Email    string `json:"email" validate:"required,max=254,email"`
	Language string `json:"language" validate:"required,oneof=en fr"`
}

// FocalPoints manages the focal-point contacts.
type FocalPoints struct {
	db *sqlx.DB
	v  *validate.Validator
}

// NewFocalPoints returns the focal-point store.
func NewFocalPoints(db *sqlx.DB, v *validate.Validator) *FocalPoints {
	return &FocalPoints{db: db, v: v}
}

// CanReadFocalPoints: the secretariat, and the state's own focal points.
func CanReadFocalPoints(a auth.Actor, code string) bool {
	return a.Is(auth.RoleSecretariat) || a.FocalPointOf(code)
}

// requireSecretariat refuses an anonymous actor (signIn) and anyone but
// the secretariat (forbidden).
func requireSecretariat(a auth.Actor, signIn, forbidden apperr.Msg) error {
	if a.Anonymous() {
		return apperr.New(apperr.Unauthorized, signIn)
	}
	if !a.Is(auth.RoleSecretariat) {
		return apperr.New(apperr.Forbidden, forbidden)
	}
	return nil
}

// List returns a state's focal points.
func (s *FocalPoints) List(ctx context.Context, a auth.Actor, code string) ([]FocalPoint, error) {
	code = strings.ToUpper(code)
	if a.Anonymous() {
		return nil, apperr.New(apperr.Unauthorized, apperr.M("err.sign_in_focal_points"))
	}
	if !CanReadFocalPoints(a, code) {
		return nil, apperr.New(apperr.Forbidden, apperr.M("err.own_state_focal_points"))
	}
	if _, err := invitee.Lookup(ctx, s.db, code); err != nil {
		return nil, err
	}
	fps := []FocalPoint{}
	err := s.db.SelectContext(ctx, &fps, `
		SELECT `+fpColumns+` FROM focal_points
		WHERE invitee = $1 ORDER BY lower(name), id`, code)
	if err != nil {
		return nil, fmt.Errorf("invitation: focal points of %s: %w", code, err)
	}
	return fps, nil
}

// Add adds a focal point to a state or an organisation.
func (s *FocalPoints) Add(ctx context.Context, a auth.Actor, code string, in NewFocalPoint) (FocalPoint, error) {
	if err := requireSecretariat(a, apperr.M("err.sign_in_manage_focal_points"), apperr.M("err.secretariat_manage_focal_points")); err != nil {
		return FocalPoint{}, err
	}
	code = strings.ToUpper(code)
	st, err := invitee.Lookup(ctx, s.db, code)
	if err != nil {
		return FocalPoint{}, err
	}
	in.Name, in.Email = strings.TrimSpace(in.Name), validate.NormalizeEmail(in.Email)
	errs := apperr.Fields{}
	s.v.Struct(in, errs)
	if st.Inactive() {
		errs.Add("state", apperr.M("err.inactive"))
	}
	if err := errs.Err(); err != nil {
		return FocalPoint{}, err
	}
	var fp FocalPoint
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &fp, `
			INSERT INTO focal_points (state_code, organisation_code, name, email, language)
			VALUES (CASE WHEN $5 THEN NULL ELSE $1 END, CASE WHEN $5 THEN $1 END, $2, $3, $4)
			RETURNING `+fpColumns, code, in.Name, in.Email, in.Language, st.Organisation())
		if postgres.IsUniqueViolation(err, "focal_points_state_email_key") || postgres.IsUniqueViolation(err, "focal_points_organisation_email_key") {
			return apperr.New(apperr.Conflict, apperr.M("err.already_focal_point", "Email", in.Email, "Code", code))
		}
		if err != nil {
			return fmt.Errorf("invitation: add focal point: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "focal_point.add", State: code, SubjectType: "focal_point", SubjectID: fp.ID})
	})
	return fp, err
}

// Delete removes a focal point.
func (s *FocalPoints) Delete(ctx context.Context, a auth.Actor, id int64) error {
	if err := requireSecretariat(a, apperr.M("err.sign_in_manage_focal_points"), apperr.M("err.secretariat_manage_focal_points")); err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var code string
		err := tx.GetContext(ctx, &code, `DELETE FROM focal_points WHERE id = $1 RETURNING invitee`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, apperr.M("err.no_focal_point"))
		}
		if err != nil {
			return fmt.Errorf("invitation: delete focal point: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "focal_point.remove", State: code, SubjectType: "focal_point", SubjectID: id})
	})
}

// FocalPointsOf lists the focal points of invitees (states or
// organisations), by invitee code.
func FocalPointsOf(ctx context.Context, q sqlx.QueryerContext, codes []string) (map[string][]FocalPoint, error) {
	var fps []FocalPoint
	err := sqlx.SelectContext(ctx, q, &fps, `
		SELECT `+fpColumns+` FROM focal_points
		WHERE invitee = ANY($1) ORDER BY id`, pq.Array(codes))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("invitation: focal points: %w", err)
	}
	out := map[string][]FocalPoint{}
	for _, fp := range fps {
		out[fp.State] = append(out[fp.State], fp)
	}
	return out, nil
}
