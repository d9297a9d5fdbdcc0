package readbench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/postgres"
)

// BenchmarkLargeData generates the Large instance on a fresh database and
// measures, one request at a time, the p50/p99 of the paginated lists and
// of the CSV export of the 5,000-registration meeting; it prints the
// EXPLAIN (ANALYZE, BUFFERS) plans of the list queries.
func BenchmarkLargeData(b *testing.B) {
	e := apptest.Start(b)
	ctx := context.Background()
	db, err := postgres.Open(ctx, e.DSN, postgres.PoolOptions{MaxOpenConns: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	g, err := Generate(ctx, db, Large)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("generated %d registrations, %d emails in %.1fs; big meeting %d\n",
		g.Registrations, g.Mails, g.Took.Seconds(), g.BigMeetingID)
	b.ReportMetric(g.Took.Seconds(), "generate_s")

	// A typical meeting: published, in the middle of the range, 450 registrations.
	var typical int64
	if err := db.GetContext(ctx, &typical, `SELECT id FROM meetings WHERE lifecycle = 'published' ORDER BY id OFFSET 250 LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, path, as string
		runs           int
		target         time.Duration
	}{
		{"meetings_page_anon", "/api/v1/meetings?limit=50", "", 200, 100 * time.Millisecond},
		{"meetings_page_secretariat", "/api/v1/meetings?limit=50", "secretariat", 200, 100 * time.Millisecond},
		{"registrations_page", fmt.Sprintf("/api/v1/meetings/%d/registrations?limit=50", typical), "secretariat", 200, 100 * time.Millisecond},
		{"registrations_page_big", fmt.Sprintf("/api/v1/meetings/%d/registrations?limit=50", g.BigMeetingID), "secretariat", 100, 100 * time.Millisecond},
		{"mail_page_meeting", fmt.Sprintf("/api/v1/mail?meeting_id=%d&limit=50", typical), "secretariat", 200, 100 * time.Millisecond},
		{"mail_page_all", "/api/v1/mail?limit=50", "secretariat", 200, 100 * time.Millisecond},
		{"export_csv_5000", fmt.Sprintf("/api/v1/meetings/%d/registrations.csv?lang=fr", g.BigMeetingID), "secretariat", 50, 2 * time.Second},
	}
	client := NewClient(1)
	for b.Loop() {
		for _, c := range cases {
			h := http.Header{}
			if c.as != "" {
				h.Set("Authorization", "Bearer "+e.Tokens[c.as])
			}
			Load{Clients: 1, Requests: 5, MaxDuration: time.Minute}.Run(ctx, client, e.URL+c.path, h) // warm up
			r := Load{Clients: 1, Requests: c.runs, MaxDuration: 5 * time.Minute}.Run(ctx, client, e.URL+c.path, h)
			if r.Errors > 0 {
				b.Errorf("%s: %d errors", c.name, r.Errors)
			}
			verdict := "ok"
			if r.P99 >= c.target {
				verdict = "OVER TARGET"
			}
			fmt.Printf("%-26s %4d runs: p50 %8.2f ms, p99 %8.2f ms (target p99 < %v) %s\n",
				c.name, r.Requests, ms(r.P50), ms(r.P99), c.target, verdict)
			b.ReportMetric(ms(r.P50), c.name+"_p50_ms")
			b.ReportMetric(ms(r.P99), c.name+"_p99_ms")
		}
	}
	b.StopTimer()
	explainLists(b, db, typical, g.BigMeetingID)
}

// explainLists prints the plans of the list queries, copied from
// internal/meeting (Meetings), internal/registration (Registrations) and
// internal/mail (Outbox.List) with the parameters the benchmark used.
func explainLists(b *testing.B, db *sqlx.DB, typical, big int64) {
	const meetingColumns = `m.id, m.kind, m.title_en, m.title_fr, m.description_en, m.description_fr,
	m.starts_at, m.ends_at, m.timezone, m.format, m.venue, m.online_url, m.languages,
	m.registration_opens_at, m.registration_closes_at, m.seats_per_state, m.funded_seats_per_state,
	m.capacity, m.audience, m.requires_approval, m.public, m.cancel_reason, m.sequence,
	m.created_at, m.updated_at, CASE
	WHEN m.lifecycle <> 'published' THEN m.lifecycle
	WHEN now() >= m.ends_at THEN 'held'
	WHEN now() >= coalesce(m.registration_closes_at, m.starts_at) THEN 'registration_closed'
	WHEN m.registration_opens_at IS NULL OR now() >= m.registration_opens_at THEN 'registration_open'
	ELSE 'published' END AS status,
	ARRAY(SELECT s.state_code FROM meeting_states s WHERE s.meeting_id = m.id ORDER BY s.state_code) AS invited_states`
	const regColumns = `r.id, r.meeting_id, r.state_code, r.first_name, r.last_name, r.email, r.function, r.organisation,
	r.delegation_role, r.language, r.funding_requested, r.dietary, r.accessibility, r.list_consent, r.status, r.funded,
	r.decline_reason, r.source, r.consent_at, r.waitlisted_at, r.checked_in_at, r.replaces_id, r.created_at, r.updated_at, r.manage_nonce`
	const mailColumns = `id, kind, to_address, to_name, language, subject, status, attempts, last_error,
    message_id, meeting_id, registration_id, calendar IS NOT NULL AS has_calendar, queued_at,
    CASE WHEN status = 'retrying' THEN next_attempt_at END AS next_attempt_at, sent_at`
	regList := `SELECT ` + regColumns + `, CASE WHEN $5 = 'fr' THEN st.name_fr ELSE st.name_en END AS state_name
		FROM registrations r JOIN states st ON st.code = r.state_code
		WHERE r.meeting_id = $1 AND ($2 = '' OR r.state_code = $2) AND ($3 = '' OR r.status = $3)
		  AND ($4 = '' OR r.delegation_role = $4)`
	plans := []struct {
		name, sql string
		args      []any
	}{
		{"meetings page (anonymous)", `SELECT ` + meetingColumns + ` FROM meetings m WHERE true AND m.lifecycle <> 'draft' AND m.public ORDER BY m.starts_at, m.id LIMIT $1`, []any{51}},
		{"registrations of a meeting (typical)", regList, []any{typical, "", "", "", "en"}},
		{"registrations of a meeting (5,000)", regList, []any{big, "", "", "", "fr"}},
		{"mail log by meeting", `SELECT ` + mailColumns + ` FROM outgoing_mail WHERE meeting_id = $1 ORDER BY id DESC LIMIT 51`, []any{typical}},
		{"mail log, all", `SELECT ` + mailColumns + ` FROM outgoing_mail ORDER BY id DESC LIMIT 51`, nil},
		{"mail log by status failed", `SELECT ` + mailColumns + ` FROM outgoing_mail WHERE status = $1 ORDER BY id DESC LIMIT 51`, []any{"failed"}},
	}
	for _, p := range plans {
		var lines []string
		if err := db.Select(&lines, `EXPLAIN (ANALYZE, BUFFERS) `+p.sql, p.args...); err != nil {
			b.Fatalf("explain %s: %v", p.name, err)
		}
		fmt.Printf("\n-- PLAN %s\n%s\n", p.name, strings.Join(lines, "\n"))
	}
}
