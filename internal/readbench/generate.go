package readbench

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Size is the shape of a generated instance.
type Size struct {
	Meetings         int // ordinary meetings
	States           int // invited states per meeting (the first ones of the roster)
	PerState         int // registrations per state and meeting
	AgendaItems      int // per meeting
	BigMeetingPeople int // registrations of one extra meeting (0: none)
}

// Large is the instance of docs/PERFORMANCE.md: 500 meetings × 45 states ×
// 10 people (225,000 registrations), 10 agenda items each, one email per
// registration, and one meeting of 5,000 registrations.
var Large = Size{Meetings: 500, States: 45, PerState: 10, AgendaItems: 10, BigMeetingPeople: 5000}

// Generated tells what Generate made.
type Generated struct {
	BigMeetingID  int64
	Registrations int64
	Mails         int64
	Took          time.Duration
}

// Generate fills a migrated database holding the roster with a large
// instance, set-based (INSERT … SELECT generate_series) straight into the
// tables, then analyzes them. Meetings spread over four years around now,
// most published and public; registrations cycle through the statuses;
// every registration has one sent email in the log.
func Generate(ctx context.Context, db *sqlx.DB, s Size) (Generated, error) {
	start := time.Now()
	var g Generated
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"meetings", `
			INSERT INTO meetings (kind, title_en, title_fr, description_en, description_fr, starts_at, ends_at,
				format, venue_en, seats_per_state, funded_seats_per_state, public, lifecycle)
			SELECT (ARRAY['plenary','bureau','ministerial','expert_group','forum','training','webinar'])[1 + i % 7],
				'Meeting ' || i || ' of the Permanent Correspondents', 'Réunion ' || i || ' des Correspondants permanents',
				'The meeting examines the programme of activities.', 'La réunion examine le programme d''activités.',
				now() - interval '2 years' + i * interval '70 hours', now() - interval '2 years' + i * interval '70 hours' + interval '1 day',
				(ARRAY['in_person','online','hybrid'])[1 + i % 3], 'Palais de l''Europe, Strasbourg',
				$2, 1, i % 5 <> 0,
				CASE WHEN i % 20 = 0 THEN 'draft' WHEN i % 50 = 1 THEN 'cancelled' ELSE 'published' END
			FROM generate_series(1, $1) i`, []any{s.Meetings + btoi(s.BigMeetingPeople > 0), s.PerState}},
		{"meeting_states", `
			INSERT INTO meeting_states (meeting_id, state_code)
			SELECT m.id, st.code FROM meetings m
			CROSS JOIN (SELECT code FROM states ORDER BY code LIMIT $1) st`, []any{s.States}},
		{"agenda_items", `
			INSERT INTO agenda_items (meeting_id, position, title_en, title_fr, notes_en, notes_fr, speakers)
			SELECT m.id, p, 'Item ' || p || ': examination of the report', 'Point ' || p || ' : examen du rapport',
				'The meeting is invited to take note of the report.', 'La réunion est invitée à prendre note du rapport.',
				'[{"name": "Élodie Durand", "function": "Chair", "registration_id": null}]'
			FROM meetings m CROSS JOIN generate_series(1, $1) p`, []any{s.AgendaItems}},
		// Ordinary meetings: PerState people per invited state. The last
		// meeting (highest id) is the big one when there is one.
		{"registrations", regInsert + `
			FROM meetings m JOIN meeting_states ms ON ms.meeting_id = m.id
			CROSS JOIN generate_series(1, $1) g
			WHERE m.id <= (SELECT min(id) FROM meetings) + $2 - 1`, []any{s.PerState, s.Meetings}},
		{"big meeting registrations", regInsert + `
			FROM (SELECT max(id) AS id FROM meetings) m
			CROSS JOIN generate_series(1, $1) g
			JOIN (SELECT code AS state_code, row_number() OVER (ORDER BY code) - 1 AS n FROM states ORDER BY code LIMIT $2) ms
			  ON ms.n = g % $2`, []any{s.BigMeetingPeople, s.States}},
		{"mail history", `
			INSERT INTO outgoing_mail (kind, to_address, to_name, language, subject, text_body, html_body,
				meeting_id, registration_id, dedupe_key, message_id, status, attempts, created_at, queued_at, sent_at)
			SELECT 'registration_confirmed', r.email, r.first_name || ' ' || r.last_name, r.language,
				'Your registration / Votre inscription', 'Dear delegate, your registration is recorded.',
				'<p>Dear delegate, your registration is recorded.</p>', r.meeting_id, r.id,
				'registration_confirmed:' || r.id, md5('msg' || r.id) || '@agora.example.org',
				CASE WHEN r.id % 97 = 0 THEN 'failed' ELSE 'sent' END, 1, r.created_at, r.created_at, r.created_at
			FROM registrations r`, nil},
		{"analyze", `ANALYZE`, nil},
	}
	for _, st := range steps {
		if _, err := db.ExecContext(ctx, st.sql, st.args...); err != nil {
			return g, fmt.Errorf("readbench: generate %s: %w", st.name, err)
		}
	}
	err := db.GetContext(ctx, &g.BigMeetingID, `SELECT max(id) FROM meetings`)
	if err == nil {
		err = db.GetContext(ctx, &g.Registrations, `SELECT count(*) FROM registrations`)
	}
	if err == nil {
		err = db.GetContext(ctx, &g.Mails, `SELECT count(*) FROM outgoing_mail`)
	}
	g.Took = time.Since(start)
	return g, err
}

// regInsert is the common head of the registration inserts: people are
// numbered g within their meeting and state; manage_hash is unique because
// it hashes (meeting, state, number).
const regInsert = `
	INSERT INTO registrations (meeting_id, state_code, first_name, last_name, email, function, organisation,
		delegation_role, language, funding_requested, funded, list_consent, consent_at, status, waitlisted_at,
		manage_nonce, manage_hash, source, created_at, updated_at)
	SELECT m.id, ms.state_code,
		(ARRAY['Anna','Jean','Maria','Pieter','Ioana','Luca','Sofia','Mehmet','Elif','Lars','Zsófia','Émile'])[1 + g % 12],
		(ARRAY['Müller','Dupont','Rossi','Kowalski','Popescu','Jansen','García','Yılmaz','Nielsen','Horváth','Ó Briain','Łukasik'])[1 + (g * 7 + length(ms.state_code)) % 12] || ' ' || g,
		'p' || g || '.' || lower(ms.state_code) || '.m' || m.id || '@example.org',
		'Head of unit', 'Ministry of Foreign Affairs',
		(ARRAY['head','delegate','expert','adviser','observer'])[1 + g % 5],
		(ARRAY['en','fr'])[1 + g % 2],
		g % 3 = 0, g % 10 = 1, g % 4 <> 0, now() - interval '30 days',
		CASE WHEN g % 10 IN (1, 2, 3, 4, 5) THEN 'confirmed' WHEN g % 10 IN (6, 7) THEN 'waitlisted'
		     WHEN g % 10 = 8 THEN 'pending' WHEN g % 10 = 9 THEN 'cancelled' ELSE 'declined' END,
		CASE WHEN g % 10 IN (6, 7) THEN now() - interval '20 days' + g * interval '1 minute' END,
		decode(md5('nonce-' || m.id || '-' || ms.state_code || '-' || g), 'hex'),
		sha256(convert_to('manage-' || m.id || '-' || ms.state_code || '-' || g, 'UTF8')),
		'link', now() - interval '30 days' + g * interval '1 minute', now() - interval '30 days' + g * interval '1 minute'`

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
