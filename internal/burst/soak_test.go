package burst

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/testmail"
)

var (
	soakSeed          = flag.Uint64("soak.seed", 0, "seed of TestSoak's random choices; 0: a new one, logged")
	soakRegistrations = flag.Int("soak.registrations", 10000, "registrations TestSoak sends")
	soakClients       = flag.Int("soak.clients", 32, "TestSoak's concurrent clients")
	soakSeats         = flag.Int("soak.seats", 3, "seats per state in TestSoak (one of them funded)")
)

// TestSoak: thousands of registrations over two `agora serve` processes
// (each with its mail worker, delivering to a real SMTP server) for the
// member states (49) and six organisations of a meeting whose
// self-registrations need approval (FR, EUDA and WHO with seats of their
// own),
// with approvals, declines and cancellations (through the manage link and
// through the API) interleaved at random from a seeded source, and the
// seats per state raised twice on the way. At the end every state must be
// within its quotas, every promotion must have gone to the person of the
// state who had waited longest, no seat may be free while someone waits,
// nobody may have taken a seat ahead of those waiting, and each event — a
// registration confirmed, waitlisted or pending, an approval, a decline, a
// cancellation, a promotion — must have queued exactly one email,
// delivered exactly once.
//
// The default is the 10,000 registrations, about a minute here;
// -soak.registrations 2000 makes a quick run.
func TestSoak(t *testing.T) {
	seed := *soakSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -soak.seed %d), %d registrations, %d clients, %d seats per state",
		seed, seed, *soakRegistrations, *soakClients, *soakSeats)
	db, dsn := testdb.New(t)
	mp := testmail.Start(t)
	e := env(dsn).With("AGORA_SMTP_URL", mp.SMTPURL())
	procs := []*proctest.Process{
		proctest.Start(t, bin, "serve-1", e, "serve"),
		proctest.Start(t, bin, "serve-2", e, "serve"),
	}
	sec := proctest.Secretariat(t, bin, e, procs[0].URL)
	s := &soak{m: openMeeting(t, sec, *soakSeats, 1, true), events: map[int64][]string{}, answers: map[string]int{}}
	addFocalPoints(t, sec, []string{"FR", "DE", "IT"})
	for _, p := range procs {
		s.sec = append(s.sec, sec.With(p.URL))
		s.public = append(s.public, proctest.NewClient(p.URL, ""))
	}
	s.names = []string{procs[0].Name, procs[1].Name}
	s.attempts = make([]attempt, *soakRegistrations)

	start := time.Now()
	var wg sync.WaitGroup
	for g := range *soakClients {
		rng := rand.New(rand.NewPCG(seed, uint64(g)))
		wg.Go(func() { s.client(t, rng) })
	}
	wg.Wait()
	load := time.Since(start)
	requests := len(s.attempts) + s.actions()
	t.Logf("load: %d registrations and %d actions in %s: %.0f registrations/s, %.0f requests/s; registrations: %s; actions: %v",
		len(s.attempts), s.actions(), load.Round(time.Millisecond), float64(len(s.attempts))/load.Seconds(),
		float64(requests)/load.Seconds(), count(s.attempts), s.answers)
	if got := count(s.attempts); got.created+got.unavailable != got.sent {
		t.Errorf("registrations answered otherwise than 201 or 503: %s", got)
	} else if got.created < got.sent*9/10 {
		t.Errorf("only %d of %d registrations went through: the checks below would have too little to check", got.created, got.sent)
	}
	// Every kind of event the soak is about happened, so that the checks
	// below have something to check.
	for _, a := range []string{"approve 200", "decline 200", "cancel-link 200", "cancel-api 200"} {
		if s.answers[a] == 0 {
			t.Errorf("no %q among the answers %v", a, s.answers)
		}
	}
	if s.answers["raise-seats 200"] != 2 {
		t.Errorf("seats raised %d times, want 2: %v", s.answers["raise-seats 200"], s.answers)
	}

	rows := waitDelivered(t, db)
	t.Logf("%d emails delivered %s after the load ended", len(rows), (time.Since(start) - load).Round(time.Millisecond))
	snap := checkAll(t, db, s.m.ID)
	if snap.promotions == 0 {
		t.Error("nobody was promoted from a waiting list: the soak checked no promotion")
	}
	checkAttempts(t, snap, s.attempts)
	checkEvents(t, snap, s.events)
	checkDelivered(t, mp, rows)
	t.Logf("soak done in %s", time.Since(start).Round(time.Millisecond))
}

// soak is the state of TestSoak's clients: the registrations they may act
// on, and the emails their answers say were queued.
type soak struct {
	m        proctest.Meeting
	sec      []*proctest.Client // the secretariat, per process
	public   []*proctest.Client // anonymous, per process
	names    []string           // of the processes
	attempts []attempt
	next     atomic.Int64

	mu      sync.Mutex
	open    []*held            // registrations an action may pick; one client acts on each at a time
	events  map[int64][]string // registration → the kinds of email its answered requests queued
	answers map[string]int     // "approve 200" → how many
}

// held is a registration as its last answer showed it.
type held struct {
	id             int64
	state, status  string
	manage, person string
}

// client sends requests until every registration is sent: mostly
// registrations, and, one time in four, an action on a registration
// another request created.
func (s *soak) client(t *testing.T, rng *rand.Rand) {
	for {
		p := rng.IntN(len(s.sec))
		if rng.IntN(4) == 0 {
			if h := s.take(rng); h != nil {
				s.act(t, rng, p, h)
				continue
			}
		}
		i := int(s.next.Add(1) - 1)
		if i >= len(s.attempts) {
			return
		}
		if n := len(s.attempts); i == n/3 || i == 2*n/3 {
			s.raiseSeats(t, p)
		}
		st := rng.IntN(len(s.m.States))
		var a attempt
		if rng.IntN(2) == 0 { // self-registration: pending until approved
			a = register(s.public[p], s.names[p], s.m, "soak", i, s.m.Tokens[st], s.m.States[st])
		} else {
			a = register(s.sec[p], s.names[p], s.m, "soak", i, "", s.m.States[st])
		}
		s.attempts[i] = a
		if a.Code == http.StatusCreated {
			s.record(a.ID, "registration_"+a.Status)
			s.put(&held{id: a.ID, state: a.State, status: a.Status, manage: a.Manage, person: a.Email})
		}
	}
}

// act approves, declines or cancels h, and records what the answer says
// was queued. Only this client acts on h meanwhile, so each action is
// expected to succeed (or to find the state busy: 503).
func (s *soak) act(t *testing.T, rng *rand.Rand, p int, h *held) {
	var action, path string
	var body any
	c := s.sec[p]
	r := rng.Float64()
	switch {
	case h.status == "pending" && r < 0.6:
		action, path = "approve", fmt.Sprintf("/api/v1/registrations/%d/approve", h.id)
	case h.status == "pending" && r < 0.85, h.status != "pending" && r < 0.2:
		action, path, body = "decline", fmt.Sprintf("/api/v1/registrations/%d/decline", h.id), map[string]string{"reason": "The delegation is complete."}
	case r < 0.6:
		action, path, c = "cancel-link", "/api/v1/manage/"+h.manage+"/cancel", s.public[p]
	default:
		action, path = "cancel-api", fmt.Sprintf("/api/v1/registrations/%d/cancel", h.id)
	}
	code, got, err := c.Do(context.Background(), "POST", path, body)
	s.mu.Lock()
	s.answers[fmt.Sprintf("%s %d", action, code)]++
	s.mu.Unlock()
	if err != nil || (code != http.StatusOK && code != http.StatusServiceUnavailable) {
		t.Errorf("%s registration %d (%s, %s) through %s: %d %s %v", action, h.id, h.state, h.status, s.names[p], code, got, err)
		return
	}
	if code == http.StatusServiceUnavailable {
		s.put(h) // nothing happened: someone may try again
		return
	}
	var out struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(got, &out); err != nil {
		t.Errorf("%s registration %d: %v in %s", action, h.id, err, got)
		return
	}
	switch action {
	case "approve":
		kind := map[string]string{"confirmed": "registration_approved", "waitlisted": "registration_waitlisted"}[out.Status]
		if kind == "" {
			t.Errorf("approve registration %d: status %s", h.id, out.Status)
			return
		}
		s.record(h.id, kind)
		h.status = out.Status
		s.put(h)
	case "decline":
		s.record(h.id, "registration_declined")
	default:
		s.record(h.id, "registration_cancelled")
	}
}

// raiseSeats gives every state and every organisation one seat more, and
// WHO's override one more too (FR's and EUDA's stay), as the secretariat
// does for a popular meeting: the new seats must go to the people waiting.
func (s *soak) raiseSeats(t *testing.T, p int) {
	var m struct {
		Seats    int                       `json:"seats_per_state"`
		OrgSeats int                       `json:"seats_per_organisation"`
		Quotas   map[string]map[string]int `json:"quotas"`
	}
	code, got, err := s.sec[p].Do(context.Background(), "GET", s.m.Path(), nil)
	if err == nil && code == http.StatusOK {
		err = json.Unmarshal(got, &m)
	}
	if err == nil && code == http.StatusOK {
		if who, ok := m.Quotas["WHO"]; ok {
			who["seats"]++
		}
		code, got, err = s.sec[p].Do(context.Background(), "PATCH", s.m.Path(),
			map[string]any{"seats_per_state": m.Seats + 1, "seats_per_organisation": m.OrgSeats + 1, "quotas": m.Quotas})
	}
	s.mu.Lock()
	s.answers[fmt.Sprintf("raise-seats %d", code)]++
	s.mu.Unlock()
	if err != nil || code != http.StatusOK {
		t.Errorf("raise the seats to %d through %s: %d %s %v", m.Seats+1, s.names[p], code, got, err)
	}
}

func (s *soak) take(rng *rand.Rand) *held {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.open) == 0 {
		return nil
	}
	i := rng.IntN(len(s.open))
	h := s.open[i]
	s.open[i] = s.open[len(s.open)-1]
	s.open = s.open[:len(s.open)-1]
	return h
}

func (s *soak) put(h *held) {
	s.mu.Lock()
	s.open = append(s.open, h)
	s.mu.Unlock()
}

func (s *soak) record(id int64, kind string) {
	s.mu.Lock()
	s.events[id] = append(s.events[id], kind)
	s.mu.Unlock()
}

func (s *soak) actions() int {
	n := 0
	for _, v := range s.answers {
		n += v
	}
	return n
}

// checkEvents asserts that each registration's emails to the person are
// exactly those of the events the test's answered requests performed,
// plus one per promotion.
func checkEvents(t *testing.T, snap snapshot, events map[int64][]string) {
	t.Helper()
	want := map[int64][]string{}
	for id, kinds := range events {
		want[id] = slices.Clone(kinds)
	}
	for _, e := range snap.audit {
		if e.Action == "registration.promote" {
			want[e.SubjectID] = append(want[e.SubjectID], "registration_promoted")
		}
	}
	got := map[int64][]string{}
	for _, m := range snap.mail {
		if m.RegistrationID != nil && m.Kind != "self_registration" {
			got[*m.RegistrationID] = append(got[*m.RegistrationID], m.Kind)
		}
	}
	kinds := map[string]int{}
	for id := range snap.regs {
		w, g := slices.Sorted(slices.Values(want[id])), slices.Sorted(slices.Values(got[id]))
		if !slices.Equal(w, g) {
			t.Errorf("registration %d (%s, now %s): emails %q, want %q from the answers and promotions", id, snap.regs[id].State, snap.regs[id].Status, g, w)
		}
		for _, k := range g {
			kinds[k]++
		}
	}
	for id := range want {
		if _, ok := snap.regs[id]; !ok {
			t.Errorf("registration %d was answered but is not in the database", id)
		}
	}
	t.Logf("emails to registrants by kind: %v", kinds)
}
