package bench

import (
	"strings"
	"testing"
	"time"
)

// A report as pgbench 15 prints it.
const report = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: testdata/registration.sql
scaling factor: 1
query mode: prepared
number of clients: 64
number of threads: 2
maximum number of tries: 1
number of transactions per client: 79
number of transactions actually processed: 5056/5056
number of failed transactions: 0 (0.000%)
latency average = 54.823 ms
initial connection time = 41.077 ms
tps = 1167.381201 (without initial connection time)
`

func TestParsePgbench(t *testing.T) {
	r, err := ParsePgbench(report)
	if err != nil {
		t.Fatal(err)
	}
	if r.TPS != 1167.381201 || r.Processed != 5056 || r.Failed != 0 || r.AvgLatency != 54823*time.Microsecond {
		t.Errorf("parsed %+v", r)
	}
	if _, err := ParsePgbench("pgbench: error: connection to server failed\n"); err == nil {
		t.Error("a report without tps must be an error")
	}
}

func TestParsePgbenchLog(t *testing.T) {
	log := "0 1 245 0 1795694922 886485\n1 1 51 0 1795694922 886549\n1 2 failed 0 1795694922 886580\n"
	lat, err := ParsePgbenchLog(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if len(lat) != 2 || lat[0] != 245*time.Microsecond || lat[1] != 51*time.Microsecond {
		t.Errorf("latencies %v", lat)
	}
	if _, err := ParsePgbenchLog(strings.NewReader("garbage\n")); err == nil {
		t.Error("a line that is not a transaction must be an error")
	}
}

func TestPgbenchArgs(t *testing.T) {
	p := Pgbench{ConnInfo: "postgres://db", Script: "s.sql", Mode: "prepared", Clients: 64, Threads: 2, PerClient: 10,
		Vars: map[string]string{"b": "2", "a": "1"}}
	want := "-n -f s.sql -M prepared -c 64 -j 2 -t 10 -D a=1 -D b=2 postgres://db"
	if got := strings.Join(p.Args(), " "); got != want {
		t.Errorf("args\n got %s\nwant %s", got, want)
	}
}
