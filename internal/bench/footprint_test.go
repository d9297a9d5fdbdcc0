package bench

import (
	"flag"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
)

var (
	startups   = flag.Int("bench.startups", 9, "how many times BenchmarkFootprint starts agora serve to time its start-up")
	idleFor    = flag.Duration("bench.idle", 5*time.Second, "how long agora serve sits idle before its resident memory is read")
	footprintN = flag.Int("bench.footprint-registrations", 6400, "registrations of BenchmarkFootprint's load, from -bench.clients clients")
)

// BenchmarkFootprint is the quality bar "an idle `agora serve` stays under
// 60 MB resident, under the registration load under 200 MB, and starts
// quickly on an existing database". One process, built and started as an
// operator would, against a migrated database with the roster:
//
//   - start-up: from exec to the first 200 of /readyz (polled every
//     10 ms), -bench.startups times, each process stopped before the next;
//
//   - idle: VmRSS after -bench.idle with no request;
//
//   - under load: VmRSS sampled every 50 ms while -bench.clients clients
//     register -bench.footprint-registrations people (the registration
//     benchmark's load), then again after the same idle time.
//
//     go test -run '^$' -bench Footprint -benchtime 1x ./internal/bench/
func BenchmarkFootprint(b *testing.B) {
	_, dsn := testdb.New(b)
	bin := proctest.BuildT(b)
	env := settings(dsn)

	var starts []time.Duration
	for i := range *startups {
		t0 := time.Now()
		p := proctest.Start(b, bin, "serve", env, "serve")
		starts = append(starts, time.Since(t0))
		if err := p.Stop(20 * time.Second); err != nil {
			b.Fatalf("start-up %d: %v\n%s", i, err, p.Stderr())
		}
	}
	slices.Sort(starts)

	p := proctest.Start(b, bin, "serve", env, "serve")
	time.Sleep(*idleFor)
	idle := rss(b, p)

	a := &agora{pid: p.PID, URL: p.URL, api: proctest.Secretariat(b, bin, env, p.URL)}
	m := a.openMeeting(b, "Footprint", *seats)
	var (
		samples []int64
		done    = make(chan struct{})
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if v, err := p.RSS(); err == nil {
					samples = append(samples, v)
				}
			}
		}
	})
	res := a.load(b, m, *clients, *footprintN)
	close(done)
	wg.Wait()
	if res.Failures > 0 {
		b.Fatalf("%d of %d registrations failed: %s", res.Failures, res.Sent, strings.Join(res.Errors, "; "))
	}
	time.Sleep(*idleFor)
	after := rss(b, p)
	slices.Sort(samples)
	if len(samples) == 0 {
		b.Fatal("no memory sample during the load")
	}

	mb := func(v int64) float64 { return float64(v) / (1 << 20) }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ms(starts[len(starts)/2]), "startup_p50_ms")
	b.ReportMetric(ms(starts[len(starts)-1]), "startup_max_ms")
	b.ReportMetric(mb(idle), "idle_rss_MB")
	b.ReportMetric(mb(samples[len(samples)/2]), "load_rss_p50_MB")
	b.ReportMetric(mb(samples[len(samples)-1]), "load_rss_max_MB")
	b.ReportMetric(mb(after), "after_rss_MB")
	b.Logf("start-up to ready: %v (sorted); idle %.1f MB; under load (%d registrations, %d clients, %.0f req/s, %d samples) "+
		"median %.1f MB, max %.1f MB; idle again after %v: %.1f MB",
		starts, mb(idle), res.Sent, *clients, res.Rate(), len(samples), mb(samples[len(samples)/2]), mb(samples[len(samples)-1]), *idleFor, mb(after))
}

func rss(b *testing.B, p *proctest.Process) int64 {
	b.Helper()
	v, err := p.RSS()
	if err != nil {
		b.Fatal(err)
	}
	return v
}
