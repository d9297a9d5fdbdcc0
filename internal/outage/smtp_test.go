package outage

import (
	"sort"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/testmail"
)

// mailRate paces the worker so that an outage can be started in the
// middle of a run: ~90 emails take a few seconds instead of a fraction
// of one.
const mailRate = "20"

// The SMTP server goes away in the middle of an invitation run and comes
// back after -outage.smtp-down on the same ports, with what it had
// received. Every invitation is then delivered exactly once; none is
// given up.
func TestSMTPOutageDuringInvitationRun(t *testing.T) {
	began := time.Now()
	db, dsn := testdb.New(t)
	mp := testmail.Start(t)
	env := proctest.Quiet(dsn).With("AGORA_SMTP_URL", mp.SMTPURL(), "AGORA_MAIL_RATE_PER_SECOND", mailRate)
	serve := proctest.Start(t, agoraBin, "serve", env, "serve")
	api := proctest.Secretariat(t, agoraBin, env, serve.URL)
	run := prepareInvitations(t, api, "Plenary invited through an SMTP outage")

	total := run.invite(t, api)
	first := total / 6
	if _, err := mp.WaitCount(first, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := mp.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	before, _ := sentCount(run.rows(t, db))
	if before == total {
		t.Fatalf("all %d invitations were sent before the SMTP server stopped: the outage hit nothing", total)
	}

	// While the server is down, the mail log shows the messages waiting
	// with the reason; none is given up.
	hit := map[int64]mailRow{}
	for time.Since(stopped) < *smtpDown {
		for _, row := range run.rows(t, db) {
			switch {
			case row.Status == "failed":
				t.Fatalf("invitation %d to %s given up during the outage: %s", row.ID, row.To, row.LastError)
			case row.Status == "retrying" && row.LastError != "":
				hit[row.ID] = row
			}
		}
		time.Sleep(time.Second)
	}
	if len(hit) == 0 {
		t.Fatalf("no invitation was shown as retrying during the %s outage", *smtpDown)
	}
	if err := mp.Restart(); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()

	// Bounded: the worker's pause after a refused connection doubles (10s,
	// 20s, 40s, …), so it next tries at most about twice the outage later.
	rows := run.waitAllSent(t, db, 2**smtpDown+2*time.Minute)
	finished := time.Now()
	run.checkDeliveredOnce(t, mp, rows)

	var deferred, retried []int
	for _, row := range rows {
		if _, ok := hit[row.ID]; ok {
			if row.Attempts > 1 {
				retried = append(retried, row.Attempts)
			} else {
				deferred = append(deferred, row.Attempts)
			}
		}
	}
	sort.Ints(retried)
	// A message never offered (connection refused) is deferred without
	// counting an attempt — an outage must not use up a message's
	// attempts — while one cut off in the middle of its transaction counts
	// one. Either way no message of the run needed more than its first
	// attempt plus the one the outage cut off.
	for _, row := range rows {
		if row.Attempts > 2 {
			t.Errorf("invitation %d to %s took %d attempts; an outage should cost at most one", row.ID, row.To, row.Attempts)
		}
	}
	t.Logf("%d invitations: %d sent before the stop, %d shown retrying during the %s outage (%d deferred without an attempt counted, %d retried with attempts %v)",
		total, before, len(hit), *smtpDown, len(deferred), len(retried), retried)
	t.Logf("all delivered %s after the restart; %s in all", finished.Sub(restarted).Round(time.Second), time.Since(began).Round(time.Second))
}

// sentCount returns how many rows are sent, and how many rows there are.
func sentCount(rows []mailRow) (int, int) {
	n := 0
	for _, r := range rows {
		if r.Status == "sent" {
			n++
		}
	}
	return n, len(rows)
}
