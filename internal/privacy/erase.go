package privacy

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/audit"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/postgres"
)

// Summary counts what an erasure changed.
type Summary struct {
	// Registrations anonymised (statistics kept).
	Registrations int `json:"registrations"`
	// Emails to the address anonymised in the mail log (kind, status and
	// dates kept; unsent ones will not be sent).
	Emails int `json:"emails"`
	// EmailsAbout are notices about the person to others (focal points)
	// whose content was erased.
	EmailsAbout int `json:"emails_about"`
	// FocalPoints are focal-point entries deleted.
	FocalPoints int `json:"focal_points"`
	// LoginFailures deleted.
	LoginFailures int `json:"login_failures"`
	// Speakers are speaker entries anonymised in agendas; History the
	// records of agenda changes rewritten because they named the person.
	Speakers int `json:"speakers"`
	History  int `json:"history"`
	// SpeakersLeft are entries with exactly the person's name, unlinked, in
	// meetings the person was not registered for: they may be someone else,
	// so they are left for the secretariat to review (Export lists them).
	SpeakersLeft int `json:"speakers_left"`
	// VisaRequests deleted, with the letters emailed for them.
	VisaRequests int `json:"visa_requests"`
	// Account is what became of the sign-in account: "" (none),
	// "deleted", or "anonymised" when meetings, registrations or the audit
	// trail name it as an author.
	Account string `json:"account"`
	// Tokens and PasswordResets are the account's API tokens and reset
	// links deleted.
	Tokens         int `json:"tokens"`
	PasswordResets int `json:"password_resets"`
}

// Empty reports whether nothing was held about the address.
func (s Summary) Empty() bool {
	return s == Summary{}
}

// String is the summary on one line, for the command line and the log.
func (s Summary) String() string {
	if s.Empty() {
		return "nothing was held about this address"
	}
	parts := []string{
		count(s.Registrations, "registration") + " anonymised",
		fmt.Sprintf("%s to the address and %d about it erased", count(s.Emails, "email"), s.EmailsAbout),
		count(s.FocalPoints, "focal-point entry") + " deleted",
		count(s.LoginFailures, "login failure") + " deleted",
		fmt.Sprintf("%s anonymised (%s rewritten)", count(s.Speakers, "speaker entry"), count(s.History, "history record")),
	}
	if s.SpeakersLeft > 0 {
		parts = append(parts, count(s.SpeakersLeft, "speaker entry")+" with the same name in other meetings left for review")
	}
	if s.VisaRequests > 0 {
		parts = append(parts, count(s.VisaRequests, "visa request")+" deleted")
	}
	line := strings.Join(parts, ", ")
	if s.Account != "" {
		line += fmt.Sprintf("; account %s (%s, %s deleted)", s.Account, count(s.Tokens, "API token"), count(s.PasswordResets, "reset link"))
	}
	return line
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "entry") {
		return fmt.Sprintf("%d %sentries", n, strings.TrimSuffix(noun, "entry"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// person is what erasure finds about an address before changing anything.
type person struct {
	account    *account
	regIDs     []int64
	meetingIDs []int64
	names      []string
}

// Erase erases what is held about an email address (right to erasure), in
// one transaction: registrations and the emails to the address are
// anonymised (statistics and the mail log keep their shape), focal-point
// entries and login failures are deleted, speaker entries naming the person
// are anonymised in agendas and their history, and the sign-in account is
// deleted or, when history names it, anonymised. The last administrator's
// account is refused (Conflict), and then nothing changes. Admins and the
// command line may; the audit trail records the erasure (its counts, never
// the address) in the same transaction.
func (s *Service) Erase(ctx context.Context, a auth.Actor, email string) (Summary, error) {
	if !CanManage(a) {
		return Summary{}, errNotAdmin
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	err = postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		p, err := find(ctx, tx, email)
		if err != nil {
			return err
		}
		if sum.Speakers, sum.History, err = eraseSpeakers(ctx, tx, p.meetingIDs, p.regIDs, p.names); err != nil {
			return err
		}
		if sum.SpeakersLeft, err = speakersElsewhere(ctx, tx, p.meetingIDs, p.names); err != nil {
			return err
		}
		if sum.Emails, sum.EmailsAbout, err = eraseMailOf(ctx, tx, email, p.regIDs); err != nil {
			return err
		}
		if sum.VisaRequests, err = eraseVisaData(ctx, tx, p.regIDs); err != nil {
			return err
		}
		if sum.Registrations, err = anonymiseRegistrations(ctx, tx, p.regIDs); err != nil {
			return err
		}
		if sum.FocalPoints, err = exec(ctx, tx, `DELETE FROM focal_points WHERE lower(email) = $1`, email); err != nil {
			return fmt.Errorf("privacy: delete focal points: %w", err)
		}
		if sum.LoginFailures, err = exec(ctx, tx, `DELETE FROM login_failures WHERE lower(email) = $1`, email); err != nil {
			return fmt.Errorf("privacy: delete login failures: %w", err)
		}
		// Personal invitations name the person too: anonymised and revoked
		// (a registration made through one stays, anonymised above).
		if _, err := exec(ctx, tx, `UPDATE guests SET first_name = 'Erased', last_name = 'Erased',
			email = 'erased-' || id || '@erased.invalid', status = 'revoked' WHERE email = $1`, email); err != nil {
			return fmt.Errorf("privacy: anonymise personal invitations: %w", err)
		}
		if p.account != nil {
			if sum.Account, sum.Tokens, sum.PasswordResets, err = eraseAccount(ctx, tx, *p.account); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "privacy.erase", Details: map[string]any{"summary": sum.String()}})
	})
	if err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// find locks and reads what erasure will change. It checks the account
// first: erasing the last administrator is refused before anything else.
func find(ctx context.Context, tx *sqlx.Tx, email string) (person, error) {
	p := person{regIDs: []int64{}, meetingIDs: []int64{}}
	acc, err := lockAccount(ctx, tx, email)
	if err != nil {
		return person{}, err
	}
	p.account = acc
	var regs []struct {
		ID        int64  `db:"id"`
		MeetingID int64  `db:"meeting_id"`
		Name      string `db:"name"`
	}
	err = tx.SelectContext(ctx, &regs, `
		SELECT id, meeting_id, first_name || ' ' || last_name AS name
		FROM registrations WHERE email = $1 ORDER BY id FOR UPDATE`, email)
	if err != nil {
		return person{}, fmt.Errorf("privacy: registrations of the address: %w", err)
	}
	seen := map[int64]bool{}
	for _, r := range regs {
		p.regIDs = append(p.regIDs, r.ID)
		p.names = append(p.names, r.Name)
		if !seen[r.MeetingID] {
			seen[r.MeetingID] = true
			p.meetingIDs = append(p.meetingIDs, r.MeetingID)
		}
	}
	var fpNames []string
	if err := tx.SelectContext(ctx, &fpNames, `SELECT name FROM focal_points WHERE lower(email) = $1`, email); err != nil {
		return person{}, fmt.Errorf("privacy: focal points of the address: %w", err)
	}
	p.names = append(p.names, fpNames...)
	if acc != nil {
		p.names = append(p.names, acc.Name)
	}
	return p, nil
}

// speakersElsewhere counts unlinked speaker entries with one of the names
// in meetings the person was not registered for.
func speakersElsewhere(ctx context.Context, tx *sqlx.Tx, meetingIDs []int64, names []string) (int, error) {
	if len(names) == 0 {
		return 0, nil
	}
	var n int
	err := tx.GetContext(ctx, &n, `
		SELECT count(*) FROM agenda_items i, jsonb_array_elements(i.speakers) AS sp
		WHERE NOT (i.meeting_id = ANY($1)) AND sp->>'registration_id' IS NULL AND sp->>'name' = ANY($2)`,
		pq.Array(meetingIDs), pq.Array(names))
	if err != nil {
		return 0, fmt.Errorf("privacy: speakers in other meetings: %w", err)
	}
	return n, nil
}

// exec runs a statement and returns how many rows it changed.
func exec(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
