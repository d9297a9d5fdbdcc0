package outage

import (
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testmail"
)

// PostgreSQL restarts ("fast": connections closed) while the worker of
// `agora serve` is sending an invitation run. Mail resumes once the
// database is back, without a restart of agora, and nothing is sent twice:
// a message the worker sent but could not yet mark as sent must not go out
// again.
func TestPostgresRestartWhileSending(t *testing.T) {
	began := time.Now()
	pg, dsn, db := privateCluster(t)
	mp := testmail.Start(t)
	env := proctest.Quiet(dsn).With("AGORA_SMTP_URL", mp.SMTPURL(), "AGORA_MAIL_RATE_PER_SECOND", mailRate)
	serve := proctest.Start(t, agoraBin, "serve", env, "serve")
	api := proctest.Secretariat(t, agoraBin, env, serve.URL)
	run := prepareInvitations(t, api, "Plenary invited through a database restart")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agora's mail log lines:\n%s", grepLines(serve.Stderr(), "mail"))
		}
	})

	total := run.invite(t, api)
	if _, err := mp.WaitCount(total/6, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := pg.Stop("fast"); err != nil {
		t.Fatal(err)
	}
	atStop, err := mp.Count()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(*pgDown)
	duringOutage, err := mp.Count()
	if err != nil {
		t.Fatal(err)
	}
	if err := pg.Start(); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, pg.Log())
	}
	restarted := time.Now()
	if atStop == total {
		t.Fatalf("all %d invitations were delivered before PostgreSQL stopped: the restart hit nothing", total)
	}
	rows := run.waitAllSent(t, db, 3*time.Minute)
	finished := time.Now()
	run.checkDeliveredOnce(t, mp, rows)
	if serve.Exited() {
		t.Fatalf("agora serve exited:\n%s", serve.Stderr())
	}
	t.Logf("%d invitations: %d delivered when PostgreSQL stopped, %d when it started again %s later; all sent %s after; %s in all",
		total, atStop, duringOutage, *pgDown, finished.Sub(restarted).Round(time.Second), time.Since(began).Round(time.Second))
}

// grepLines is the lines of log that contain word.
func grepLines(log, word string) string {
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, word) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
