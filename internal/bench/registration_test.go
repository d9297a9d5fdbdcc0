package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
)

var (
	clients       = flag.Int("bench.clients", 64, "concurrent clients, over HTTP and in pgbench")
	registrations = flag.Int("bench.registrations", 10000, "registrations per side (app, pgbench), rounded up to a multiple of 2 × clients")
	seats         = flag.Int("bench.seats", 2, "seats per state: 2 sends most people to the waiting list, as a popular meeting does")
	pgbenchScript = flag.String("bench.pgbench-script", "testdata/registration.sql", "pgbench's transaction, to try a variant (variables: see testdata/registration.sql)")
	pgbenchMode   = flag.String("bench.pgbench-mode", "prepared", "pgbench's query protocol: simple, extended or prepared")
	inProcess     = flag.Bool("bench.in-process", false, "run the app inside the benchmark instead of as a process (to profile it with -cpuprofile)")
	phaseTimeout  = flag.Duration("bench.phase-timeout", 3*time.Minute, "upper bound of each measured phase")
)

// BenchmarkRegistration is the quality bar "a registration is one short
// transaction; the app sustains at least half of what pgbench achieves for
// the same SQL on the same machine". One `agora serve` process, built and
// started as an operator would, takes registrations through invitation
// links from 64 keep-alive HTTP clients; pgbench, with as many clients,
// runs the same transaction (testdata/registration.sql: hold the
// meeting's lock shared and read the meeting, lock the state's quota, count its seats, insert the
// registration, queue its email) on the same database. Each side
// registers into meetings of its own, so the count sees as many rows on
// both. The phases run in the order app,
// pgbench, pgbench, app, each with half the registrations, so that a
// machine getting slower or faster during the run favours neither side.
//
//	go test -run '^$' -bench Registration -benchtime 1x ./internal/bench/
//
// Every registration must succeed (HTTP 201, pgbench without failures),
// and no state may end with more confirmed seats than its quota.
func BenchmarkRegistration(b *testing.B) {
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Skip("pgbench is not installed")
	}
	var (
		app *agora
		db  *sqlx.DB
		dsn string
	)
	if *inProcess {
		app, db, dsn = startInProcess(b)
	} else {
		db, dsn = testdb.New(b)
		app = startAgora(b, dsn)
	}
	n := *clients
	perClient := (*registrations + 2*n - 1) / (2 * n) // per client and phase
	pg := Pgbench{ConnInfo: dsn, Script: *pgbenchScript, Mode: *pgbenchMode, Clients: n, Threads: 2}

	// Warm up both sides (connections, caches), unmeasured; the app's
	// warm-up also writes the email whose size pgbench's rows copy.
	warm := app.openMeeting(b, "Warm-up over HTTP", *seats)
	if r := app.load(b, warm, n, 2*n); r.Failures > 0 {
		b.Fatalf("warm-up: %d of %d registrations failed: %s", r.Failures, r.Sent, strings.Join(r.Errors, "; "))
	}
	tpl := mailTemplate(b, db, warm.ID)
	_, last := pgbenchPhaseRetried(b, db, app, pg, tpl, 2)

	var (
		appRes        LoadResult
		pgRes         []PgbenchResult
		appCPU, pgCPU cpuUse
		appSessions   int
	)
	appPhase := func() {
		m := app.openMeeting(b, "Over HTTP", *seats)
		before, sessions := readCPU(app.pid), sessionCount(b, db)
		appRes = appRes.Merge(app.load(b, m, n, n*perClient))
		appCPU = appCPU.add(readCPU(app.pid).sub(before))
		appSessions += sessionCount(b, db) - sessions
	}
	for range b.N {
		appPhase()
		for range 2 {
			before := readCPU(app.pid)
			var r PgbenchResult
			r, last = pgbenchPhaseRetried(b, db, app, pg, tpl, perClient)
			pgCPU = pgCPU.add(readCPU(app.pid).sub(before))
			pgRes = append(pgRes, r)
		}
		appPhase()
	}

	pgTotal := combine(pgRes)
	appRate := appRes.Rate()
	perApp := func(d time.Duration) float64 { return ms(d) / float64(max(appRes.Sent, 1)) }
	perPg := func(d time.Duration) float64 { return ms(d) / float64(max(pgTotal.Processed, 1)) }
	b.ReportMetric(0, "ns/op") // one op is a whole comparison: the rates below say it
	b.ReportMetric(appRate, "app_req/s")
	b.ReportMetric(pgTotal.TPS, "pgbench_tps")
	b.ReportMetric(appRate/pgTotal.TPS, "app/pgbench")
	b.ReportMetric(ms(Percentile(appRes.Latencies, 50)), "app_p50_ms")
	b.ReportMetric(ms(Percentile(appRes.Latencies, 99)), "app_p99_ms")
	b.ReportMetric(ms(pgTotal.AvgLatency), "pgbench_avg_ms")
	b.ReportMetric(ms(Percentile(pgTotal.Latencies, 50)), "pgbench_p50_ms")
	b.ReportMetric(ms(Percentile(pgTotal.Latencies, 99)), "pgbench_p99_ms")
	b.Logf("%d clients; app: %d registrations in %.1f s = %.0f req/s, p50 %.1f ms, p99 %.1f ms; "+
		"pgbench: %d transactions, %.0f tps, average %.1f ms, p50 %.1f ms, p99 %.1f ms; app/pgbench %.2f",
		n, appRes.Sent, appRes.Elapsed.Seconds(), appRate, ms(Percentile(appRes.Latencies, 50)), ms(Percentile(appRes.Latencies, 99)),
		pgTotal.Processed, pgTotal.TPS, ms(pgTotal.AvgLatency), ms(Percentile(pgTotal.Latencies, 50)), ms(Percentile(pgTotal.Latencies, 99)),
		appRate/pgTotal.TPS)
	b.Logf("CPU ms per registration: app side: agora %.2f, PostgreSQL %.2f, HTTP clients %.2f; pgbench side: PostgreSQL %.2f, pgbench %.2f "+
		"(PostgreSQL counts every database on the server); the app opened %d database connections while measured",
		perApp(appCPU.Agora), perApp(appCPU.Postgres), perApp(appCPU.Self), perPg(pgCPU.Postgres), perPg(pgCPU.Children), appSessions)
	b.Logf("pgbench %s", strings.Join(last.Args(), " "))

	if appRes.Failures > 0 {
		b.Errorf("app: %d of %d registrations failed, e.g. %s", appRes.Failures, appRes.Sent, strings.Join(appRes.Errors, "; "))
	}
	if want := 2 * b.N * n * perClient; appRes.Sent != want || pgTotal.Processed != want || pgTotal.Failed > 0 {
		b.Errorf("incomplete: app %d, pgbench %d (%d failed) of %d registrations each", appRes.Sent, pgTotal.Processed, pgTotal.Failed, want)
	}
	checkQuotas(b, db, *seats)
}

// load registers total people at the meeting over HTTP from the given
// number of keep-alive clients, each through a random state's link.
func (a *agora) load(b *testing.B, m proctest.Meeting, clients, total int) LoadResult {
	b.Helper()
	return register(b, []string{a.URL}, m, clients, total)
}

// register is load over one or more Agora processes of one database:
// client w sends its requests to bases[w % len(bases)], as a load
// balancer that keeps each client's connection on one backend does.
func register(b *testing.B, bases []string, m proctest.Meeting, clients, total int) LoadResult {
	b.Helper()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), *phaseTimeout)
	defer cancel()
	r := Load{Clients: clients, Total: total, Do: func(ctx context.Context, w, i int) error {
		url := fmt.Sprintf("%s/api/v1/meetings/%d/registrations", bases[w%len(bases)], m.ID)
		lang := []string{"en", "fr"}[i%2]
		body, _ := json.Marshal(map[string]any{
			"invitation_token":  m.Tokens[rand.IntN(len(m.Tokens))],
			"first_name":        "Delegate",
			"last_name":         "Number " + strconv.Itoa(i),
			"email":             fmt.Sprintf("delegate.%d.%d@example.org", m.ID, i),
			"function":          "Head of unit",
			"organisation":      "Ministry of Health",
			"delegation_role":   "delegate",
			"language":          lang,
			"funding_requested": i%3 == 0,
			"list_consent":      true,
		})
		req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(got))
		}
		return nil
	}}.Run(ctx)
	if r.Sent < total {
		b.Logf("app: stopped after %v with %d of %d registrations", *phaseTimeout, r.Sent, total)
	}
	return r
}

// pgbenchPhase runs pgbench's side on a meeting of its own: perClient
// registrations per client. It returns the measurements and the run.
func pgbenchPhase(b *testing.B, db *sqlx.DB, app *agora, pg Pgbench, mailTemplate int64, perClient int) (PgbenchResult, Pgbench, error) {
	b.Helper()
	m := app.openMeeting(b, "Over pgbench", *seats)
	var invs []struct {
		ID    int64  `db:"id"`
		State string `db:"state_code"`
	}
	if err := db.Select(&invs, `SELECT id, state_code FROM invitations WHERE meeting_id = $1 ORDER BY state_code`, m.ID); err != nil {
		b.Fatal(err)
	}
	states, ids := make([]string, len(invs)), make([]string, len(invs))
	for i, inv := range invs {
		states[i], ids[i] = inv.State, strconv.FormatInt(inv.ID, 10)
	}
	pg.PerClient, pg.LogDir = perClient, b.TempDir()
	pg.Vars = map[string]string{
		"meeting": strconv.FormatInt(m.ID, 10), "states": strings.Join(states, ","), "invitations": strings.Join(ids, ","),
		"nstates": strconv.Itoa(len(states)), "seats": strconv.Itoa(*seats),
		"mail_template": strconv.FormatInt(mailTemplate, 10), "mail_status": "withheld",
	}
	ctx, cancel := context.WithTimeout(context.Background(), *phaseTimeout)
	defer cancel()
	r, err := pg.Run(ctx)
	if err != nil {
		return r, pg, err
	}
	// pgbench's side must do the whole work too: a registration and an
	// email for every transaction.
	var regs, mails int
	err = db.QueryRow(`SELECT (SELECT count(*) FROM registrations WHERE meeting_id = $1),
		(SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND dedupe_key LIKE 'pgbench:%')`, m.ID).Scan(&regs, &mails)
	if err != nil {
		b.Fatal(err)
	}
	if regs != r.Processed || mails != r.Processed {
		b.Fatalf("pgbench: %d transactions wrote %d registrations and %d emails", r.Processed, regs, mails)
	}
	return r, pg, nil
}

// pgbenchPhaseRetried is pgbenchPhase, tried again (on a new meeting) while
// the server has no connection left for all of pgbench's clients: other
// tests may share it, and pgbench connects every client before it starts.
func pgbenchPhaseRetried(b *testing.B, db *sqlx.DB, app *agora, pg Pgbench, mailTemplate int64, perClient int) (PgbenchResult, Pgbench) {
	b.Helper()
	for attempt := 1; ; attempt++ {
		r, run, err := pgbenchPhase(b, db, app, pg, mailTemplate, perClient)
		if err == nil {
			return r, run
		}
		if !strings.Contains(err.Error(), "too many clients") || attempt == 10 {
			b.Fatal(err)
		}
		b.Logf("pgbench: the server has too few free connections for %d clients; trying again", pg.Clients)
		time.Sleep(3 * time.Second)
	}
}

// mailTemplate picks the email the app wrote most often at a meeting (the
// waiting-list notice when seats are few), for pgbench to copy.
func mailTemplate(b *testing.B, db *sqlx.DB, meetingID int64) int64 {
	b.Helper()
	var id int64
	err := db.Get(&id, `
		SELECT max(id) FROM outgoing_mail WHERE meeting_id = $1 AND kind = (
			SELECT kind FROM outgoing_mail WHERE meeting_id = $1 GROUP BY kind ORDER BY count(*) DESC LIMIT 1)`, meetingID)
	if err != nil {
		b.Fatalf("no email written by the warm-up: %v", err)
	}
	return id
}

// sessionCount is how many connections the database has had so far.
func sessionCount(b *testing.B, db *sqlx.DB) int {
	b.Helper()
	var n int
	if err := db.Get(&n, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`); err != nil {
		b.Fatal(err)
	}
	return n
}

// combine adds up pgbench runs made one after the other.
func combine(rs []PgbenchResult) PgbenchResult {
	var (
		c       PgbenchResult
		seconds float64
		latSum  float64
	)
	for _, r := range rs {
		c.Processed += r.Processed
		c.Failed += r.Failed
		seconds += float64(r.Processed) / r.TPS
		latSum += float64(r.Processed) * float64(r.AvgLatency)
		c.Latencies = append(c.Latencies, r.Latencies...)
	}
	if c.Processed > 0 {
		c.TPS = float64(c.Processed) / seconds
		c.AvgLatency = time.Duration(latSum / float64(c.Processed))
	}
	slices.Sort(c.Latencies)
	return c
}

// checkQuotas fails the benchmark if any state holds more confirmed seats
// than its quota at any meeting: speed must not cost correctness.
func checkQuotas(b *testing.B, db *sqlx.DB, seats int) {
	b.Helper()
	var over []string
	err := db.Select(&over, `
		SELECT meeting_id || ' ' || state_code || ': ' || count(*) FROM registrations
		WHERE status = 'confirmed' GROUP BY meeting_id, state_code HAVING count(*) > $1`, seats)
	if err != nil {
		b.Fatal(err)
	}
	if len(over) > 0 {
		b.Errorf("confirmed seats over the quota of %d: %s", seats, strings.Join(over, ", "))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
