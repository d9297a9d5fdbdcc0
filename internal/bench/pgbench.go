package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pgbench is one run of pgbench with a custom script.
type Pgbench struct {
	ConnInfo  string            // a libpq connection string or URL
	Script    string            // the -f script
	Vars      map[string]string // -D variables of the script
	Mode      string            // -M: simple, extended or prepared
	Clients   int               // -c
	Threads   int               // -j
	PerClient int               // -t: transactions per client
	// LogDir receives the per-transaction log (-l) that latency
	// percentiles are read from.
	LogDir string
}

// PgbenchResult is what pgbench measured.
type PgbenchResult struct {
	TPS        float64       // without the initial connection time
	Processed  int           // transactions that completed
	Failed     int           // transactions that failed
	AvgLatency time.Duration // pgbench's own average
	Latencies  []time.Duration
	Output     string // pgbench's report, for the record
}

// Args are the command-line arguments of the run.
func (p Pgbench) Args() []string {
	args := []string{"-n", "-f", p.Script, "-M", p.Mode, "-c", strconv.Itoa(p.Clients), "-j", strconv.Itoa(p.Threads),
		"-t", strconv.Itoa(p.PerClient)}
	keys := make([]string, 0, len(p.Vars))
	for k := range p.Vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		args = append(args, "-D", k+"="+p.Vars[k])
	}
	if p.LogDir != "" {
		args = append(args, "-l", "--log-prefix="+filepath.Join(p.LogDir, "tx"))
	}
	return append(args, p.ConnInfo)
}

// Run runs pgbench and reads its report and transaction log.
func (p Pgbench) Run(ctx context.Context) (PgbenchResult, error) {
	cmd := exec.CommandContext(ctx, "pgbench", p.Args()...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return PgbenchResult{}, fmt.Errorf("bench: pgbench: %w\n%s%s", err, out.String(), errb.String())
	}
	r, err := ParsePgbench(out.String())
	if err != nil {
		return PgbenchResult{}, err
	}
	if p.LogDir == "" {
		return r, nil
	}
	logs, err := filepath.Glob(filepath.Join(p.LogDir, "tx.*"))
	if err != nil {
		return PgbenchResult{}, err
	}
	for _, name := range logs {
		f, err := os.Open(name)
		if err != nil {
			return PgbenchResult{}, err
		}
		lat, err := ParsePgbenchLog(f)
		f.Close()
		if err != nil {
			return PgbenchResult{}, fmt.Errorf("bench: %s: %w", name, err)
		}
		r.Latencies = append(r.Latencies, lat...)
		_ = os.Remove(name) // the next run of the same benchmark writes its own
	}
	slices.Sort(r.Latencies)
	return r, nil
}

var (
	tpsLine       = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
	latencyLine   = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	processedLine = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)`)
	failedLine    = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)
)

// ParsePgbench reads pgbench's final report.
func ParsePgbench(out string) (PgbenchResult, error) {
	r := PgbenchResult{Output: out}
	m := tpsLine.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("bench: no tps in pgbench's report:\n%s", out)
	}
	r.TPS, _ = strconv.ParseFloat(m[1], 64)
	if m := latencyLine.FindStringSubmatch(out); m != nil {
		ms, _ := strconv.ParseFloat(m[1], 64)
		r.AvgLatency = time.Duration(ms * float64(time.Millisecond))
	}
	if m := processedLine.FindStringSubmatch(out); m != nil {
		r.Processed, _ = strconv.Atoi(m[1])
	}
	if m := failedLine.FindStringSubmatch(out); m != nil {
		r.Failed, _ = strconv.Atoi(m[1])
	}
	return r, nil
}

// ParsePgbenchLog reads the latencies of a per-transaction log (-l):
// lines "client_id transaction_no time script_no time_epoch time_us …",
// where time is the transaction's latency in microseconds (or "failed" /
// "skipped").
func ParsePgbenchLog(r io.Reader) ([]time.Duration, error) {
	var lat []time.Duration
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 {
			return nil, fmt.Errorf("bench: pgbench log line %q", sc.Text())
		}
		us, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue // a failed or skipped transaction: counted by the report
		}
		lat = append(lat, time.Duration(us)*time.Microsecond)
	}
	return lat, sc.Err()
}
