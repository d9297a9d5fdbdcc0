package privacy

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
)

// Export returns everything held about an email address, in any letter
// case. It reads one consistent snapshot, so a report never shows half of
// a change made meanwhile. An address Agora knows nothing about gets an
// empty report, not an error. Admins and the command line may; the audit
// trail records who read it (not the address), and a report whose reading
// cannot be recorded is not given.
func (s *Service) Export(ctx context.Context, a auth.Actor, email string) (Report, error) {
	if !CanManage(a) {
		return Report{}, errNotAdmin
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return Report{}, err
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Report{}, fmt.Errorf("privacy: export: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep

	r := Report{Email: email, GeneratedAt: s.now().UTC(), Accounts: []Account{}, FocalPoints: []FocalPoint{},
		Registrations: []Registration{}, Emails: []Email{}, EmailsAbout: []EmailAbout{},
		SpeakerMentions: []SpeakerMention{}, LoginFailures: []LoginFailure{}, VisaRequests: []VisaRequest{}}
	steps := []func(context.Context, *sqlx.Tx, string, *Report) error{
		exportAccounts, exportFocalPoints, exportRegistrations, exportEmails, exportSpeakers, exportLoginFailures,
		exportVisaRequests,
	}
	for _, step := range steps {
		if err := step(ctx, tx, email, &r); err != nil {
			return Report{}, err
		}
	}
	// The snapshot is read-only; the entry is its own statement, written
	// before the report leaves.
	if err := audit.Record(ctx, s.db, a, audit.Event{Action: "privacy.export"}); err != nil {
		return Report{}, err
	}
	return r, nil
}

func exportAccounts(ctx context.Context, tx *sqlx.Tx, email string, r *Report) error {
	err := tx.SelectContext(ctx, &r.Accounts, `
		SELECT id, email, name, role, coalesce(state_code, organisation_code) AS state_code, language, created_at, updated_at
		FROM users WHERE lower(email) = $1 ORDER BY id`, email)
	if err != nil {
		return fmt.Errorf("privacy: export accounts: %w", err)
	}
	for i := range r.Accounts {
		a := &r.Accounts[i]
		a.Tokens, a.PasswordResets = []Token{}, []PasswordReset{}
		err := tx.SelectContext(ctx, &a.Tokens, `
			SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, a.ID)
		if err != nil {
			return fmt.Errorf("privacy: export tokens: %w", err)
		}
		err = tx.SelectContext(ctx, &a.PasswordResets, `
			SELECT created_at, expires_at, used_at FROM password_resets WHERE user_id = $1 ORDER BY id`, a.ID)
		if err != nil {
			return fmt.Errorf("privacy: export password resets: %w", err)
		}
	}
	return nil
}

func exportFocalPoints(ctx context.Context, tx *sqlx.Tx, email string, r *Report) error {
	err := tx.SelectContext(ctx, &r.FocalPoints, `
		SELECT id, invitee AS state_code, name, email, language, created_at
		FROM focal_points WHERE lower(email) = $1 ORDER BY invitee, id`, email)
	if err != nil {
		return fmt.Errorf("privacy: export focal points: %w", err)
	}
	return nil
}

func exportRegistrations(ctx context.Context, tx *sqlx.Tx, email string, r *Report) error {
	err := tx.SelectContext(ctx, &r.Registrations, `
		SELECT r.id, r.meeting_id, m.title_en AS meeting_title_en, m.title_fr AS meeting_title_fr,
			m.starts_at AS meeting_starts_at, m.ends_at AS meeting_ends_at, coalesce(r.invitee, '') AS state_code, r.invitation_id,
			r.first_name, r.last_name, r.email, r.function, r.organisation, r.delegation_role, r.language,
			r.funding_requested, r.funded, r.dietary, r.accessibility, r.list_consent, r.consent_at, r.status,
			r.decline_reason, r.decline_reason_fr, r.waitlisted_at, r.checked_in_at, r.source, r.created_by, r.replaces_id,
			r.created_at, r.updated_at, r.attendance, r.gender
		FROM registrations r JOIN meetings m ON m.id = r.meeting_id
		WHERE r.email = $1 ORDER BY m.starts_at, r.id`, email)
	if err != nil {
		return fmt.Errorf("privacy: export registrations: %w", err)
	}
	return nil
}

func exportEmails(ctx context.Context, tx *sqlx.Tx, email string, r *Report) error {
	err := tx.SelectContext(ctx, &r.Emails, `
		SELECT id, kind, to_address, to_name, language, subject, text_body, html_body, calendar, calendar_method,
			meeting_id, registration_id, message_id, status, attempts, last_error, created_at, queued_at, sent_at, updated_at
		FROM outgoing_mail WHERE lower(to_address) = $1 ORDER BY id`, email)
	if err != nil {
		return fmt.Errorf("privacy: export emails: %w", err)
	}
	err = tx.SelectContext(ctx, &r.EmailsAbout, `
		SELECT id, kind, meeting_id, registration_id, status, created_at, sent_at
		FROM outgoing_mail
		WHERE registration_id = ANY($1) AND lower(to_address) <> $2 ORDER BY id`, pq.Array(registrationIDs(r.Registrations)), email)
	if err != nil {
		return fmt.Errorf("privacy: export emails about: %w", err)
	}
	return nil
}

// exportSpeakers finds speaker entries linked to the person's registrations
// or bearing exactly one of the names the person is known by, in any meeting.
func exportSpeakers(ctx context.Context, tx *sqlx.Tx, _ string, r *Report) error {
	ids := registrationIDs(r.Registrations)
	err := tx.SelectContext(ctx, &r.SpeakerMentions, `
		SELECT i.meeting_id, m.title_en AS meeting_title_en, m.title_fr AS meeting_title_fr, i.id AS agenda_item_id,
			i.title_en AS item_title_en, i.title_fr AS item_title_fr, sp AS speaker,
			CASE WHEN (sp->>'registration_id')::bigint = ANY($1) THEN 'registration' ELSE 'name' END AS matched_by
		FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id, jsonb_array_elements(i.speakers) AS sp
		WHERE (sp->>'registration_id')::bigint = ANY($1) OR sp->>'name' = ANY($2)
		ORDER BY m.starts_at, i.meeting_id, i.id`, pq.Array(ids), pq.Array(knownNames(r)))
	if err != nil {
		return fmt.Errorf("privacy: export speakers: %w", err)
	}
	return nil
}

func exportLoginFailures(ctx context.Context, tx *sqlx.Tx, email string, r *Report) error {
	err := tx.SelectContext(ctx, &r.LoginFailures, `
		SELECT at, address FROM login_failures WHERE lower(email) = $1 ORDER BY at, id`, email)
	if err != nil {
		return fmt.Errorf("privacy: export login failures: %w", err)
	}
	return nil
}

func registrationIDs(regs []Registration) []int64 {
	ids := make([]int64, len(regs))
	for i, reg := range regs {
		ids[i] = reg.ID
	}
	return ids
}

// knownNames are the names the person is held under: on registrations
// ("First Last", as agendas write them), accounts and focal-point entries.
func knownNames(r *Report) []string {
	seen := map[string]bool{}
	var names []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, reg := range r.Registrations {
		add(reg.FirstName + " " + reg.LastName)
	}
	for _, a := range r.Accounts {
		add(a.Name)
	}
	for _, fp := range r.FocalPoints {
		add(fp.Name)
	}
	return names
}
