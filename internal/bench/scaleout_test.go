package bench

import (
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
)

// BenchmarkScaleOut is the measurement behind the scaling-out guide: the
// same registration load (-bench.clients clients, -bench.registrations
// people) through one `agora serve` and through two on the same database,
// each client kept on one process as a load balancer with keep-alive does.
// Phases run one, two, two, one, each on a meeting of its own, so that a
// machine getting slower or faster favours neither. It reports both rates
// and two/one; on one machine the two processes share its cores, so the
// ratio shows what a second process costs or gains in coordination
// (quota locks, connections), not what a second machine would add.
//
//	go test -run '^$' -bench ScaleOut -benchtime 1x ./internal/bench/
func BenchmarkScaleOut(b *testing.B) {
	db, dsn := testdb.New(b)
	bin := proctest.BuildT(b)
	env := settings(dsn)
	p1 := proctest.Start(b, bin, "serve-1", env, "serve")
	p2 := proctest.Start(b, bin, "serve-2", env, "serve")
	a := &agora{pid: p1.PID, URL: p1.URL, api: proctest.Secretariat(b, bin, env, p1.URL)}
	n := *clients
	perPhase := (*registrations + 2*n - 1) / (2 * n) * n

	warm := a.openMeeting(b, "Warm-up", *seats)
	register(b, []string{p1.URL, p2.URL}, warm, n, 2*n)

	var one, two LoadResult
	phase := func(bases []string, into *LoadResult) {
		m := a.openMeeting(b, "Scale-out", *seats)
		r := register(b, bases, m, n, perPhase)
		if r.Failures > 0 {
			b.Fatalf("%d processes: %d of %d registrations failed: %s", len(bases), r.Failures, r.Sent, strings.Join(r.Errors, "; "))
		}
		*into = into.Merge(r)
	}
	for range b.N {
		phase([]string{p1.URL}, &one)
		phase([]string{p1.URL, p2.URL}, &two)
		phase([]string{p1.URL, p2.URL}, &two)
		phase([]string{p1.URL}, &one)
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(one.Rate(), "one_req/s")
	b.ReportMetric(two.Rate(), "two_req/s")
	b.ReportMetric(two.Rate()/one.Rate(), "two/one")
	b.ReportMetric(ms(Percentile(one.Latencies, 99)), "one_p99_ms")
	b.ReportMetric(ms(Percentile(two.Latencies, 99)), "two_p99_ms")
	b.Logf("%d clients; one process: %d registrations, %.0f req/s, p50 %.1f ms, p99 %.1f ms; two processes: %d, %.0f req/s, p50 %.1f ms, p99 %.1f ms",
		n, one.Sent, one.Rate(), ms(Percentile(one.Latencies, 50)), ms(Percentile(one.Latencies, 99)),
		two.Sent, two.Rate(), ms(Percentile(two.Latencies, 50)), ms(Percentile(two.Latencies, 99)))
	checkQuotas(b, db, *seats)
}
