package bench

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/testmail"
)

// Sizes of the invitation run: 10 meetings, each inviting 40 states with 5
// focal points each (200 emails), 2,000 emails in all.
const (
	runMeetings    = 10
	runStates      = 40
	runFocalPoints = 5
	runEmails      = runMeetings * runStates * runFocalPoints
	runSMTPConns   = 4                      // mail.concurrency's default, on both sides
	mailpitPollMin = 5 * time.Millisecond   // waitMailpit's looks near the end
	mailpitPollMax = 100 * time.Millisecond // and while much is left
)

// BenchmarkInvitationRun is the mail bar measured from the secretariat's
// click: the secretariat sends the invitations of 10 meetings (POST
// …/invitations, one after the other, 200 focal points each, half in
// French), and the clock runs until Mailpit holds all 2,000 emails —
// rendering, the outbox, the worker's claims and its 4 SMTP connections
// included. With the default settings each email carries its state's
// invitation letter (a PDF rendered per state and language in the first
// round, sent again unrendered in the second: the meetings did not
// change); the run fails if one does not (AGORA_BENCH_LETTERS=off runs it
// without letters, for comparison). The peer is a bare go-smtp
// client sending the same bytes (the messages as Mailpit received them
// from the app, letters included) over 4 connections,
// clocked the same way, until Mailpit holds them all. The app runs in this
// process with its mail worker, as `agora serve` does.
//
//	go test -run '^$' -bench InvitationRun -benchtime 1x ./internal/bench/
//
// Each iteration runs app, bare, bare, app (the second app run sends the
// invitations again, a new round), so that a machine getting slower or
// faster favours neither side; it reports app_emails/s, bare_emails/s
// and app/bare, and first/bare: the first round alone (the one that
// renders the letters) against the bare client.
func BenchmarkInvitationRun(b *testing.B) {
	mp := testmail.Start(b)
	letters := os.Getenv("AGORA_BENCH_LETTERS") != "off"
	e := apptest.Start(b, apptest.Options{SMTPURL: mp.SMTPURL(), Config: func(c *config.Config) {
		c.Letters.AttachToInvitations = letters
	}})
	meetings := invitationRunSetup(b, e)

	var envs []envelope
	var app, bare, first time.Duration
	round := 0
	runApp := func() {
		if err := mp.DeleteAll(); err != nil {
			b.Fatal(err)
		}
		round++
		own0 := backendsCPU(b, e)
		cpu0, machine0 := readCPU(mailpitPID()), readMachineCPU()
		start := time.Now()
		for _, id := range meetings {
			var res struct {
				EmailsQueued int `json:"emails_queued"`
			}
			e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", id), "secretariat",
				map[string]any{"resend": round > 1}, 200, &res)
			if res.EmailsQueued != runStates*runFocalPoints {
				b.Fatalf("meeting %d: %d emails queued, want %d", id, res.EmailsQueued, runStates*runFocalPoints)
			}
		}
		clicked := time.Since(start)
		ownClicked := backendsCPU(b, e)
		delivered, _ := mp.Count()
		d := waitMailpit(b, mp, start, runEmails)
		cpu, machine := readCPU(mailpitPID()).sub(cpu0), readMachineCPU().since(machine0)
		own1 := backendsCPU(b, e)
		b.Logf("app:  %.0f emails/s (the 10 POSTs took %s, %d emails delivered by then; %.0f emails/s after); CPU per email: %s this process, %s PostgreSQL (%s in this database's connections, %s of it during the POSTs), %s Mailpit; processors: %s",
			runEmails/d.Seconds(), clicked.Round(time.Millisecond), delivered, float64(runEmails-delivered)/(d-clicked).Seconds(),
			(cpu.Self / runEmails).Round(time.Microsecond), (cpu.Postgres / runEmails).Round(time.Microsecond),
			(own1.since(own0) / runEmails).Round(time.Microsecond), (ownClicked.since(own0) / runEmails).Round(time.Microsecond),
			(cpu.Agora / runEmails).Round(time.Microsecond), machine)
		app += d
		if round == 1 {
			first = d
		}
		if envs == nil {
			envs = receivedEnvelopes(b, mp)
			withLetters(b, envs, letters)
		}
	}
	runBare := func() {
		if err := mp.DeleteAll(); err != nil {
			b.Fatal(err)
		}
		cpu0, machine0 := readCPU(mailpitPID()), readMachineCPU()
		start := time.Now()
		sendEnvelopes(b, mp, envs)
		d := waitMailpit(b, mp, start, runEmails)
		cpu, machine := readCPU(mailpitPID()).sub(cpu0), readMachineCPU().since(machine0)
		b.Logf("bare: %.0f emails/s; CPU per email: %s this process, %s PostgreSQL, %s Mailpit; processors: %s", runEmails/d.Seconds(),
			(cpu.Self / runEmails).Round(time.Microsecond), (cpu.Postgres / runEmails).Round(time.Microsecond),
			(cpu.Agora / runEmails).Round(time.Microsecond), machine)
		bare += d
	}
	b.ResetTimer()
	for range b.N {
		runApp()
		runBare()
		runBare()
		runApp()
	}
	b.StopTimer()
	appRate := float64(2*runEmails*b.N) / app.Seconds()
	bareRate := float64(2*runEmails*b.N) / bare.Seconds()
	b.ReportMetric(appRate, "app_emails/s")
	b.ReportMetric(bareRate, "bare_emails/s")
	b.ReportMetric(appRate/bareRate, "app/bare")
	b.ReportMetric(runEmails/first.Seconds()/bareRate, "first/bare")
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average: %s", strings.Join(strings.Fields(string(load))[:3], " "))
	}
}

// invitationRunSetup gives 40 member states 5 focal points each (every
// other one French) and creates 10 published meetings inviting them.
func invitationRunSetup(b *testing.B, e *apptest.Env) []int64 {
	b.Helper()
	var codes []string
	if err := e.App.DB.Select(&codes, `SELECT code FROM states WHERE status = 'member' ORDER BY code LIMIT $1`, runStates); err != nil {
		b.Fatal(err)
	}
	if len(codes) != runStates {
		b.Fatalf("%d member states in the roster, want %d", len(codes), runStates)
	}
	_, err := e.App.DB.Exec(`
		INSERT INTO focal_points (state_code, name, email, language)
		SELECT c, 'Focal Point ' || i || ' ' || c, lower(c) || '.fp' || i || '@example.org',
			CASE WHEN i % 2 = 0 THEN 'fr' ELSE 'en' END
		FROM unnest($1::text[]) AS c, generate_series(1, $2) AS i`, pq.Array(codes), runFocalPoints)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	ids := make([]int64, runMeetings)
	for i := range ids {
		var m struct {
			ID int64 `json:"id"`
		}
		e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
			"kind": "plenary", "title_en": fmt.Sprintf("Plenary meeting of the Permanent Correspondents %d", i+1),
			"title_fr":       fmt.Sprintf("Réunion plénière des correspondants permanents %d", i+1),
			"description_en": strings.Repeat("Agenda, registration and practical information. ", 8),
			"description_fr": strings.Repeat("Ordre du jour, inscription et informations pratiques. ", 8),
			"starts_at":      start.Add(time.Duration(i) * 7 * 24 * time.Hour).Format(time.RFC3339),
			"ends_at":        start.Add(time.Duration(i)*7*24*time.Hour + 30*time.Hour).Format(time.RFC3339),
			"venue":          "Palais de l'Europe, Strasbourg", "audience": "custom", "invited_states": codes,
			"seats_per_state": 2, "funded_seats_per_state": 1,
		}, 201, &m)
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
		ids[i] = m.ID
	}
	return ids
}

// backends is the CPU time spent so far by each PostgreSQL backend
// connected to the app's database, by process id.
type backends map[string]time.Duration

// backendsCPU reads the CPU time of the backends of the app's database:
// unlike the whole server's, it leaves out other databases on a shared
// server. A connection closed in between is missed.
func backendsCPU(b *testing.B, e *apptest.Env) backends {
	b.Helper()
	var pids []string
	if err := e.App.DB.Select(&pids, `SELECT pid::text FROM pg_stat_activity WHERE datname = current_database()`); err != nil {
		b.Fatal(err)
	}
	cpu := backends{}
	for _, pid := range pids {
		if s, ok := procStat(pid); ok {
			cpu[pid] = s.own
		}
	}
	return cpu
}

// since returns the CPU time spent by the backends of c since before: a
// backend that was not there before counts all of its time.
func (c backends) since(before backends) time.Duration {
	var d time.Duration
	for pid, t := range c {
		d += t - before[pid]
	}
	return d
}

// mailpitPID returns the process id of the Mailpit this test started (a
// child of this process), 0 when there is none; readCPU then counts its
// CPU time in the field it names Agora.
func mailpitPID() int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	self := strconv.Itoa(os.Getpid())
	for _, dir := range dirs {
		b, err := os.ReadFile(dir + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closing < open || s[open+1:closing] != "mailpit" {
			continue
		}
		if f := strings.Fields(s[closing+1:]); len(f) > 1 && f[1] == self {
			pid, _ := strconv.Atoi(filepath.Base(dir))
			return pid
		}
	}
	return 0
}

// waitMailpit waits until Mailpit holds n messages and returns the time
// since start. Each look costs Mailpit about a millisecond of CPU (measured:
// 1.0–1.5 ms per GET of its message count, whatever the endpoint), which
// every 10 ms took a tenth of a core from the machine being measured, and
// more from the longer of two runs; so it looks rarely while much is
// left, from the rate seen so far, and every 5 ms near the end.
func waitMailpit(b *testing.B, mp *testmail.Server, start time.Time, n int) time.Duration {
	b.Helper()
	deadline := start.Add(3 * time.Minute)
	for {
		got, err := mp.Count()
		if err == nil && got >= n {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			b.Fatalf("Mailpit holds %d messages (%v), want %d", got, err, n)
		}
		wait := mailpitPollMax
		if elapsed := time.Since(start); got > 0 {
			left := time.Duration(float64(elapsed) * float64(n-got) / float64(got))
			wait = min(mailpitPollMax, max(mailpitPollMin, left/4))
		}
		time.Sleep(wait)
	}
}

type envelope struct {
	from, to string
	data     []byte
}

// receivedEnvelopes reads back every message Mailpit holds, as received.
func receivedEnvelopes(b *testing.B, mp *testmail.Server) []envelope {
	b.Helper()
	list, err := mp.Messages()
	if err != nil {
		b.Fatal(err)
	}
	envs := make([]envelope, 0, len(list))
	for _, s := range list {
		raw, err := mp.Raw(s.ID)
		if err != nil {
			b.Fatal(err)
		}
		if s.From == nil || len(s.To) != 1 {
			b.Fatalf("message %s: from %v to %v", s.ID, s.From, s.To)
		}
		if _, err := mail.ParseAddress(s.To[0].Address); err != nil {
			b.Fatal(err)
		}
		envs = append(envs, envelope{from: s.From.Address, to: s.To[0].Address, data: raw})
	}
	return envs
}

// withLetters fails unless every email carries its invitation letter (a
// PDF), as it does with the default settings (letters.attach_to_invitations):
// the bare client then sends the letters too, and the run measures their
// rendering. With AGORA_BENCH_LETTERS=off (letters not attached, for
// comparison) it fails unless none does. It logs the emails' mean size.
func withLetters(b *testing.B, envs []envelope, letters bool) {
	b.Helper()
	size := 0
	for _, e := range envs {
		if bytes.Contains(e.data, []byte("Content-Type: application/pdf")) != letters {
			b.Fatalf("an email to %s (letters attached: %v):\n%.2000s", e.to, letters, e.data)
		}
		size += len(e.data)
	}
	b.Logf("letters attached: %v; %d bytes per email on average", letters, size/len(envs))
}

// sendEnvelopes sends envs with plain go-smtp clients, runSMTPConns at a
// time, with AUTH PLAIN as the app does.
func sendEnvelopes(b *testing.B, mp *testmail.Server, envs []envelope) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, runSMTPConns)
	for range runSMTPConns {
		wg.Go(func() {
			c, err := smtp.Dial(mp.SMTPAddr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := c.Auth(sasl.NewPlainClient("", mp.Username, mp.Password)); err != nil {
				errs <- err
				return
			}
			for i := next.Add(1) - 1; i < int64(len(envs)); i = next.Add(1) - 1 {
				if err := c.SendMail(envs[i].from, []string{envs[i].to}, bytes.NewReader(envs[i].data)); err != nil {
					errs <- err
					return
				}
			}
			_ = c.Quit()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatalf("bare client: %v", err)
	}
}
