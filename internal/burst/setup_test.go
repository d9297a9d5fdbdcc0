package burst

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/proctest"
)

// env is the environment of every process of a scenario: proctest.Quiet,
// and few enough database connections per process that four processes
// and the test fit in a server of 100 that other tests share.
func env(dsn string) proctest.Env {
	return proctest.Quiet(dsn).With("AGORA_DATABASE_MAX_OPEN_CONNS", "12", "AGORA_DATABASE_MAX_IDLE_CONNS", "12")
}

// openMeeting is the scenarios' plenary: member states and the seeded
// organisations, seats and funded seats per state and per organisation,
// overrides for a state and two organisations (more seats for FR and WHO,
// one unfunded seat for EUDA), and whether link registrations need
// approval. Quotas hold per invitee whatever its kind or override.
func openMeeting(t *testing.T, c *proctest.Client, seats, funded int, approval bool) proctest.Meeting {
	t.Helper()
	return c.Open(t, proctest.MeetingSpec{TitleEN: "Plenary under load", TitleFR: "Plénière sous charge",
		Seats: seats, Funded: funded, RequiresApproval: approval,
		Organisations:        []string{"EUDA", "UNODC", "WHO", "EC", "INTERPOL", "CSFD"},
		SeatsPerOrganisation: seats, FundedPerOrganisation: funded,
		Quotas: map[string]any{"FR": map[string]int{"seats": seats + 2, "funded_seats": funded + 1},
			"EUDA": map[string]int{"seats": 1, "funded_seats": 0}, "WHO": map[string]int{"seats": seats + 1, "funded_seats": funded}}})
}

// addFocalPoints gives the first states of the list focal points (two for
// the first state, one for the others), so that a registration through
// their link also writes the emails that tell the focal points.
func addFocalPoints(t *testing.T, c *proctest.Client, states []string) {
	t.Helper()
	for i, code := range states {
		for j := range 1 + max(0, 1-i) {
			c.JSON(t, "POST", "/api/v1/states/"+code+"/focal-points", map[string]any{
				"name": fmt.Sprintf("Focal Point %d of %s", j+1, code), "email": fmt.Sprintf("fp%d.%s@example.org", j+1, strings.ToLower(code)),
				"language": []string{"en", "fr"}[j%2],
			}, http.StatusCreated, nil)
		}
	}
}

func lastSegment(url string) string { return url[strings.LastIndex(url, "/")+1:] }

// attempt is one registration request as the test saw it.
type attempt struct {
	Email   string
	State   string
	Process string // the serve process it was sent to
	Code    int    // HTTP status; 0 when no answer arrived
	Err     error  // why no answer arrived
	ID      int64  // the registration, from a 201
	Status  string // confirmed, waitlisted or pending, from a 201
	Funded  bool
	Manage  string // the manage link's token, from a 201
}

// answered reports whether a status came back.
func (a attempt) answered() bool { return a.Code != 0 }

// person is the body of a registration request for person i of a run.
func person(run string, i int, token, state string) map[string]any {
	body := map[string]any{
		"first_name": "Delegate", "last_name": fmt.Sprintf("Number %d", i),
		"email":    fmt.Sprintf("%s.%d@example.org", run, i),
		"function": "Head of unit", "organisation": "Ministry of Health", "delegation_role": "delegate",
		"language": []string{"en", "fr"}[i%2], "funding_requested": i%3 == 0, "list_consent": true,
	}
	if token != "" {
		body["invitation_token"] = token
	} else {
		body["state"] = state
	}
	return body
}

// register sends one registration of person i of run to c: through the
// state's invitation link when token is set, else as c's account (the
// secretariat) naming the state.
func register(c *proctest.Client, process string, m proctest.Meeting, run string, i int, token, state string) attempt {
	body := person(run, i, token, state)
	a := attempt{Email: body["email"].(string), State: state, Process: process}
	code, got, err := c.Do(context.Background(), "POST", m.Path()+"/registrations", body)
	a.Code, a.Err = code, err
	if err != nil {
		a.Code = 0
		return a
	}
	if code == http.StatusCreated {
		var r struct {
			ID        int64  `json:"id"`
			Status    string `json:"status"`
			Funded    bool   `json:"funded"`
			ManageURL string `json:"manage_url"`
		}
		if err := json.Unmarshal(got, &r); err != nil {
			a.Err = fmt.Errorf("201 with %q: %w", got, err)
			return a
		}
		a.ID, a.Status, a.Funded, a.Manage = r.ID, r.Status, r.Funded, lastSegment(r.ManageURL)
	}
	return a
}

// parallel calls do(i) for i in [0, n) from the given number of
// goroutines and waits for all of them.
func parallel(n, goroutines int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(i)
			}
		})
	}
	wg.Wait()
}

// tally counts the answers of a burst, for the log.
type tally struct {
	sent, created, conflict, unavailable, other, noAnswer int
	perProcess                                            map[string]int // 201s per process
}

func count(as []attempt) tally {
	t := tally{perProcess: map[string]int{}}
	for _, a := range as {
		t.sent++
		switch a.Code {
		case http.StatusCreated:
			t.created++
			t.perProcess[a.Process]++
		case http.StatusConflict:
			t.conflict++
		case http.StatusServiceUnavailable:
			t.unavailable++
		case 0:
			t.noAnswer++
		default:
			t.other++
		}
	}
	return t
}

func (t tally) String() string {
	return fmt.Sprintf("%d sent: %d answered 201 %v, %d 409, %d 503, %d other, %d without an answer (connection errors)",
		t.sent, t.created, t.perProcess, t.conflict, t.unavailable, t.other, t.noAnswer)
}

// waitIdle waits until no other session of the database is running a
// statement or holding a transaction open: the sessions of a killed
// process end when PostgreSQL notices the closed connection, and until
// then they may hold a quota lock or an uncommitted registration.
func waitIdle(t *testing.T, db *sqlx.DB) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var busy int
		err := db.Get(&busy, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`)
		if err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still busy on the database a minute after the burst", busy)
		}
	}
}
