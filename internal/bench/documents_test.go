package bench

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
)

var (
	docMB   = flag.Int("bench.doc-mb", 200, "size in MB of BenchmarkDocuments' file")
	docRuns = flag.Int("bench.doc-runs", 3, "upload and download rounds of BenchmarkDocuments (medians reported)")
)

// BenchmarkDocuments is the quality bar "a 200 MB document never sits
// whole in memory": one `agora serve` process, built and started as an
// operator would (AGORA_DOCUMENTS_MAX_BYTES raised to fit), receives a
// -bench.doc-mb MB file through PUT /api/v1/documents/{id}/files/en and
// sends it back through GET, -bench.doc-runs times, while its VmRSS is
// sampled every 20 ms. Next to it, in the same run, psql's \copy moves
// the same bytes into and out of a table of 1 MiB bytea rows (the same
// shape as document_chunks, the same text protocol): the floor of what
// PostgreSQL takes for them on this machine.
//
//	go test -run '^$' -bench Documents -benchtime 1x ./internal/bench/
func BenchmarkDocuments(b *testing.B) {
	_, dsn := testdb.New(b)
	bin := proctest.BuildT(b)
	size := int64(*docMB) << 20
	env := settings(dsn).With("AGORA_DOCUMENTS_MAX_BYTES", strconv.FormatInt(size+1<<20, 10),
		"AGORA_HTTP_READ_TIMEOUT", "15s", "AGORA_HTTP_WRITE_TIMEOUT", "60s")
	dir := b.TempDir()
	raw, copyFile, sum := docFiles(b, dir, size)

	p := proctest.Start(b, bin, "serve", env, "serve")
	api := proctest.Secretariat(b, bin, env, p.URL)
	m := api.OpenMeeting(b, "Documents", 2, 0)
	var doc struct {
		ID int64 `json:"id"`
	}
	api.JSON(b, "POST", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), map[string]any{
		"symbol": "BENCH", "title_en": "Benchmark", "access": "public"}, 201, &doc)
	idle := rss(b, p)
	client := &http.Client{}
	url := fmt.Sprintf("%s/api/v1/documents/%d/files/en", p.URL, doc.ID)

	var up, down, copyIn, copyOut []float64
	var peakUp, peakDown int64
	mbps := func(d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }
	for run := range *docRuns {
		stop := sampleRSS(p)
		t0 := time.Now()
		f, err := os.Open(raw)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest("PUT", url, f)
		req.ContentLength = size
		req.Header.Set("Authorization", "Bearer "+api.Token)
		req.Header.Set("Content-Disposition", `attachment; filename="bench.pdf"`)
		resp, err := client.Do(req)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("upload %d: %d %s", run, resp.StatusCode, body)
		}
		up = append(up, mbps(time.Since(t0)))
		peakUp = max(peakUp, stop())

		stop = sampleRSS(p)
		t0 = time.Now()
		req, _ = http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+api.Token)
		resp, err = client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, resp.Body)
		resp.Body.Close()
		if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != sum {
			b.Fatalf("download %d: %d bytes, %v, sha256 match %v", run, n, err, hex.EncodeToString(h.Sum(nil)) == sum)
		}
		down = append(down, mbps(time.Since(t0)))
		peakDown = max(peakDown, stop())

		psql(b, dsn, `DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (n integer PRIMARY KEY, data bytea NOT NULL);
			ALTER TABLE bench_copy ALTER COLUMN data SET STORAGE EXTERNAL`)
		t0 = time.Now()
		psql(b, dsn, `\copy bench_copy FROM '`+copyFile+`'`)
		copyIn = append(copyIn, mbps(time.Since(t0)))
		t0 = time.Now()
		psql(b, dsn, `\copy (SELECT data FROM bench_copy ORDER BY n) TO '/dev/null'`)
		copyOut = append(copyOut, mbps(time.Since(t0)))
	}
	psql(b, dsn, `DROP TABLE bench_copy`)
	if err := p.Stop(20 * time.Second); err != nil {
		b.Fatalf("stop: %v\n%s", err, p.Stderr())
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	b.ReportMetric(med(up), "upload-MB/s")
	b.ReportMetric(med(down), "download-MB/s")
	b.ReportMetric(med(copyIn), "copy-in-MB/s")
	b.ReportMetric(med(copyOut), "copy-out-MB/s")
	b.ReportMetric(float64(peakUp)/(1<<20), "peak-rss-upload-MB")
	b.ReportMetric(float64(peakDown)/(1<<20), "peak-rss-download-MB")
	b.Logf("%d MB file, %d runs: idle RSS %.0f MB; upload %.0f MB/s (psql \\copy in %.0f MB/s, ratio %.2f), download %.0f MB/s (\\copy out %.0f MB/s, ratio %.2f); peak RSS upload %.0f MB, download %.0f MB",
		*docMB, *docRuns, float64(idle)/(1<<20), med(up), med(copyIn), med(up)/med(copyIn), med(down), med(copyOut), med(down)/med(copyOut),
		float64(peakUp)/(1<<20), float64(peakDown)/(1<<20))
}

// sampleRSS samples the process's resident memory every 20 ms until stop
// is called, which returns the highest sample.
func sampleRSS(p *proctest.Process) (stop func() int64) {
	var top int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if v, err := p.RSS(); err == nil && v > top {
				top = v
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() int64 { close(done); wg.Wait(); return top }
}

// docFiles writes the benchmark's file (a PDF header, then bytes that do
// not compress) and the same bytes as a COPY text file of 1 MiB hex rows;
// it returns their paths and the file's SHA-256.
func docFiles(b *testing.B, dir string, size int64) (raw, copyFile, sum string) {
	raw, copyFile = filepath.Join(dir, "bench.pdf"), filepath.Join(dir, "bench.copy")
	rf, err := os.Create(raw)
	if err != nil {
		b.Fatal(err)
	}
	cf, err := os.Create(copyFile)
	if err != nil {
		b.Fatal(err)
	}
	cw := bufio.NewWriterSize(cf, 4<<20)
	h := sha256.New()
	chunk := make([]byte, 1<<20)
	x := uint64(0x9E3779B97F4A7C15)
	for n := int64(0); n*int64(len(chunk)) < size; n++ {
		for i := 0; i < len(chunk); i += 8 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			for k := 0; k < 8; k++ {
				chunk[i+k] = byte(x >> (8 * k))
			}
		}
		if n == 0 {
			copy(chunk, "%PDF-1.7\n")
		}
		part := chunk[:min(int64(len(chunk)), size-n*int64(len(chunk)))]
		_, _ = rf.Write(part)
		h.Write(part)
		fmt.Fprintf(cw, "%d\t\\\\x%s\n", n, hex.EncodeToString(part))
	}
	if err := cw.Flush(); err != nil {
		b.Fatal(err)
	}
	rf.Close()
	cf.Close()
	return raw, copyFile, hex.EncodeToString(h.Sum(nil))
}

func psql(b *testing.B, dsn, command string) {
	b.Helper()
	out, err := exec.Command("psql", dsn, "-v", "ON_ERROR_STOP=1", "-q", "-c", command).CombinedOutput()
	if err != nil {
		b.Fatalf("psql %s: %v\n%s", command, err, out)
	}
}
