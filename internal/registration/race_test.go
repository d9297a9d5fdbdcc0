package registration_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testdb"
)

// waitForLockWaits returns once n statements of the test's database wait
// for a lock, or once done is closed (a request that did not wait: the
// assertions that follow say what it did).
func waitForLockWaits(t *testing.T, db *sqlx.DB, n int, done <-chan struct{}) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		select {
		case <-done:
			return
		default:
		}
		var got int
		if err := db.Get(&got, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements wait for a lock, want %d", got, n)
		}
	}
}

// holding begins a transaction that takes what stmt locks and keeps it
// until the test commits or rolls it back (or ends).
func holding(t *testing.T, db *sqlx.DB, stmt string, args ...any) *sqlx.Tx {
	t.Helper()
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(stmt, args...); err != nil {
		t.Fatal(err)
	}
	return tx
}

// pending is a request sent in the background.
type pending struct {
	done chan struct{}
	code int
	body []byte
}

// send sends a request in the background, as the named user ("" for none).
func (f fixture) send(method, path, as string, body any) *pending {
	p := &pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.code, p.body = f.e.Do(method, path, as, body)
	}()
	return p
}

// wait returns the answer once it has come.
func (p *pending) wait() (int, []byte) {
	<-p.done
	return p.code, p.body
}

// A registration that arrives while the meeting is being cancelled waits
// for the cancellation, then is refused as any registration to a
// cancelled meeting is, and writes nothing. Going through, it would
// register the person to a cancelled meeting after the cancellation had
// emailed everyone registered, so never telling them.
func TestRegistrationDuringACancellationIsRefused(t *testing.T) {
	f := setup(t, nil)
	first := person(0)
	first["invitation_token"] = f.links["FR"]
	f.e.JSON("POST", f.path("/registrations"), "", first, 201, nil)

	// Hold the cancellation half-way, its meeting changed but not
	// committed: its email to person 0 waits for this uncommitted one with
	// the same dedupe key.
	db := f.e.App.DB
	hold := holding(t, db, `INSERT INTO outgoing_mail (kind, to_address, language, subject, text_body, html_body, dedupe_key, message_id, status)
		VALUES ('test_hold', $1, 'en', 'hold', '', '', $2, 'hold@test', 'withheld')`,
		first["email"], fmt.Sprintf("meeting_cancelled:%d:%s", f.m.ID, first["email"]))
	var wg sync.WaitGroup
	var cancelCode int
	wg.Go(func() {
		cancelCode, _ = f.e.Do("POST", f.path("/cancel"), "secretariat", map[string]any{"reason": "The venue is closed."})
	})
	waitForLockWaits(t, db, 1, nil)

	late := person(1)
	late["invitation_token"] = f.links["DE"]
	var lateCode int
	var lateBody []byte
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		lateCode, lateBody = f.e.Do("POST", f.path("/registrations"), "", late)
	})
	waitForLockWaits(t, db, 2, done)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	if cancelCode != 200 {
		t.Fatalf("cancel: %d", cancelCode)
	}
	after := person(2)
	after["invitation_token"] = f.links["MA"]
	afterCode, afterBody := f.e.Do("POST", f.path("/registrations"), "", after)
	if afterCode != 409 {
		t.Fatalf("registration after the cancellation: %d %s", afterCode, afterBody)
	}
	if lateCode != afterCode || !bytes.Equal(lateBody, afterBody) {
		t.Errorf("registration during the cancellation: %d %s, want %d %s as after it", lateCode, lateBody, afterCode, afterBody)
	}
	if n := f.count(t, "email = $2", late["email"]); n != 0 {
		t.Errorf("%d registrations of the person refused, want none", n)
	}
	var mails, audits int
	if err := db.Get(&mails, `SELECT count(*) FROM outgoing_mail WHERE to_address = $1`, late["email"]); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'registration.create' AND meeting_id = $1`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	if mails != 0 || audits != 1 {
		t.Errorf("the refused registration left %d emails to the person and %d registrations in the audit trail, want 0 and 1", mails, audits)
	}
	var told int
	if err := db.Get(&told, `SELECT count(*) FROM outgoing_mail WHERE kind = 'meeting_cancelled' AND to_address = $1`, first["email"]); err != nil {
		t.Fatal(err)
	}
	if told != 1 {
		t.Errorf("person 0, registered before, got %d cancellation emails, want 1", told)
	}
}

// A capacity given to a meeting that had none holds for the registrations
// that arrive while the edit is under way: they wait for it, then share
// the room under the meeting-wide lock. Deciding on the capacity they read
// before (none), each under its own state's lock only, they would fill
// every state's seats past it.
func TestCapacitySetDuringRegistrationsHolds(t *testing.T) {
	f := setup(t, func(b map[string]any) { b["seats_per_state"], b["funded_seats_per_state"] = 2, 0 })
	reg := func(i int, st string) map[string]any {
		b := person(i)
		b["invitation_token"] = f.links[st]
		return b
	}
	f.e.JSON("POST", f.path("/registrations"), "", reg(0, "FR"), 201, nil)

	// Hold the edit half-way, the meeting updated but not committed: it
	// waits for this lock on the invited states, which it rewrites next.
	db := f.e.App.DB
	hold := holding(t, db, `SELECT 1 FROM meeting_states WHERE meeting_id = $1 FOR UPDATE`, f.m.ID)
	var wg sync.WaitGroup
	var editCode int
	var editBody []byte
	wg.Go(func() {
		editCode, editBody = f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{"capacity": 2})
	})
	waitForLockWaits(t, db, 1, nil)

	states := []string{"DE", "MA", "FR", "DE"}
	codes := make([]int, len(states))
	var regs sync.WaitGroup
	for i, st := range states {
		regs.Go(func() { codes[i], _ = f.e.Do("POST", f.path("/registrations"), "", reg(i+1, st)) })
	}
	done := make(chan struct{})
	go func() { regs.Wait(); close(done) }()
	waitForLockWaits(t, db, 1+len(states), done)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	<-done

	if editCode != 200 {
		t.Fatalf("edit: %d %s", editCode, editBody)
	}
	for i, c := range codes {
		if c != 201 {
			t.Errorf("registration %d: %d", i+1, c)
		}
	}
	if n := f.count(t, "status = 'confirmed'"); n != 2 {
		t.Errorf("%d confirmed for a capacity of 2 (%d waiting)", n, f.count(t, "status = 'waitlisted'"))
	}
	var statuses []string
	if err := db.Select(&statuses, `SELECT status FROM registrations WHERE meeting_id = $1 ORDER BY id`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 5 || statuses[0] != registration.StatusConfirmed {
		t.Errorf("statuses %v: want person 0 still confirmed among 5", statuses)
	}
}

// The advisory lock keys of a meeting stay apart: its own lock is
// (id, -1), its capacity's (id, 0), a state's (id, hashtext(code)). A
// state sharing a key with the meeting's lock would make registrations
// for it deadlock on one another.
func TestLockKeysStayApart(t *testing.T) {
	db, _ := testdb.New(t)
	var clash []string
	err := db.Select(&clash, `SELECT chr(a) || chr(b) FROM generate_series(65, 90) a, generate_series(65, 90) b
		WHERE hashtext(chr(a) || chr(b)) IN (0, -1)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(clash) > 0 {
		t.Errorf("state codes %v hash to a key of the meeting's own locks", clash)
	}
	// Organisations' quotas are locked by their code as states' are: the
	// roster's codes must stay clear of those keys too.
	if err := db.Select(&clash, `SELECT code FROM invitees WHERE hashtext(code) IN (0, -1)`); err != nil {
		t.Fatal(err)
	}
	if len(clash) > 0 {
		t.Errorf("roster codes %v hash to a key of the meeting's own locks", clash)
	}
}

// Registration that closes while a registration waits for the meeting's
// lock is closed for it: the window is checked when the lock is held, not
// when the transaction began.
func TestRegistrationWaitingPastTheCloseIsRefused(t *testing.T) {
	f := setup(t, nil)
	db := f.e.App.DB
	// The close is set once the set-up is done, however long it took.
	closes := time.Now().Add(2 * time.Second)
	if _, err := db.Exec(`UPDATE meetings SET registration_closes_at = $2 WHERE id = $1`, f.m.ID, closes); err != nil {
		t.Fatal(err)
	}
	hold := holding(t, db, `SELECT pg_advisory_xact_lock($1::int, -1)`, f.m.ID) // as an edit of the meeting under way
	b := person(0)
	b["invitation_token"] = f.links["FR"]
	reg := f.send("POST", f.path("/registrations"), "", b)
	waitForLockWaits(t, db, 1, reg.done)
	select {
	case <-reg.done: // answered at once, so this test checked nothing
		t.Fatalf("the registration did not wait for the meeting's lock: %d %s", reg.code, reg.body)
	default:
	}
	time.Sleep(time.Until(closes) + 100*time.Millisecond)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if code, body := reg.wait(); code != 409 || !bytes.Contains(body, []byte("registration is closed")) {
		t.Errorf("registration decided after the close: %d %s, want 409: registration is closed", code, body)
	}
	if n := f.count(t, "true"); n != 0 {
		t.Errorf("%d registrations after the close", n)
	}
}

// A registration through a link that is revoked while it waits for the
// meeting's lock is refused as any revoked link is, and writes nothing;
// the revocation, for its part, waits for registrations under way.
func TestRegistrationDuringARevocationIsRefused(t *testing.T) {
	f := setup(t, nil)
	db := f.e.App.DB
	hold := holding(t, db, `SELECT pg_advisory_xact_lock($1::int, -1)`, f.m.ID) // the revocation, under way
	b := person(0)
	b["invitation_token"] = f.links["FR"]
	reg := f.send("POST", f.path("/registrations"), "", b)
	waitForLockWaits(t, db, 1, reg.done)
	if _, err := hold.Exec(`UPDATE invitations SET status = 'revoked', revoked_at = now() WHERE meeting_id = $1 AND state_code = 'FR'`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	if err := hold.Commit(); err != nil {
		t.Fatal(err)
	}
	if code, body := reg.wait(); code != 404 || !bytes.Contains(body, []byte("not valid")) {
		t.Errorf("registration through a link revoked meanwhile: %d %s, want 404: not valid", code, body)
	}
	var written int
	if err := db.Get(&written, `SELECT (SELECT count(*) FROM registrations WHERE meeting_id = $1)
		+ (SELECT count(*) FROM outgoing_mail WHERE to_address = $2)
		+ (SELECT count(*) FROM audit_log WHERE action = 'registration.create' AND meeting_id = $1)`, f.m.ID, b["email"]); err != nil {
		t.Fatal(err)
	}
	if written != 0 {
		t.Errorf("the refused registration wrote %d rows", written)
	}

	// The revocation waits for a registration holding the meeting's lock.
	under := holding(t, db, `SELECT pg_advisory_xact_lock_shared($1::int, -1)`, f.m.ID)
	revoke := f.send("POST", f.path("/invitations/DE/revoke"), "secretariat", nil)
	waitForLockWaits(t, db, 1, revoke.done)
	select {
	case <-revoke.done:
		t.Error("the revocation did not wait for the registration under way")
	default:
	}
	if err := under.Rollback(); err != nil {
		t.Fatal(err)
	}
	if code, body := revoke.wait(); code >= 300 {
		t.Errorf("revocation after the registration: %d %s", code, body)
	}
}
