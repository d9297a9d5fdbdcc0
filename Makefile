# Agora — see README.md. `make run` and `make test` are the two you need.
GO       ?= go
BIN      := bin/agora
PKGS     := ./...
TESTFLAGS ?= -count=1 -timeout 30m

.PHONY: all build run test lint vet fmt clean bench bench-registration bench-documents faults

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/agora

# Serves http://localhost:8080 with an embedded PostgreSQL under ./var/
# unless DATABASE_URL is set. On an empty database (no meeting, no account)
# it first adds the demo data and prints the demo accounts' password once;
# otherwise the seed step says it skipped, in one line.
run: build
	./$(BIN) seed --demo --if-empty
	./$(BIN) serve

# The whole suite against a real PostgreSQL (DATABASE_URL, else the local
# server on 127.0.0.1:5432, started when installed but down).
test:
	./scripts/ensure-postgres.sh
	./scripts/ensure-mailpit.sh
	./scripts/ensure-chromium.sh
	./scripts/ensure-poppler.sh
	./scripts/ensure-zbar.sh
	$(GO) vet $(PKGS)
	$(GO) test $(TESTFLAGS) $(PKGS)

# Benchmarks against the same PostgreSQL (see docs/PERFORMANCE.md); `make
# test` runs none of them. One package at a time (-p 1): they measure the
# machine, so they must not share it with each other. BENCHARGS go to the
# benchmark, e.g. BENCHARGS='-bench.registrations 20000'.
BENCHARGS ?=

bench:
	./scripts/ensure-postgres.sh
	./scripts/ensure-mailpit.sh
	$(GO) test -p 1 -count=1 -timeout 60m -run '^$$' -bench . $(PKGS)

# Registration throughput over HTTP (one agora process, 64 clients) next
# to pgbench running the same SQL transaction on the same database.
bench-registration:
	./scripts/ensure-postgres.sh
	$(GO) test -count=1 -timeout 30m -run '^$$' -bench Registration -benchtime 1x ./internal/bench/ $(BENCHARGS)

# The failure scenarios and the soak alone, verbose (they are part of
# `make test` too): real agora, PostgreSQL and Mailpit processes killed,
# stopped and restarted (docs/SCALING.md, "Failures"). BURSTARGS go to
# internal/burst, e.g. '-soak.seed 42 -soak.registrations 20000';
# OUTAGEARGS to internal/outage, e.g. '-outage.smtp-down 20s'.
BURSTARGS ?=
OUTAGEARGS ?=

faults:
	./scripts/ensure-postgres.sh
	./scripts/ensure-mailpit.sh
	$(GO) test -count=1 -v -timeout 30m ./internal/burst/ $(BURSTARGS)
	$(GO) test -count=1 -v -timeout 30m ./internal/outage/ $(OUTAGEARGS)

# staticcheck, pinned; `go run` fetches it through the module proxy once.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin test-output

# The document store: one `agora serve` receiving and sending a 200 MB file,
# its resident memory sampled, next to psql's \copy of the same bytes.
bench-documents:
	$(GO) test -count=1 -timeout 30m -run '^$$' -bench Documents -benchtime 1x ./internal/bench/ $(BENCHARGS)
