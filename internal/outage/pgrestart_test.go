package outage

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/proctest"
)

// PostgreSQL goes away twice under a steady public load — stopped "fast"
// (clients disconnected, open transactions rolled back) and "immediate"
// (as a crash: recovery from the WAL at the next start) — and comes back
// after -outage.pg-down. Agora answers 503 meanwhile, never 500, and
// recovers on its own.
func TestPostgresRestartUnderLoad(t *testing.T) {
	began := time.Now()
	pg, dsn, db := privateCluster(t)
	env := proctest.Quiet(dsn)
	serve := proctest.Start(t, agoraBin, "serve", env, "serve")
	api := proctest.Secretariat(t, agoraBin, env, serve.URL)
	const seats, funded = 2, 1
	m := api.OpenMeeting(t, "Plenary under a database restart", seats, funded)
	api.JSON(t, "PATCH", m.Path(), map[string]any{"public": true}, http.StatusOK, nil)
	for i := 1; i <= 3; i++ {
		title := fmt.Sprintf("Item %d", i)
		api.JSON(t, "POST", m.Path()+"/agenda", map[string]any{"title_en": title, "title_fr": title}, http.StatusCreated, nil)
	}

	tr := newTraffic(serve.URL, m)
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	tr.run(ctx, 3, 6)
	readyz := &http.Client{Timeout: 5 * time.Second}
	for _, mode := range []string{"fast", "immediate"} {
		// Some of everything succeeds before the outage.
		waitSuccesses(t, tr, tr.phase.Load(), 20*time.Second)

		tr.setPhase(phaseDown)
		if err := pg.Stop(mode); err != nil {
			t.Fatalf("pg_ctl stop -m %s: %v", mode, err)
		}
		for end := time.Now().Add(*pgDown); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
			a, err := call(context.Background(), readyz, "GET", serve.URL+"/readyz", nil)
			if err != nil || a.status != http.StatusServiceUnavailable {
				t.Errorf("stop -m %s: /readyz with the database down: %d %v %s, want 503", mode, a.status, err, a.body)
				break
			}
		}
		if err := pg.Start(); err != nil {
			t.Fatalf("pg_ctl start after stop -m %s: %v\n%s", mode, err, pg.Log())
		}
		tr.setPhase(phaseAfter)
		if err := serve.WaitReady(60 * time.Second); err != nil {
			t.Fatalf("stop -m %s: agora did not become ready again: %v\n%s", mode, err, serve.Stderr())
		}
		waitSuccesses(t, tr, int32(phaseAfter), 60*time.Second)
		t.Logf("stop -m %s: %s", mode, tr.report())
		if tr.successes(phaseDown, "register 503") == 0 {
			t.Errorf("stop -m %s: no registration was answered 503 while the database was down: the outage was not seen", mode)
		}
		tr.resetAfter()
	}
	stopLoad()
	tr.wait()

	if serve.Exited() {
		t.Fatalf("agora serve (pid %d) exited during the outages:\n%s", serve.PID, serve.Stderr())
	}
	if len(tr.violations) > 0 {
		t.Errorf("%d answers broke the contract; the first:\n  %s", len(tr.violations), strings.Join(tr.violations[:min(20, len(tr.violations))], "\n  "))
		t.Logf("agora's log of those requests:\n%s", requestLog(serve.Stderr(), tr.violations))
	}
	checkRegistrations(t, db, m.ID, tr, seats, funded)
	t.Logf("%s in all (-outage.pg-down=%s per outage)", time.Since(began).Round(time.Second), *pgDown)
}

// waitSuccesses waits until, in phase p, agenda reads, page reads and
// registrations have each succeeded a few times.
func waitSuccesses(t *testing.T, tr *traffic, p int32, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, 50*time.Millisecond, "reads and registrations succeed", func() (bool, string) {
		for _, k := range []string{"agenda 200", "page 200", "register 201"} {
			if tr.successes(phase(p), k) < 5 {
				return false, tr.report()
			}
		}
		return true, ""
	})
}

// resetAfter starts the next round: what was "after" one outage is
// "before" the next.
func (tr *traffic) resetAfter() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for k, v := range tr.counts[phaseAfter] {
		tr.counts[phaseBefore][k] += v
	}
	tr.counts[phaseAfter] = map[string]int{}
	tr.phase.Store(int32(phaseBefore))
}

// checkRegistrations compares the database with the answers: every 201 is
// one registration with its confirmation in the outbox, every other
// registration belongs to a person whose attempt got no clear answer, and
// no state holds more seats than its quotas.
func checkRegistrations(t *testing.T, db *sqlx.DB, meetingID int64, tr *traffic, seats, funded int) {
	t.Helper()
	var rows []struct {
		ID     int64  `db:"id"`
		Email  string `db:"email"`
		Status string `db:"status"`
		Mails  int    `db:"mails"`
	}
	err := db.Select(&rows, `
		SELECT r.id, r.email, r.status,
		       (SELECT count(*) FROM outgoing_mail m WHERE m.registration_id = r.id AND m.kind LIKE 'registration\_%') AS mails
		FROM registrations r WHERE r.meeting_id = $1`, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	inDB := map[int64]bool{}
	emails := map[string]int{}
	var unanswered int
	for _, r := range rows {
		inDB[r.ID] = true
		emails[r.Email]++
		if r.Mails != 1 {
			t.Errorf("registration %d (%s) has %d registration emails in the outbox, want 1", r.ID, r.Email, r.Mails)
		}
		if email, ok := tr.created[r.ID]; ok {
			if email != r.Email {
				t.Errorf("registration %d is %s in the database, %s in its 201", r.ID, r.Email, email)
			}
			if want := tr.statuses[r.ID]; want != r.Status {
				t.Errorf("registration %d is %s, its 201 said %s", r.ID, r.Status, want)
			}
			continue
		}
		unanswered++
		if !tr.ambiguous[r.Email] {
			t.Errorf("registration %d (%s) is in the database without a 201, yet every attempt was answered", r.ID, r.Email)
		}
	}
	for email, n := range emails {
		if n > 1 {
			t.Errorf("%s is registered %d times", email, n)
		}
	}
	for id, email := range tr.created {
		if !inDB[id] {
			t.Errorf("registration %d (%s) was answered 201 but is not in the database", id, email)
		}
	}
	var over []string
	err = db.Select(&over, `
		SELECT state_code || ': ' || count(*) FILTER (WHERE status = 'confirmed') || ' confirmed, ' ||
		       count(*) FILTER (WHERE funded) || ' funded'
		FROM registrations WHERE meeting_id = $1 GROUP BY state_code
		HAVING count(*) FILTER (WHERE status = 'confirmed') > $2 OR count(*) FILTER (WHERE funded) > $3`,
		meetingID, seats, funded)
	if err != nil {
		t.Fatal(err)
	}
	if len(over) > 0 {
		t.Errorf("over the quotas of %d seats, %d funded: %s", seats, funded, strings.Join(over, "; "))
	}
	var confirmed int
	for _, r := range rows {
		if r.Status == "confirmed" {
			confirmed++
		}
	}
	t.Logf("%d registrations in the database (%d confirmed): %d answered 201, %d committed while their answer was a 503 or lost",
		len(rows), confirmed, len(rows)-unanswered, unanswered)
}

// requestLog is the lines of log about the requests named in violations
// ("request ID").
func requestLog(log string, violations []string) string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		for _, v := range violations {
			if _, id, ok := strings.Cut(v, "(request "); ok && len(id) > 1 && strings.Contains(l, id[:strings.IndexByte(id, ')')]) {
				lines = append(lines, l)
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}
