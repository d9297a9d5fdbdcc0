// Package readbench measures Agora's read paths for docs/PERFORMANCE.md:
// the public agenda (API and page) next to the ceiling of the HTTP stack
// (a bare gin handler returning the same bytes from memory), and the
// paginated lists and exports on a large generated instance.
//
// The measurements are Go benchmarks; `go test` without -bench runs
// nothing slow:
//
//	go test -run '^$' -bench AgendaReads -benchtime 1x ./internal/readbench/
//	go test -run '^$' -bench LargeData -benchtime 1x -timeout 20m ./internal/readbench/
package readbench
