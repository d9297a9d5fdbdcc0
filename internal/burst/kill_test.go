package burst

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
)

// TestKillDuringRegistrationBurst: two `agora serve` processes share a
// database; several hundred people register at once through the
// invitation links of the member states (49 in the seeded roster), spread
// over both; once some have been answered, one process is killed with
// SIGKILL while its requests are in flight. What was answered 201 must exist exactly once, what got no
// answer must exist completely or not at all, nothing may be
// half-written, and no state may hold more seats than its quota, with the
// waiting list in arrival order. A new process on the same database must
// then serve, and registering and cancelling must still keep the rules.
func TestKillDuringRegistrationBurst(t *testing.T) {
	const (
		people     = 600 // about 13 per state for 2 seats: most wait
		clients    = 48
		killAfter  = 150 // 201s before the kill
		seats      = 2
		fundedSeat = 1
	)
	db, dsn := testdb.New(t)
	e := env(dsn)
	a := proctest.Start(t, bin, "serve-1", e, "serve")
	b := proctest.Start(t, bin, "serve-2", e, "serve")
	sec := proctest.Secretariat(t, bin, e, b.URL)
	m := openMeeting(t, sec, seats, fundedSeat, false)
	addFocalPoints(t, sec, m.States[:4])

	public := proctest.NewClient(a.URL, "")
	procs := []*proctest.Process{a, b}
	var (
		created  atomic.Int64
		inFlight [2]atomic.Int64
		kill     sync.Once
		killed   = make(chan int64, 1) // a's requests in flight when it was killed
	)
	attempts := make([]attempt, people)
	parallel(people, clients, func(i int) {
		p := i % 2
		s := i % len(m.States)
		inFlight[p].Add(1)
		attempts[i] = register(public.With(procs[p].URL), procs[p].Name, m, "kill", i, m.Tokens[s], m.States[s])
		inFlight[p].Add(-1)
		if attempts[i].Code == http.StatusCreated && created.Add(1) == killAfter {
			kill.Do(func() {
				go func() {
					n := inFlight[0].Load()
					a.Kill()
					killed <- n
				}()
			})
		}
	})
	if created.Load() < killAfter {
		t.Fatalf("only %d registrations succeeded, fewer than the %d after which to kill: %s", created.Load(), killAfter, count(attempts))
	}
	inFlightAtKill := <-killed
	waitIdle(t, db)

	got := count(attempts)
	t.Logf("burst: %s; %s killed with %d of its requests in flight", got, a.Name, inFlightAtKill)
	if inFlightAtKill == 0 || got.perProcess[a.Name] == 0 || got.noAnswer == 0 {
		t.Fatalf("the scenario did not happen: %s killed with %d requests in flight, %d answered 201 before, %d requests without an answer",
			a.Name, inFlightAtKill, got.perProcess[a.Name], got.noAnswer)
	}
	if got.other > 0 || got.conflict > 0 {
		t.Errorf("unexpected answers: %s", got)
	}
	checkAll(t, db, m.ID)
	written := checkAttempts(t, load(t, db, m.ID), attempts)
	t.Logf("requests without an answer: %d, of which written completely: %d, not at all: the others", got.noAnswer, written)

	// A new process on the same database serves, and the rules still
	// hold: a second wave of registrations through it and the survivor,
	// and one cancellation per state through the manage link, which hands
	// the seat to the first person waiting.
	c := proctest.Start(t, bin, "serve-3", e, "serve")
	procs = []*proctest.Process{c, b}
	more := make([]attempt, 2*len(m.States))
	parallel(len(more), clients, func(i int) {
		p, s := i%2, i%len(m.States)
		more[i] = register(public.With(procs[p].URL), procs[p].Name, m, "after", i, m.Tokens[s], m.States[s])
	})
	again := count(more)
	t.Logf("after the restart: %s", again)
	if again.created != len(more) || again.perProcess[c.Name] == 0 {
		t.Errorf("after the restart not every registration succeeded: %s", again)
	}
	cancelled := map[string]bool{}
	var cancels, promoted int
	for _, at := range attempts {
		if at.Code != http.StatusCreated || at.Status != "confirmed" || cancelled[at.State] {
			continue
		}
		cancelled[at.State] = true
		code, body, err := public.With(c.URL).Do(context.Background(), "POST", "/api/v1/manage/"+at.Manage+"/cancel", nil)
		if err != nil || code != http.StatusOK {
			t.Errorf("cancel registration %d through %s: %d %s %v", at.ID, c.Name, code, body, err)
			continue
		}
		cancels++
	}
	s := checkAll(t, db, m.ID)
	checkAttempts(t, s, append(attempts, more...))
	for _, e := range s.audit {
		if e.Action == "registration.promote" {
			promoted++
		}
	}
	t.Logf("after the restart: %d cancellations through %s, %d promotions in all", cancels, c.Name, promoted)
	if cancels == 0 || promoted == 0 {
		t.Errorf("after the restart: %d cancellations, %d promotions: want some of each", cancels, promoted)
	}
}
