package privacy

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// anonymiseRegistrations removes the personal data of registrations and
// keeps what the statistics count: meeting, state, delegation role,
// language, status, funding, waiting-list and check-in times, source,
// attendance. The self-declared gender goes too: with the meeting and the
// state it could single out a person of a small delegation (statistics
// count it as unknown).
// The address becomes unique per row (the live-registration index is on
// meeting and email) and stays lower case (the table's CHECK). A new random
// nonce and hash make the manage link dead: no token hashes to the new hash.
func anonymiseRegistrations(ctx context.Context, tx *sqlx.Tx, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := exec(ctx, tx, `
		UPDATE registrations SET first_name = $2, last_name = $3, email = 'erased-' || id || '@invalid',
			function = '', organisation = '', dietary = '', accessibility = '', decline_reason = '', decline_reason_fr = '',
			list_consent = false, consent_at = NULL, gender = '',
			manage_nonce = substring(sha256(convert_to(gen_random_uuid()::text, 'UTF8')) FROM 1 FOR 16),
			manage_hash = sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')),
			anonymised_at = now(), updated_at = now()
		WHERE id = ANY($1)`, pq.Array(ids), anonymisedFirstName, anonymisedLastName)
	if err != nil {
		return 0, fmt.Errorf("privacy: anonymise registrations: %w", err)
	}
	return n, nil
}

// eraseMail erases the content of emails in the mail log, keeping kind,
// status, attempts and dates. For emails to the person (recipient), the
// address, name and dedupe key (which may hold the address) go too; emails
// about the person to someone else keep their recipient. Mail not sent yet
// is stopped: it would only carry "[erased]" now.
func eraseMail(ctx context.Context, tx *sqlx.Tx, ids []int64, recipient bool) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := exec(ctx, tx, `
		UPDATE outgoing_mail SET
			to_address = CASE WHEN $4 THEN $5 ELSE to_address END,
			to_name = CASE WHEN $4 THEN '' ELSE to_name END,
			dedupe_key = CASE WHEN $4 THEN 'erased:' || id ELSE dedupe_key END,
			subject = $2, text_body = $2, html_body = $2, calendar = NULL, calendar_method = NULL,
			last_error = CASE
				WHEN status IN ('queued', 'retrying', 'sending', 'withheld') THEN $3
				WHEN $4 AND last_error <> '' THEN $2
				ELSE last_error END,
			status = CASE WHEN status IN ('queued', 'retrying', 'sending', 'withheld') THEN 'failed' ELSE status END,
			lease_until = NULL, updated_at = now()
		WHERE id = ANY($1)`, pq.Array(ids), erasedText, notSent, recipient, erasedAddress)
	if err != nil {
		return 0, fmt.Errorf("privacy: erase mail: %w", err)
	}
	return n, nil
}

// eraseMailOf erases the emails to an address, and those about the given
// registrations sent to others.
func eraseMailOf(ctx context.Context, tx *sqlx.Tx, email string, regIDs []int64) (to, about int, err error) {
	var toIDs, aboutIDs []int64
	err = tx.SelectContext(ctx, &toIDs, `SELECT id FROM outgoing_mail WHERE lower(to_address) = $1 ORDER BY id`, email)
	if err != nil {
		return 0, 0, fmt.Errorf("privacy: emails to the address: %w", err)
	}
	err = tx.SelectContext(ctx, &aboutIDs, `
		SELECT id FROM outgoing_mail WHERE registration_id = ANY($1) AND lower(to_address) <> $2 ORDER BY id`,
		pq.Array(regIDs), email)
	if err != nil {
		return 0, 0, fmt.Errorf("privacy: emails about the address: %w", err)
	}
	if to, err = eraseMail(ctx, tx, toIDs, true); err != nil {
		return 0, 0, err
	}
	if about, err = eraseMail(ctx, tx, aboutIDs, false); err != nil {
		return 0, 0, err
	}
	return to, about, nil
}
