package readbench

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/statistics"
)

// BenchmarkStatistics generates the Large instance, then makes its people
// come back (each address recurs in about one meeting in forty, so a
// person takes part a dozen times over the four years), gives them a
// self-declared gender, checks some in and varies their organisations;
// it measures, one request at a time, the p50/p99 of the participation
// statistics of one year (JSON, page in English and French, CSV, XLSX,
// one kind of meeting, all four years) and of the people search and a
// person's history, and prints the EXPLAIN plans of their queries.
//
//	go test -run '^$' -bench Statistics -benchtime 1x -timeout 20m ./internal/readbench/
func BenchmarkStatistics(b *testing.B) {
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
	start := time.Now()
	for _, q := range []string{
		`UPDATE registrations SET
			email = regexp_replace(email, '\.m[0-9]+@', '.c' || (meeting_id % 40) || '@'),
			gender = (ARRAY['woman','man','woman','man','other','undisclosed','','man'])[1 + id % 8],
			checked_in_at = CASE WHEN status = 'confirmed' AND id % 4 <> 0 THEN created_at END,
			organisation = (ARRAY['Ministry of Foreign Affairs','Ministère de la Santé','Office fédéral de la police',
				'Ministerio del Interior','Bundesministerium für Gesundheit'])[1 + id % 5]`,
		// What autovacuum would have done on a live instance: the update
		// left a dead version of every row.
		`VACUUM ANALYZE registrations`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	fmt.Printf("generated %d registrations in %.1fs, people made to return in %.1fs\n",
		g.Registrations, g.Took.Seconds(), time.Since(start).Seconds())

	now := time.Now().UTC()
	year := url.Values{"from": {now.AddDate(-1, 0, 0).Format(time.DateOnly)}, "to": {now.Format(time.DateOnly)}}
	all := url.Values{"from": {now.AddDate(-3, 0, 0).Format(time.DateOnly)}, "to": {now.Format(time.DateOnly)}}
	var someone int64
	if err := db.GetContext(ctx, &someone, `SELECT min(id) FROM registrations WHERE email LIKE 'p3.fr.c7@%'`); err != nil {
		b.Fatal(err)
	}
	var person struct {
		People []struct{ Email string }
	}
	e.JSON("GET", "/api/v1/people?q=p3.fr.c7", "secretariat", nil, 200, &person)
	if len(person.People) != 1 {
		b.Fatalf("the search for p3.fr.c7 finds %d people", len(person.People))
	}
	const statsTarget, searchTarget = 200 * time.Millisecond, 100 * time.Millisecond
	cases := []struct {
		name, path string
		runs       int
		target     time.Duration
	}{
		// The peer: a page of the meetings list, the cheapest secretariat
		// read of the same instance, measured in the same run.
		{"peer_meetings_page", "/api/v1/meetings?limit=50", 100, searchTarget},
		{"stats_json_year", "/api/v1/statistics/participation?" + year.Encode(), 100, statsTarget},
		{"stats_json_year_kind", "/api/v1/statistics/participation?" + year.Encode() + "&kind=plenary", 100, statsTarget},
		{"stats_json_3_years", "/api/v1/statistics/participation?" + all.Encode(), 50, statsTarget},
		{"stats_page_en", "/secretariat/statistics?" + year.Encode() + "&lang=en", 100, statsTarget},
		{"stats_page_fr", "/secretariat/statistics?" + year.Encode() + "&lang=fr", 100, statsTarget},
		{"stats_csv", "/api/v1/statistics/participation.csv?" + year.Encode() + "&lang=fr", 100, statsTarget},
		{"stats_xlsx", "/api/v1/statistics/participation.xlsx?" + year.Encode(), 100, statsTarget},
		{"people_search_name", "/api/v1/people?q=muller", 200, searchTarget},
		{"people_search_accents", "/api/v1/people?q=" + url.QueryEscape("ZSOFIA lukasik"), 200, searchTarget},
		{"people_search_email", "/api/v1/people?q=p3.fr.c7", 200, searchTarget},
		{"people_search_org", "/api/v1/people?q=" + url.QueryEscape("sante"), 200, searchTarget},
		{"people_search_none", "/api/v1/people?q=zzzzzz", 200, searchTarget},
		{"people_page", "/secretariat/people?q=muller", 200, searchTarget},
		{"person_history", fmt.Sprintf("/api/v1/people/%d", someone), 200, searchTarget},
		// The peer again: the machine's load at the end of the run.
		{"peer_meetings_page_end", "/api/v1/meetings?limit=50", 100, searchTarget},
	}
	client := NewClient(1)
	h := http.Header{"Authorization": {"Bearer " + e.Tokens["secretariat"]}}
	for b.Loop() {
		for _, c := range cases {
			Load{Clients: 1, Requests: 5, MaxDuration: time.Minute}.Run(ctx, client, e.URL+c.path, h) // warm up
			r := Load{Clients: 1, Requests: c.runs, MaxDuration: 5 * time.Minute}.Run(ctx, client, e.URL+c.path, h)
			if r.Errors > 0 {
				b.Errorf("%s: %d errors", c.name, r.Errors)
			}
			verdict := "ok"
			if r.P99 >= c.target {
				verdict = "OVER TARGET"
			}
			fmt.Printf("%-24s %4d runs: p50 %8.2f ms, p99 %8.2f ms (target p99 < %v) %s, %d kB\n",
				c.name, r.Requests, ms(r.P50), ms(r.P99), c.target, verdict, bodySize(b, client, e.URL+c.path, h)/1000)
			b.ReportMetric(ms(r.P50), c.name+"_p50_ms")
			b.ReportMetric(ms(r.P99), c.name+"_p99_ms")
		}
	}
	b.StopTimer()

	// The plans: the report's queries with one year's parameters, and the
	// search's first query for a name.
	from, _ := time.Parse(time.DateOnly, year.Get("from"))
	to, _ := time.Parse(time.DateOnly, year.Get("to"))
	inScope, before, err := statistics.Scope(ctx, db, statistics.Filter{From: from, To: to})
	if err != nil {
		b.Fatal(err)
	}
	ids, earlier := pq.Array(inScope), pq.Array(before)
	conn, err := db.Connx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	plans := []struct {
		name, sql string
		args      []any
	}{
		{"statistics: totals (one year)", statistics.TotalsSQL, []any{ids}},
		{"statistics: new and returning people (one year)", statistics.PeopleSQL, []any{ids, earlier}},
		{"statistics: states (one year)", statistics.InviteeQuery(`SELECT code, name_en, name_fr FROM states`, "r.state_code"), []any{ids}},
		{"people search: muller", `SELECT r.email FROM registrations r WHERE r.anonymised_at IS NULL AND
			agora_fold(r.first_name || ' ' || r.last_name || ' ' || r.email || ' ' || r.organisation) LIKE '%' || agora_fold($1) || '%' LIMIT 1000`, []any{"muller"}},
		{"people search: p3.fr.c7", `SELECT r.email FROM registrations r WHERE r.anonymised_at IS NULL AND
			agora_fold(r.first_name || ' ' || r.last_name || ' ' || r.email || ' ' || r.organisation) LIKE '%' || agora_fold($1) || '%' LIMIT 1000`, []any{"p3.fr.c7"}},
	}
	for _, p := range plans {
		var lines []string
		for range 2 {
			lines = nil
			if err := conn.SelectContext(ctx, &lines, `EXPLAIN (ANALYZE, BUFFERS) `+p.sql, p.args...); err != nil {
				b.Fatalf("explain %s: %v", p.name, err)
			}
		}
		fmt.Printf("\n-- PLAN %s\n%s\n", p.name, strings.Join(lines, "\n"))
	}
}
