package readbench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/meeting"
)

// agendaLoad is the same for Agora and for the ceiling: 64 keep-alive
// clients, a fixed count of requests, bounded in time. It runs in
// agendaRounds rounds, Agora and the ceiling in turn, so that both meet
// the same load from the other processes on a shared machine (one long run
// each, back to back, made the ratio swing from 0.3 to 0.9 between runs).
var agendaLoad = Load{Clients: 64, Requests: 20000, MaxDuration: 60 * time.Second}

const agendaRounds = 10

// BenchmarkAgendaReads measures GET /api/v1/meetings/{id}/agenda and the
// public page GET /meetings/{id}?lang=fr of a realistic published meeting,
// and a bare gin handler serving the same bytes from memory (the ceiling
// of the HTTP stack on this machine), in one run.
//
// Every request is an anonymous GET of the same URL without If-None-Match:
// after the first, Agora answers from its response cache, as it does in a
// rush on a published agenda, and sends the whole body every time.
//
// READBENCH_CPUPROFILE=file writes a CPU profile of the first Agora round;
// READBENCH_NO_CACHE=1 turns the response cache off, to measure what every
// read costs when it is built (what a cache miss costs).
func BenchmarkAgendaReads(b *testing.B) {
	var opts apptest.Options
	if os.Getenv("READBENCH_NO_CACHE") != "" {
		opts.Config = func(c *config.Config) { c.Cache.MaxEntries = 0 }
	}
	e := apptest.Start(b, opts)
	id := createRealisticMeeting(b, e)
	targets := []struct{ name, path string }{
		{"agenda_api", fmt.Sprintf("/api/v1/meetings/%d/agenda", id)},
		{"public_page", fmt.Sprintf("/meetings/%d?lang=fr", id)},
	}
	ceiling := gin.New()
	for _, t := range targets {
		body, ctype := capture(b, e.URL+t.path)
		b.Logf("%s: %d bytes, %s", t.name, len(body), ctype)
		route := t.path
		if i := len(route) - len("?lang=fr"); route[i:] == "?lang=fr" {
			route = route[:i]
		}
		ceiling.GET(route, func(c *gin.Context) { c.Data(http.StatusOK, ctype, body) })
	}
	ceilingURL := serve(b, ceiling)

	client := NewClient(agendaLoad.Clients)
	ctx := context.Background()
	warm := Load{Clients: agendaLoad.Clients, Requests: 1000, MaxDuration: 10 * time.Second}
	for b.Loop() {
		for _, t := range targets {
			warm.Run(ctx, client, e.URL+t.path, nil)
			warm.Run(ctx, client, ceilingURL+t.path, nil)
			round := agendaLoad
			round.Requests /= agendaRounds
			round.MaxDuration /= agendaRounds
			var app, bare Result
			for i := range agendaRounds {
				stop := func() {}
				if i == 0 {
					stop = startProfile(b, t.name)
				}
				app = app.Merge(round.Run(ctx, client, e.URL+t.path, nil))
				stop()
				bare = bare.Merge(round.Run(ctx, client, ceilingURL+t.path, nil))
			}
			if app.Errors > 0 || bare.Errors > 0 {
				b.Errorf("%s: errors: agora %d, ceiling %d", t.name, app.Errors, bare.Errors)
			}
			ratio := app.PerSecond() / bare.PerSecond()
			fmt.Printf("%-11s agora   %s\n%-11s ceiling %s\n%-11s ratio   %.2f (target >= 0.50)\n",
				t.name, app, t.name, bare, t.name, ratio)
			b.ReportMetric(app.PerSecond(), t.name+"_req/s")
			b.ReportMetric(ms(app.P50), t.name+"_p50_ms")
			b.ReportMetric(ms(app.P99), t.name+"_p99_ms")
			b.ReportMetric(bare.PerSecond(), t.name+"_ceiling_req/s")
			b.ReportMetric(ratio, t.name+"_ratio")
		}
	}
}

// createRealisticMeeting creates and publishes a public plenary with 15
// agenda items in English and French, sub-items and speakers.
func createRealisticMeeting(b *testing.B, e *apptest.Env) int64 {
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(24 * time.Hour).Add(7 * time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": "95th Plenary meeting of the Permanent Correspondents",
		"title_fr":       "95e réunion plénière des Correspondants permanents",
		"description_en": "The plenary adopts the programme of activities and elects its Bureau.",
		"description_fr": "La plénière adopte le programme d'activités et élit son Bureau.",
		"starts_at":      start.Format(time.RFC3339), "ends_at": start.Add(32 * time.Hour).Format(time.RFC3339),
		"format": "hybrid", "venue": "Palais de l'Europe, Strasbourg", "online_url": "https://meet.example.org/pc95",
		"seats_per_state": 3, "funded_seats_per_state": 1, "public": true,
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID)
	speakers := []map[string]any{
		{"name": "Élodie Durand", "function": "Présidente / Chair"},
		{"name": "Jan Kowalski", "function": "Rapporteur"},
	}
	at := start
	for i := 1; i <= 15; i++ {
		var it meeting.Item
		e.JSON("POST", path, "secretariat", map[string]any{
			"title_en":  fmt.Sprintf("Item %d: examination of the report on activities and priorities", i),
			"title_fr":  fmt.Sprintf("Point %d : examen du rapport sur les activités et les priorités", i),
			"notes_en":  "Document CM(2025)12-final. The plenary is invited to take note of the report and to adopt the draft decision.",
			"notes_fr":  "Document CM(2025)12-final. La plénière est invitée à prendre note du rapport et à adopter le projet de décision.",
			"starts_at": at.Format(time.RFC3339), "ends_at": at.Add(45 * time.Minute).Format(time.RFC3339),
			"speakers": speakers[:1+i%2],
		}, 201, &it)
		at = at.Add(time.Hour)
		if i%3 != 0 {
			continue
		}
		for j := 1; j <= 2; j++ {
			e.JSON("POST", path, "secretariat", map[string]any{
				"parent_id": it.ID,
				"title_en":  fmt.Sprintf("Sub-item %d.%d: statements by delegations", i, j),
				"title_fr":  fmt.Sprintf("Sous-point %d.%d : déclarations des délégations", i, j),
				"notes_en":  "Delegations are invited to speak for three minutes at most.",
				"notes_fr":  "Les délégations sont invitées à s'exprimer trois minutes au plus.",
				"speakers":  speakers[1:],
			}, 201, nil)
		}
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, nil)
	return m.ID
}

// capture returns a page's body and content type as an anonymous visitor gets it.
func capture(b *testing.B, url string) ([]byte, string) {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %v %s", url, resp.StatusCode, err, body)
	}
	return body, resp.Header.Get("Content-Type")
}

// serve runs h on a free port until the benchmark ends.
func serve(b *testing.B, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// startProfile profiles the CPU into $READBENCH_CPUPROFILE-name when set.
func startProfile(b *testing.B, name string) (stop func()) {
	path := os.Getenv("READBENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + "-" + name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
