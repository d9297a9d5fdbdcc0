package readbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/registration"
)

// BenchmarkLargeData generates the Large instance on a fresh database and
// measures, one request at a time, the p50/p99 of the paginated lists
// (the 5,000-registration meeting's first page and a page in the middle),
// of the secretariat's registrations page (HTML) of that meeting, first
// and middle page, and of its CSV export; it prints the EXPLAIN (ANALYZE,
// BUFFERS) plans of the list queries and of the counts that place a page
// of the secretariat's table.
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
	bigPage := fmt.Sprintf("/api/v1/meetings/%d/registrations?limit=50", g.BigMeetingID)
	middle := cursorAfterPages(b, e, bigPage, 50) // rows 2,501–2,550 of 5,000
	secPage := fmt.Sprintf("/secretariat/meetings/%d/registrations", g.BigMeetingID)
	cases := []struct {
		name, path, as string
		runs           int
		target         time.Duration
	}{
		{"meetings_page_anon", "/api/v1/meetings?limit=50", "", 200, 100 * time.Millisecond},
		{"meetings_page_secretariat", "/api/v1/meetings?limit=50", "secretariat", 200, 100 * time.Millisecond},
		{"registrations_page", fmt.Sprintf("/api/v1/meetings/%d/registrations?limit=50", typical), "secretariat", 200, 100 * time.Millisecond},
		{"registrations_page_big", bigPage, "secretariat", 100, 100 * time.Millisecond},
		{"registrations_page_big_mid", bigPage + "&cursor=" + middle, "secretariat", 100, 100 * time.Millisecond},
		{"registrations_page_big_fr", bigPage + "&lang=fr", "secretariat", 100, 100 * time.Millisecond},
		{"mail_page_meeting", fmt.Sprintf("/api/v1/mail?meeting_id=%d&limit=50", typical), "secretariat", 200, 100 * time.Millisecond},
		{"mail_page_all", "/api/v1/mail?limit=50", "secretariat", 200, 100 * time.Millisecond},
		// The secretariat's registrations table (HTML, with its forms) of
		// the 5,000-registration meeting: its first page and the page that
		// starts at row 2,501.
		{"sec_registrations_html", secPage, "secretariat", 50, 100 * time.Millisecond},
		{"sec_registrations_html_mid", secPage + "?cursor=" + middle, "secretariat", 50, 100 * time.Millisecond},
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
			fmt.Printf("%-26s %4d runs: p50 %8.2f ms, p99 %8.2f ms (target p99 < %v) %s, %d kB\n",
				c.name, r.Requests, ms(r.P50), ms(r.P99), c.target, verdict, bodySize(b, client, e.URL+c.path, h)/1000)
			b.ReportMetric(ms(r.P50), c.name+"_p50_ms")
			b.ReportMetric(ms(r.P99), c.name+"_p99_ms")
		}
	}
	b.StopTimer()
	explainLists(b, db, typical, g.BigMeetingID, middle)
}

// bodySize is the length of the response to one GET: what a browser
// downloads for the page.
func bodySize(b *testing.B, client *http.Client, url string, h http.Header) int {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header = h
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return int(n)
}

// cursorAfterPages walks pages of a list as the secretariat and returns
// the cursor of the page that follows them.
func cursorAfterPages(b *testing.B, e *apptest.Env, path string, pages int) string {
	cursor := ""
	for range pages {
		var page struct {
			Next *string `json:"next"`
		}
		e.JSON("GET", path+"&cursor="+cursor, "secretariat", nil, 200, &page)
		if page.Next == nil {
			b.Fatalf("%s ends before %d pages", path, pages)
		}
		cursor = *page.Next
	}
	return cursor
}

// explainLists prints the plans of the list queries, copied from
// internal/meeting (Meetings) and internal/mail (Outbox.List), and taken
// from internal/registration (ListQuery), with the parameters the
// benchmark used. The registrations pages are planned twice: with their
// parameters, as EXPLAIN does, and as a generic plan, which the
// statement cache's prepared statements may settle on.
func explainLists(b *testing.B, db *sqlx.DB, typical, big int64, middle string) {
	const meetingColumns = `m.id, m.kind, m.title_en, m.title_fr, m.description_en, m.description_fr,
	m.starts_at, m.ends_at, m.timezone, m.format, m.venue_en, m.venue_fr, m.venue_en AS venue, m.online_url,
	m.languages, m.registration_opens_at, m.registration_closes_at, m.seats_per_state, m.funded_seats_per_state,
	m.capacity, m.audience, m.requires_approval, m.public, m.cancel_reason, m.cancel_reason_fr, m.sequence,
	m.created_at, m.updated_at, CASE
	WHEN m.lifecycle <> 'published' THEN m.lifecycle
	WHEN now() >= m.ends_at THEN 'held'
	WHEN now() >= coalesce(m.registration_closes_at, m.starts_at) THEN 'registration_closed'
	WHEN m.registration_opens_at IS NULL OR now() >= m.registration_opens_at THEN 'registration_open'
	ELSE 'published' END AS status,
	ARRAY(SELECT s.state_code FROM meeting_states s WHERE s.meeting_id = m.id ORDER BY s.state_code) AS invited_states`
	const mailColumns = `id, kind, to_address, to_name, language, subject, status, attempts, last_error,
    message_id, meeting_id, registration_id, calendar IS NOT NULL AS has_calendar, queued_at,
    CASE WHEN status = 'retrying' THEN next_attempt_at END AS next_attempt_at, sent_at`
	regList := func(meetingID int64, f registration.Filter) (string, []any) {
		q, args, err := registration.ListQuery(meetingID, f)
		if err != nil {
			b.Fatal(err)
		}
		return q, args
	}
	typicalSQL, typicalArgs := regList(typical, registration.Filter{Lang: "en", Limit: 50})
	firstSQL, firstArgs := regList(big, registration.Filter{Lang: "en", Limit: 50})
	middleSQL, middleArgs := regList(big, registration.Filter{Lang: "en", Limit: 50, Cursor: middle})
	frSQL, frArgs := regList(big, registration.Filter{Lang: "fr", Limit: 50})
	exportSQL, exportArgs := regList(big, registration.Filter{Lang: "fr"})
	regPosition := func(meetingID int64, f registration.Filter) (string, []any) {
		q, args, err := registration.PositionQuery(meetingID, f)
		if err != nil {
			b.Fatal(err)
		}
		return q, args
	}
	countSQL, countArgs := regPosition(big, registration.Filter{Lang: "en"})
	placeSQL, placeArgs := regPosition(big, registration.Filter{Lang: "en", Cursor: middle})
	plans := []struct {
		name, sql string
		args      []any
		generic   bool
	}{
		{"meetings page (anonymous)", `SELECT ` + meetingColumns + ` FROM meetings m WHERE true AND m.lifecycle <> 'draft' AND m.public ORDER BY m.starts_at, m.id LIMIT $1`, []any{51}, false},
		{"registrations page (typical meeting, 450)", typicalSQL, typicalArgs, false},
		{"registrations first page (5,000)", firstSQL, firstArgs, false},
		{"registrations first page (5,000), generic plan", firstSQL, firstArgs, true},
		{"registrations middle page (5,000)", middleSQL, middleArgs, false},
		{"registrations middle page (5,000), generic plan", middleSQL, middleArgs, true},
		{"registrations first page (5,000), French", frSQL, frArgs, false},
		{"registrations, all (5,000, the export)", exportSQL, exportArgs, false},
		{"registrations count (5,000, the secretariat's first page)", countSQL, countArgs, false},
		{"registrations count and place of the middle page (5,000, the secretariat's table)", placeSQL, placeArgs, false},
		{"same, generic plan", placeSQL, placeArgs, true},
		{"mail log by meeting", `SELECT ` + mailColumns + ` FROM outgoing_mail WHERE meeting_id = $1 ORDER BY id DESC LIMIT 51`, []any{typical}, false},
		{"mail log, all", `SELECT ` + mailColumns + ` FROM outgoing_mail ORDER BY id DESC LIMIT 51`, nil, false},
		{"mail log by status failed", `SELECT ` + mailColumns + ` FROM outgoing_mail WHERE status = $1 ORDER BY id DESC LIMIT 51`, []any{"failed"}, false},
	}
	// One connection, each query explained twice and the second plan
	// printed: a new connection's first sort under an ICU collation opens
	// the collator (a few milliseconds, once per connection), which the
	// application's pooled connections have long done.
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for _, p := range plans {
		var lines []string
		for range 2 {
			lines = nil
			if p.generic {
				lines, err = explainGeneric(ctx, conn, p.sql, p.args)
			} else {
				err = conn.SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+p.sql, p.args...)
			}
			if err != nil {
				b.Fatalf("explain %s: %v", p.name, err)
			}
		}
		fmt.Printf("\n-- PLAN %s\n%s\n", p.name, strings.Join(lines, "\n"))
	}
}

// explainGeneric returns the generic plan of a query: prepared in SQL on
// conn with plan_cache_mode forcing the generic plan, then executed with
// the arguments written as literals.
func explainGeneric(ctx context.Context, conn *sqlx.Conn, query string, args []any) ([]string, error) {
	literals := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			literals[i] = pq.QuoteLiteral(v)
		default:
			literals[i] = fmt.Sprint(v)
		}
	}
	var lines []string
	var err error
	for _, q := range []string{
		`SET plan_cache_mode = force_generic_plan`,
		`PREPARE readbench_generic AS ` + query,
		`EXPLAIN (ANALYZE, BUFFERS) EXECUTE readbench_generic(` + strings.Join(literals, ", ") + `)`,
		`DEALLOCATE readbench_generic`,
		`RESET plan_cache_mode`,
	} {
		if strings.HasPrefix(q, "EXPLAIN") {
			err = conn.SelectContext(ctx, &lines, q)
		} else {
			_, err = conn.ExecContext(ctx, q)
		}
		if err != nil {
			return nil, err
		}
	}
	return lines, nil
}
