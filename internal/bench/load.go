package bench

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a closed-loop load: Clients workers each send one request, wait
// for its answer, and send the next, until Total requests have been sent
// or the context ends (whichever comes first).
type Load struct {
	Clients int
	Total   int
	// Do sends request number i (0 ≤ i < Total) as worker w and returns
	// an error unless the answer is the expected one.
	Do func(ctx context.Context, w, i int) error
}

// LoadResult is what a load measured.
type LoadResult struct {
	Sent      int             // requests sent
	Failures  int             // requests whose Do returned an error
	Errors    []string        // the first few errors, to show
	Elapsed   time.Duration   // from the first request to the last answer
	Latencies []time.Duration // of every request, sorted
}

// maxErrors is how many error messages a result keeps.
const maxErrors = 5

// Run sends the load and returns the measurements.
func (l Load) Run(ctx context.Context) LoadResult {
	var (
		next     atomic.Int64
		failures atomic.Int64
		mu       sync.Mutex
		errs     []string
		wg       sync.WaitGroup
	)
	lat := make([][]time.Duration, l.Clients)
	start := time.Now()
	for w := range l.Clients {
		wg.Go(func() {
			own := make([]time.Duration, 0, l.Total/l.Clients+1)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= l.Total {
					break
				}
				t := time.Now()
				err := l.Do(ctx, w, i)
				own = append(own, time.Since(t))
				if err != nil {
					failures.Add(1)
					mu.Lock()
					if len(errs) < maxErrors {
						errs = append(errs, err.Error())
					}
					mu.Unlock()
				}
			}
			lat[w] = own
		})
	}
	wg.Wait()
	r := LoadResult{Elapsed: time.Since(start), Failures: int(failures.Load()), Errors: errs}
	for _, own := range lat {
		r.Latencies = append(r.Latencies, own...)
	}
	slices.Sort(r.Latencies)
	r.Sent = len(r.Latencies)
	return r
}

// Merge adds the measurements of another load run one after the other.
func (r LoadResult) Merge(o LoadResult) LoadResult {
	m := LoadResult{Sent: r.Sent + o.Sent, Failures: r.Failures + o.Failures, Elapsed: r.Elapsed + o.Elapsed,
		Errors: append(slices.Clone(r.Errors), o.Errors...)}
	m.Errors = m.Errors[:min(len(m.Errors), maxErrors)]
	m.Latencies = slices.Concat(r.Latencies, o.Latencies)
	slices.Sort(m.Latencies)
	return m
}

// Rate is the requests answered per second.
func (r LoadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Sent) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p ≤ 100, nearest rank) of
// sorted durations, or 0 when there are none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(0, min(rank, len(sorted))-1)]
}
