package registration_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/coe-agora/agora/internal/registration"
)

// Seats a meeting gains go to the people waiting, in arrival order, with
// the change: raising the seats per state or the capacity must not leave
// seats free while people wait (nor give them to the next newcomer).
func TestAddedSeatsGoToTheWaiting(t *testing.T) {
	f := setup(t, func(b map[string]any) {
		b["seats_per_state"], b["funded_seats_per_state"], b["capacity"] = 1, 0, 3
	})
	var ids []int64
	for i, st := range []string{"DE", "DE", "DE", "DE", "FR", "FR", "MA"} {
		b := person(i)
		b["invitation_token"] = f.links[st]
		var res registration.Result
		f.e.JSON("POST", f.path("/registrations"), "", b, 201, &res)
		ids = append(ids, res.ID)
	}
	statuses := func() []string {
		var out []string
		for _, id := range ids {
			var r registration.Registration
			f.e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", id), "secretariat", nil, 200, &r)
			out = append(out, r.Status[:1])
		}
		return out
	}
	// One seat per state: DE 0, FR 4, MA 6 hold them; 1–3 and 5 wait.
	if got := statuses(); !slices.Equal(got, []string{"c", "w", "w", "w", "c", "w", "c"}) {
		t.Fatalf("before: %v", got)
	}
	// Three seats per state, but room for five: the two earliest waiting
	// (DE 1, DE 2) get the two seats, in arrival order.
	f.e.JSON("PATCH", f.path(""), "secretariat", map[string]any{"seats_per_state": 3, "capacity": 5}, 200, nil)
	if got := statuses(); !slices.Equal(got, []string{"c", "c", "c", "w", "c", "w", "c"}) {
		t.Errorf("after raising the seats: %v, want DE 1 and DE 2 promoted", got)
	}
	// No capacity any more: FR 5 is promoted; DE 3 waits for DE's three seats.
	f.e.JSON("PATCH", f.path(""), "secretariat", map[string]any{"capacity": 0}, 200, nil)
	if got := statuses(); !slices.Equal(got, []string{"c", "c", "c", "w", "c", "c", "c"}) {
		t.Errorf("after lifting the capacity: %v, want FR 5 promoted too", got)
	}
	var promoted int
	if err := f.e.App.DB.Get(&promoted, `SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND kind = 'registration_promoted'`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	if promoted != 3 {
		t.Errorf("%d promotion emails, want 3", promoted)
	}
}

// A seat decision uses the quotas as they are once its locks are held,
// not as they were before: here a cancellation comes while an edit that
// raises the seats waits for the state's lock, and runs after it. The
// seat it frees must go to the person still waiting.
func TestSeatDecisionSeesQuotasRaisedMeanwhile(t *testing.T) {
	f := setup(t, func(b map[string]any) { b["seats_per_state"], b["funded_seats_per_state"] = 1, 0 })
	var ids []int64
	for i := range 3 {
		b := person(i)
		b["invitation_token"] = f.links["FR"]
		var res registration.Result
		f.e.JSON("POST", f.path("/registrations"), "", b, 201, &res)
		ids = append(ids, res.ID)
	}
	db := f.e.App.DB
	lock := holding(t, db, `SELECT pg_advisory_xact_lock($1::int, hashtext('FR'))`, f.m.ID) // FR's quota lock, while the requests queue behind it
	var wg sync.WaitGroup
	codes := make([]int, 2)
	wg.Go(func() { codes[0], _ = f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{"seats_per_state": 2}) })
	waitForLockWaits(t, db, 1, nil)
	wg.Go(func() {
		codes[1], _ = f.e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", ids[0]), "secretariat", nil)
	})
	waitForLockWaits(t, db, 2, nil)
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if codes[0] != 200 || codes[1] != 200 {
		t.Fatalf("raise: %d, cancel: %d", codes[0], codes[1])
	}
	// The raise promoted person 1; the cancellation freed person 0's seat
	// for person 2.
	if n := f.count(t, "status = 'confirmed'"); n != 2 {
		t.Errorf("%d confirmed of 2 seats, %d waiting", n, f.count(t, "status = 'waitlisted'"))
	}
}

// A registration that arrives while a raise of the seats waits for
// another state's lock waits for the raise, and is decided on the new
// quotas: it must not join, on the old quota, a waiting list that the
// raise has been through already, nor find a seat free that nobody gives.
func TestRegistrationDuringARaiseSeesTheNewQuotas(t *testing.T) {
	f := setup(t, func(b map[string]any) { b["seats_per_state"], b["funded_seats_per_state"] = 1, 0 })
	reg := func(i int, st string) map[string]any {
		b := person(i)
		b["invitation_token"] = f.links[st]
		return b
	}
	f.e.JSON("POST", f.path("/registrations"), "", reg(0, "DE"), 201, nil)
	f.e.JSON("POST", f.path("/registrations"), "", reg(1, "DE"), 201, nil) // waits: the raise has DE's lock to take
	f.e.JSON("POST", f.path("/registrations"), "", reg(2, "FR"), 201, nil)
	db := f.e.App.DB
	lock := holding(t, db, `SELECT pg_advisory_xact_lock($1::int, hashtext('DE'))`, f.m.ID)
	var wg sync.WaitGroup
	var code int
	wg.Go(func() { code, _ = f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{"seats_per_state": 2}) })
	waitForLockWaits(t, db, 1, nil)
	var late registration.Result
	var lateCode int
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		var body []byte
		lateCode, body = f.e.Do("POST", f.path("/registrations"), "", reg(3, "FR"))
		_ = json.Unmarshal(body, &late)
	})
	waitForLockWaits(t, db, 2, done)
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if code != 200 || lateCode != 201 {
		t.Fatalf("raise: %d, registration: %d", code, lateCode)
	}
	if late.Status != registration.StatusConfirmed {
		t.Errorf("registered in FR during the raise: %s, want confirmed on the new quota", late.Status)
	}
	if n := f.count(t, "status = 'waitlisted'"); n != 0 {
		t.Errorf("%d people still wait with two seats per state and two people per state", n)
	}
}
