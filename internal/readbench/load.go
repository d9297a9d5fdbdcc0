package readbench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a closed-loop load: Clients keep-alive clients send Requests
// requests in all (or fewer, if MaxDuration runs out first).
type Load struct {
	Clients     int
	Requests    int
	MaxDuration time.Duration
}

// Result is what a load measured.
type Result struct {
	Requests int // completed with the expected status
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	latency  []time.Duration
}

// Merge adds the measurements of another run made one after the other.
func (r Result) Merge(o Result) Result {
	m := Result{Requests: r.Requests + o.Requests, Errors: r.Errors + o.Errors, Elapsed: r.Elapsed + o.Elapsed,
		latency: slices.Concat(r.latency, o.latency)}
	m.P50, m.P99 = Percentiles(m.latency)
	return m
}

// PerSecond is the throughput of successful requests.
func (r Result) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%6d req in %5.2fs = %7.0f req/s, p50 %6.2f ms, p99 %6.2f ms, errors %d",
		r.Requests, r.Elapsed.Seconds(), r.PerSecond(), ms(r.P50), ms(r.P99), r.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewClient returns a client that keeps one connection per load client alive.
func NewClient(clients int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        clients * 2,
		MaxIdleConnsPerHost: clients * 2,
		MaxConnsPerHost:     clients,
		IdleConnTimeout:     time.Minute,
	}, Timeout: 30 * time.Second}
}

// Run sends GET url with the given header under load l and expects status 200.
func (l Load) Run(ctx context.Context, client *http.Client, url string, header http.Header) Result {
	ctx, cancel := context.WithTimeout(ctx, l.MaxDuration)
	defer cancel()
	var next atomic.Int64
	lat := make([][]time.Duration, l.Clients)
	errs := make([]int, l.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range l.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(l.Requests) && ctx.Err() == nil {
				t0 := time.Now()
				if err := get(ctx, client, url, header); err != nil {
					if ctx.Err() == nil { // a request cut by the time bound is not an error
						errs[c]++
					}
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	r := Result{Elapsed: time.Since(start)}
	all := slices.Concat(lat...)
	for _, e := range errs {
		r.Errors += e
	}
	r.Requests, r.latency = len(all), all
	r.P50, r.P99 = Percentiles(all)
	return r
}

// Percentiles returns the median and the 99th percentile (nearest rank).
func Percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return rank(0.50), rank(0.99)
}

func get(ctx context.Context, client *http.Client, url string, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Read the body whole: the client must pay for the bytes as a browser would.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return nil
}
