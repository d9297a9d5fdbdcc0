package bench

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoadSendsEachRequestOnce(t *testing.T) {
	var seen [100]atomic.Int32
	var busy, most atomic.Int32
	r := Load{Clients: 8, Total: 100, Do: func(_ context.Context, _, i int) error {
		n := busy.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		defer busy.Add(-1)
		seen[i].Add(1)
		time.Sleep(time.Millisecond)
		if i%10 == 0 {
			return errors.New("refused")
		}
		return nil
	}}.Run(context.Background())
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("request %d sent %d times", i, seen[i].Load())
		}
	}
	if r.Sent != 100 || r.Failures != 10 || len(r.Errors) != maxErrors || len(r.Latencies) != 100 {
		t.Errorf("sent %d, failures %d, errors %d, latencies %d", r.Sent, r.Failures, len(r.Errors), len(r.Latencies))
	}
	if most.Load() > 8 {
		t.Errorf("%d requests at once from 8 clients", most.Load())
	}
}

func TestLoadStopsAtDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	r := Load{Clients: 2, Total: 1 << 30, Do: func(context.Context, int, int) error {
		time.Sleep(time.Millisecond)
		return nil
	}}.Run(ctx)
	if time.Since(start) > 2*time.Second || r.Sent == 0 || r.Sent >= 1<<30 {
		t.Errorf("sent %d in %v", r.Sent, time.Since(start))
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := Percentile(d, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("no durations, no percentile")
	}
	m := LoadResult{Sent: 1, Elapsed: time.Second, Latencies: d[2:3]}.Merge(LoadResult{Sent: 2, Elapsed: time.Second, Latencies: d[:2]})
	if m.Sent != 3 || m.Rate() != 1.5 || m.Latencies[0] != time.Millisecond || m.Latencies[2] != 3*time.Millisecond {
		t.Errorf("merged %+v", m)
	}
}
