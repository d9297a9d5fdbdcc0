package outage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coe-agora/agora/internal/proctest"
)

// answer is what came back for one request.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request with a JSON body (none when nil).
func call(ctx context.Context, hc *http.Client, method, url string, body any) (answer, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}, err
}

// unavailableProblem says what is wrong with a 503, or "" when it is the
// documented one, with Retry-After: for the API a JSON error with code
// "unavailable"; for a page an HTML page saying so in its language.
func unavailableProblem(kind string, a answer) string {
	if a.header.Get("Retry-After") == "" {
		return "503 without Retry-After"
	}
	if kind == "page" {
		if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !bytes.Contains(a.body, []byte("Temporarily unavailable")) {
			return fmt.Sprintf("503 page without the HTML error page: %s %.200q", a.header.Get("Content-Type"), a.body)
		}
		return ""
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error.Code != "unavailable" || e.Error.Message == "" {
		return fmt.Sprintf("503 without the JSON error of API.md: %.200q", a.body)
	}
	return ""
}

// phase is where a scenario stands: answers are counted per phase.
type phase int32

const (
	phaseBefore phase = iota // the database is up, before any outage
	phaseDown                // between the start of the stop and the end of the start
	phaseAfter               // the database is back
	phases
)

func (p phase) String() string { return [...]string{"before", "down", "after"}[p] }

// traffic is a steady public load on one meeting: readers of the agenda
// API and of the meeting's page, and delegates registering through the
// states' links, who try again after a 503 as a person would. It records
// every answer and every departure from the contract.
type traffic struct {
	base    string
	meeting proctest.Meeting
	hc      *http.Client
	phase   atomic.Int32
	next    atomic.Int64 // numbers the delegates

	mu         sync.Mutex
	counts     [phases]map[string]int // per phase: "kind status" → answers
	violations []string
	created    map[int64]string // registration id → email, from the 201s
	ambiguous  map[string]bool  // emails whose attempt got a 503 or no answer
	statuses   map[int64]string // registration id → status in the 201
	retried409 int              // 409s after an ambiguous attempt of the same person
	wg         sync.WaitGroup
}

func newTraffic(base string, m proctest.Meeting) *traffic {
	tr := &traffic{base: base, meeting: m, created: map[int64]string{}, ambiguous: map[string]bool{},
		statuses: map[int64]string{},
		hc:       &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
	for i := range tr.counts {
		tr.counts[i] = map[string]int{}
	}
	return tr
}

func (tr *traffic) setPhase(p phase) { tr.phase.Store(int32(p)) }

// run starts readers and registrants until ctx ends; wait waits for them.
func (tr *traffic) run(ctx context.Context, readers, registrants int) {
	for i := range readers {
		tr.wg.Go(func() { tr.read(ctx, i) })
	}
	for range registrants {
		tr.wg.Go(func() { tr.register(ctx) })
	}
}

func (tr *traffic) wait() { tr.wg.Wait() }

// count records an answer of kind and reports it in the current phase.
func (tr *traffic) count(kind string, status int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.counts[tr.phase.Load()][kind+" "+strconv.Itoa(status)]++
}

// successes returns the number of answers kind+" "+status in phase p.
func (tr *traffic) successes(p phase, kindStatus string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.counts[p][kindStatus]
}

func (tr *traffic) violate(format string, args ...any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.violations = append(tr.violations, fmt.Sprintf("[%s] ", phase(tr.phase.Load()))+fmt.Sprintf(format, args...))
}

// read alternates between the agenda API and the public page.
func (tr *traffic) read(ctx context.Context, i int) {
	paths := map[string]string{
		"agenda": tr.meeting.Path() + "/agenda",
		"page":   fmt.Sprintf("/meetings/%d", tr.meeting.ID),
	}
	kinds := []string{"agenda", "page"}
	for n := i; ctx.Err() == nil; n++ {
		kind := kinds[n%2]
		a, err := call(ctx, tr.hc, "GET", tr.base+paths[kind], nil)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			tr.violate("%s: no answer: %v", kind, err)
		case a.status == http.StatusOK:
		case a.status == http.StatusServiceUnavailable:
			if p := unavailableProblem(kind, a); p != "" {
				tr.violate("%s: %s", kind, p)
			}
		default:
			tr.violate("%s: status %d (request %s): %.300s", kind, a.status, a.header.Get("X-Request-Id"), a.body)
		}
		if err == nil {
			tr.count(kind, a.status)
		}
		if err != nil || a.status != http.StatusOK {
			pause(ctx, 50*time.Millisecond)
		}
	}
}

// registeringStates is how many states the delegates register for: few,
// so that their quotas fill and most registrations contend for the last
// seats (waiting list, funded seats) while the database goes away.
const registeringStates = 4

// register registers one new delegate after another; after a 503 or no
// answer the same person tries again until the answer is final.
func (tr *traffic) register(ctx context.Context) {
	url := tr.base + tr.meeting.Path() + "/registrations"
	for ctx.Err() == nil {
		n := tr.next.Add(1)
		st := int(n) % min(registeringStates, len(tr.meeting.Tokens))
		email := fmt.Sprintf("delegate.%d@example.org", n)
		body := map[string]any{
			"invitation_token": tr.meeting.Tokens[st], "first_name": "Delegate", "last_name": "Number " + strconv.FormatInt(n, 10),
			"email": email, "function": "Head of unit", "organisation": "Ministry of Health",
			"delegation_role": "delegate", "language": []string{"en", "fr"}[n%2],
			"funding_requested": n%3 == 0, "list_consent": true,
		}
		for ctx.Err() == nil {
			a, err := call(ctx, tr.hc, "POST", url, body)
			if ctx.Err() != nil {
				tr.markAmbiguous(email) // cut off: it may have been committed
				return
			}
			if err != nil {
				tr.violate("register: no answer: %v", err)
				tr.markAmbiguous(email)
				pause(ctx, 100*time.Millisecond)
				continue
			}
			tr.count("register", a.status)
			if a.status == http.StatusServiceUnavailable {
				if p := unavailableProblem("register", a); p != "" {
					tr.violate("register: %s", p)
				}
				tr.markAmbiguous(email)
				pause(ctx, 100*time.Millisecond)
				continue
			}
			tr.registered(email, a)
			break
		}
	}
}

func (tr *traffic) markAmbiguous(email string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.ambiguous[email] = true
}

// registered judges a final answer to a registration.
func (tr *traffic) registered(email string, a answer) {
	switch a.status {
	case http.StatusCreated:
		var r struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(a.body, &r); err != nil || r.ID == 0 {
			tr.violate("register: 201 without an id: %.200s", a.body)
			return
		}
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if prev, dup := tr.created[r.ID]; dup {
			tr.violations = append(tr.violations, fmt.Sprintf("registration %d created twice: %s and %s", r.ID, prev, email))
		}
		tr.created[r.ID], tr.statuses[r.ID] = email, r.Status
	case http.StatusConflict:
		// The earlier attempt was committed but its answer lost with the
		// connection to the database: the person is registered once.
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if !tr.ambiguous[email] {
			tr.violations = append(tr.violations, fmt.Sprintf("register %s: 409 at a first attempt: %.200s", email, a.body))
			return
		}
		tr.retried409++
	default:
		tr.violate("register %s: status %d (request %s): %.300s", email, a.status, a.header.Get("X-Request-Id"), a.body)
	}
}

// report is the counts per phase, for the log.
func (tr *traffic) report() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var b bytes.Buffer
	for p := range phases {
		fmt.Fprintf(&b, "%s: %v; ", p, tr.counts[p])
	}
	fmt.Fprintf(&b, "registrations created: %d, ambiguous attempts: %d, 409 after an ambiguous attempt: %d",
		len(tr.created), len(tr.ambiguous), tr.retried409)
	return b.String()
}

// pause sleeps for d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
