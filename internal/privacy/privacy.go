// Package privacy answers for the personal data Agora holds (Convention
// 108+, GDPR): it exports everything held about one email address, erases
// it on request, and anonymises delegates' data once their meeting is old
// enough (retention).
//
// Erasure anonymises rather than deletes wherever a row carries statistics
// or history: a registration keeps its state, role, status, funding and
// check-in, an email in the mail log keeps its kind, status and dates, so
// the counts of past meetings and the log do not change. The audit trail
// holds ids only and is never touched.
package privacy

import (
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/validate"
)

// What anonymised rows are left holding. The addresses are in the .invalid
// top-level domain (RFC 2606), which never receives mail.
const (
	anonymisedFirstName = "Anonymised"
	// The last name may not be empty (the table's CHECK), so it says what
	// the row was.
	anonymisedLastName = "Participant"
	anonymisedSpeaker  = "Anonymised"
	erasedText         = "[erased]"
	erasedAddress      = "erased@invalid"
	erasedUserName     = "Erased user"
	// No argon2id hash looks like this, so no password ever matches it.
	unusablePassword = "!erased"
	// Why mail that was still waiting is not sent.
	notSent = "not sent: the personal data of this email was erased"
)

// Service exports and erases personal data and applies the retention rule.
type Service struct {
	db  *sqlx.DB
	now func() time.Time
}

// NewService returns the privacy service on db.
func NewService(db *sqlx.DB) *Service {
	return &Service{db: db, now: time.Now}
}

// CanManage is the policy for export, erasure and retention: admins only,
// and the command line (a system actor holds every role).
func CanManage(a auth.Actor) bool { return a.Is(auth.RoleAdmin) }

// errNotAdmin refuses export, erasure and retention to anyone but an admin.
var errNotAdmin = apperr.New(apperr.Forbidden, apperr.M("err.admin_personal_data"))

// normalizeEmail trims and lower-cases the address asked about; every
// lookup compares lower-cased addresses.
func normalizeEmail(email string) (string, error) {
	email = validate.NormalizeEmail(email)
	if email == "" {
		return "", apperr.InvalidField("email", apperr.M("err.required"))
	}
	if len(email) > 254 || !strings.Contains(email, "@") {
		return "", apperr.InvalidField("email", apperr.M("err.email"))
	}
	return email, nil
}
