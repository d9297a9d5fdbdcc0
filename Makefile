# Agora — see README.md. `make run` and `make test` are the two you need.
GO       ?= go
BIN      := bin/agora
PKGS     := ./...
TESTFLAGS ?= -count=1 -timeout 30m

.PHONY: all build run test lint vet fmt clean

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/agora

# Serves http://localhost:8080 with an embedded PostgreSQL under ./var/
# unless DATABASE_URL is set.
run: build
	./$(BIN) serve

# The whole suite against a real PostgreSQL (DATABASE_URL, else the local
# server on 127.0.0.1:5432, started when installed but down).
test:
	./scripts/ensure-postgres.sh
	./scripts/ensure-mailpit.sh
	./scripts/ensure-chromium.sh
	$(GO) vet $(PKGS)
	$(GO) test $(TESTFLAGS) $(PKGS)

lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin test-output
