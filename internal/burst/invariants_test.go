package burst

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// The checks below read what the processes left in the database and
// compare it with the rules of registration and with what the test saw.
// A registration transaction writes, together: the registration row, the
// email to the person (kind registration_<event>), for a self-registration
// one email per focal point of the state (self_registration), and an
// audit entry registration.create; each later change writes an audit
// entry and the person's email, and a freed seat's promotion writes the
// promoted person's status, an audit entry registration.promote and the
// email registration_promoted.

// snapshot is one meeting's registrations and everything written with them.
type snapshot struct {
	meetingID     int64
	seats, funded int
	// The seats of organisations, the overrides by invitee, and which
	// codes are organisations': seatsOf gives each invitee's quota.
	orgSeats, orgFunded int
	quotas              map[string]struct {
		Seats  int `json:"seats"`
		Funded int `json:"funded_seats"`
	}
	orgs        []string
	regs        map[int64]regRow
	audit       []auditRow // registration events, in the order they were written
	mail        []mailRow  // the meeting's emails
	focalPoints map[string][]string
	promotions  int // people given a seat from the waiting list (set by checkAll)
}

type regRow struct {
	ID           int64      `db:"id"`
	State        string     `db:"state_code"`
	Email        string     `db:"email"`
	Status       string     `db:"status"`
	Funded       bool       `db:"funded"`
	Source       string     `db:"source"`
	WaitlistedAt *time.Time `db:"waitlisted_at"`
}

// auditRow is an audit entry about a registration; Status is the status
// it left the registration in.
type auditRow struct {
	ID        int64  `db:"id"`
	Action    string `db:"action"`
	SubjectID int64  `db:"subject_id"`
	State     string `db:"state_code"`
	Status    string `db:"status"`
}

type mailRow struct {
	ID             int64  `db:"id"`
	Kind           string `db:"kind"`
	RegistrationID *int64 `db:"registration_id"`
	To             string `db:"to_address"`
	MessageID      string `db:"message_id"`
	Status         string `db:"status"`
}

func load(t *testing.T, db *sqlx.DB, meetingID int64) snapshot {
	t.Helper()
	s := snapshot{meetingID: meetingID, regs: map[int64]regRow{}, focalPoints: map[string][]string{}}
	var quotas []byte
	err := db.QueryRow(`SELECT seats_per_state, funded_seats_per_state, seats_per_organisation, funded_seats_per_organisation, quotas
		FROM meetings WHERE id = $1`, meetingID).Scan(&s.seats, &s.funded, &s.orgSeats, &s.orgFunded, &quotas)
	if err == nil {
		err = json.Unmarshal(quotas, &s.quotas)
	}
	if err == nil {
		err = db.Select(&s.orgs, `SELECT code FROM organisations`)
	}
	if err != nil {
		t.Fatal(err)
	}
	var regs []regRow
	if err := db.Select(&regs, `SELECT id, invitee AS state_code, email, status, funded, source, waitlisted_at
		FROM registrations WHERE meeting_id = $1`, meetingID); err != nil {
		t.Fatal(err)
	}
	for _, r := range regs {
		s.regs[r.ID] = r
	}
	if err := db.Select(&s.audit, `SELECT id, action, coalesce(subject_id, 0) AS subject_id, coalesce(state_code, '') AS state_code,
			CASE action WHEN 'registration.create' THEN details->>'status' WHEN 'registration.promote' THEN 'confirmed'
				ELSE coalesce(details->>'to', '') END AS status
		FROM audit_log WHERE meeting_id = $1 AND subject_type = 'registration' ORDER BY id`, meetingID); err != nil {
		t.Fatal(err)
	}
	if err := db.Select(&s.mail, `SELECT id, kind, registration_id, to_address, message_id, status
		FROM outgoing_mail WHERE meeting_id = $1 ORDER BY id`, meetingID); err != nil {
		t.Fatal(err)
	}
	var fps []struct {
		State string `db:"state_code"`
		Email string `db:"email"`
	}
	if err := db.Select(&fps, `SELECT invitee AS state_code, email FROM focal_points`); err != nil {
		t.Fatal(err)
	}
	for _, fp := range fps {
		s.focalPoints[fp.State] = append(s.focalPoints[fp.State], fp.Email)
	}
	return s
}

// emailOf is the email kind an audited registration event queues.
func emailOf(e auditRow) string {
	switch e.Action {
	case "registration.create":
		return "registration_" + e.Status // confirmed, waitlisted or pending
	case "registration.approve":
		if e.Status == "confirmed" {
			return "registration_approved"
		}
		return "registration_" + e.Status
	case "registration.cancel", "registration.cancel_own":
		return "registration_cancelled"
	case "registration.decline":
		return "registration_declined"
	case "registration.promote":
		return "registration_promoted"
	}
	return "unexpected action " + e.Action
}

// checkComplete asserts that nothing is half-written: every registration
// has exactly one creation entry, the status its audited events lead to,
// and exactly the emails those events queue — no more, no fewer; and no
// entry or email speaks of a registration that does not exist.
func checkComplete(t *testing.T, s snapshot) {
	t.Helper()
	events := map[int64][]auditRow{}
	for _, e := range s.audit {
		if _, ok := s.regs[e.SubjectID]; !ok {
			t.Errorf("audit entry %d (%s) is about registration %d, which does not exist", e.ID, e.Action, e.SubjectID)
			continue
		}
		events[e.SubjectID] = append(events[e.SubjectID], e)
	}
	emails := map[int64][]string{}
	for _, m := range s.mail {
		if m.RegistrationID == nil {
			if strings.HasPrefix(m.Kind, "registration_") || m.Kind == "self_registration" {
				t.Errorf("email %d (%s to %s) belongs to no registration", m.ID, m.Kind, m.To)
			}
			continue
		}
		if _, ok := s.regs[*m.RegistrationID]; !ok {
			t.Errorf("email %d (%s) is about registration %d, which does not exist", m.ID, m.Kind, *m.RegistrationID)
			continue
		}
		emails[*m.RegistrationID] = append(emails[*m.RegistrationID], m.Kind+" to "+m.To)
	}
	for _, id := range slices.Sorted(maps.Keys(s.regs)) {
		r := s.regs[id]
		evs := events[id]
		if len(evs) == 0 || evs[0].Action != "registration.create" {
			t.Errorf("registration %d (%s, %s): no audit entry registration.create first, entries %v", id, r.State, r.Email, evs)
			continue
		}
		var want []string
		status := ""
		for i, e := range evs {
			if e.Action == "registration.create" && i > 0 {
				t.Errorf("registration %d: created twice (audit entries %d and %d)", id, evs[0].ID, e.ID)
			}
			want = append(want, emailOf(e)+" to "+r.Email)
			status = e.Status
		}
		if r.Source == "link" {
			for _, fp := range s.focalPoints[r.State] {
				want = append(want, "self_registration to "+fp)
			}
		}
		if status != r.Status {
			t.Errorf("registration %d (%s): status %s, but its audited events end in %s", id, r.State, r.Status, status)
		}
		slices.Sort(want)
		got := slices.Sorted(slices.Values(emails[id]))
		if !slices.Equal(got, want) {
			t.Errorf("registration %d (%s, %s, now %s): emails %q, want %q (from its audit entries)", id, r.State, r.Email, r.Status, got, want)
		}
	}
}

// stateCounts is how many registrations of a state hold each status.
type stateCounts struct{ confirmed, funded, waitlisted, pending int }

func (s snapshot) counts() map[string]*stateCounts {
	c := map[string]*stateCounts{}
	for _, r := range s.regs {
		sc := c[r.State]
		if sc == nil {
			sc = &stateCounts{}
			c[r.State] = sc
		}
		switch r.Status {
		case "confirmed":
			sc.confirmed++
			if r.Funded {
				sc.funded++
			}
		case "waitlisted":
			sc.waitlisted++
		case "pending":
			sc.pending++
		}
	}
	return c
}

// checkQuotas asserts that no state holds more seats or funded seats than
// the meeting gives it, and that no seat stays free while someone of the
// state waits for one.
func checkQuotas(t *testing.T, s snapshot) {
	t.Helper()
	for state, c := range s.counts() {
		seats, funded := s.seatsOf(state)
		if c.confirmed > seats {
			t.Errorf("invitee %s: %d confirmed, over its %d seats (registrations %v)", state, c.confirmed, seats, s.with(state, "confirmed"))
		}
		if c.funded > funded {
			t.Errorf("invitee %s: %d funded, over its %d funded seats", state, c.funded, funded)
		}
		if c.confirmed < seats && c.waitlisted > 0 {
			t.Errorf("invitee %s: %d of %d seats taken while %d wait (waiting: %v)", state, c.confirmed, seats, c.waitlisted, s.with(state, "waitlisted"))
		}
	}
}

// seatsOf is an invitee's seats and funded seats: its override, else the
// default of its kind.
func (s snapshot) seatsOf(code string) (seats, funded int) {
	if q, ok := s.quotas[code]; ok {
		return q.Seats, q.Funded
	}
	if slices.Contains(s.orgs, code) {
		return s.orgSeats, s.orgFunded
	}
	return s.seats, s.funded
}

func (s snapshot) with(state, status string) []int64 {
	var ids []int64
	for _, r := range s.regs {
		if r.State == state && r.Status == status {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// summary is "AD 2c/1f/5w/0p, AL …" for the log.
func (s snapshot) summary() string {
	c := s.counts()
	var b strings.Builder
	for _, state := range slices.Sorted(maps.Keys(c)) {
		fmt.Fprintf(&b, "%s %dc/%df/%dw/%dp ", state, c[state].confirmed, c[state].funded, c[state].waitlisted, c[state].pending)
	}
	return b.String()
}

// checkWaitingList replays each state's audited events in the order they
// were written — all under the state's quota lock, so in the order they
// happened — and asserts that every promotion took the person who had
// waited longest (so everyone promoted arrived before everyone still
// waiting), that nobody got a seat by registering or being approved while
// someone of the state waited, and that the people still waiting are the
// ones the replay leaves, in the order of their waitlisted_at.
func checkWaitingList(t *testing.T, s snapshot) (promotions int) {
	t.Helper()
	joined := map[int64]int64{}           // registration → audit entry that put it on the list
	queues := map[string]map[int64]bool{} // state → waiting registrations
	for _, e := range s.audit {
		r, ok := s.regs[e.SubjectID]
		if !ok {
			continue // reported by checkComplete
		}
		q := queues[r.State]
		if q == nil {
			q = map[int64]bool{}
			queues[r.State] = q
		}
		if e.Action == "registration.promote" {
			promotions++
			if !q[r.ID] {
				t.Errorf("state %s: registration %d promoted (audit %d) but it was not waiting", r.State, r.ID, e.ID)
			}
			for w := range q {
				if joined[w] < joined[r.ID] {
					t.Errorf("state %s: registration %d (waiting since audit %d) promoted (audit %d) before registration %d, waiting since audit %d",
						r.State, r.ID, joined[r.ID], e.ID, w, joined[w])
				}
			}
		}
		if e.Status == "confirmed" && e.Action != "registration.promote" && len(q) > 0 {
			t.Errorf("state %s: registration %d took a seat (audit %d, %s) while %d people waited, e.g. %d",
				r.State, r.ID, e.ID, e.Action, len(q), slices.Min(slices.Collect(maps.Keys(q))))
		}
		delete(q, r.ID)
		if e.Status == "waitlisted" {
			q[r.ID], joined[r.ID] = true, e.ID
		}
	}
	for state, q := range queues {
		waiting := s.with(state, "waitlisted")
		if !slices.Equal(waiting, slices.Sorted(maps.Keys(q))) {
			t.Errorf("state %s: waiting %v, but its audited events leave %v", state, waiting, slices.Sorted(maps.Keys(q)))
			continue
		}
		byTime := slices.Clone(waiting)
		slices.SortStableFunc(byTime, func(a, b int64) int {
			if c := s.regs[a].WaitlistedAt.Compare(*s.regs[b].WaitlistedAt); c != 0 {
				return c
			}
			return int(a - b)
		})
		byArrival := slices.Clone(waiting)
		slices.SortFunc(byArrival, func(a, b int64) int { return int(joined[a] - joined[b]) })
		if !slices.Equal(byTime, byArrival) {
			t.Errorf("state %s: the waiting list by waitlisted_at is %v, by arrival %v", state, byTime, byArrival)
		}
	}
	return promotions
}

// checkAttempts asserts what each registration request did: a 201 exists
// exactly once, as answered; a request answered with an error wrote
// nothing; a request without an answer exists completely (checkComplete)
// or not at all; and nothing exists that the test did not ask for. It
// returns how many unanswered requests were written.
func checkAttempts(t *testing.T, s snapshot, as []attempt) (unansweredWritten int) {
	t.Helper()
	byEmail := map[string][]regRow{}
	for _, r := range s.regs {
		byEmail[r.Email] = append(byEmail[r.Email], r)
	}
	created := map[int64]string{} // status at creation
	for _, e := range s.audit {
		if e.Action == "registration.create" {
			created[e.SubjectID] = e.Status
		}
	}
	asked := map[string]bool{}
	for _, a := range as {
		asked[a.Email] = true
		rs := byEmail[a.Email]
		if len(rs) > 1 {
			t.Errorf("%s: registered %d times: %v", a.Email, len(rs), rs)
			continue
		}
		switch {
		case a.Code == 201 && len(rs) == 0:
			t.Errorf("%s: answered 201 (registration %d, %s) by %s, but not in the database", a.Email, a.ID, a.Status, a.Process)
		case a.Code == 201 && (rs[0].ID != a.ID || created[a.ID] != a.Status):
			t.Errorf("%s: answered 201 as registration %d %s, the database holds %d created %s", a.Email, a.ID, a.Status, rs[0].ID, created[rs[0].ID])
		case a.answered() && a.Code != 201 && len(rs) > 0:
			t.Errorf("%s: answered %d by %s, yet registration %d was written", a.Email, a.Code, a.Process, rs[0].ID)
		case !a.answered() && len(rs) > 0:
			unansweredWritten++
		}
	}
	for email, rs := range byEmail {
		if !asked[email] {
			t.Errorf("registration %d (%s) was never asked for", rs[0].ID, email)
		}
	}
	return unansweredWritten
}

// checkAll runs the checks that hold after any scenario and logs the
// seats per state.
func checkAll(t *testing.T, db *sqlx.DB, meetingID int64) snapshot {
	t.Helper()
	s := load(t, db, meetingID)
	checkComplete(t, s)
	checkQuotas(t, s)
	promotions := checkWaitingList(t, s)
	s.promotions = promotions
	t.Logf("meeting %d: %d registrations, %d audit entries (%d promotions), %d emails; per state confirmed/funded/waitlisted/pending: %s",
		meetingID, len(s.regs), len(s.audit), promotions, len(s.mail), s.summary())
	return s
}
