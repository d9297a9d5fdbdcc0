// Package bench measures Agora against a bare client doing the same work
// on the same machine, for the quality bars of docs/PERFORMANCE.md:
// registration throughput of one `agora serve` process over HTTP next to
// pgbench running the same SQL transaction on the same database.
//
// The measurements are Go benchmarks: `go test` without -bench runs only
// the package's quick unit tests. `make bench-registration` runs the
// registration benchmark, `make bench` every benchmark of the project.
package bench
