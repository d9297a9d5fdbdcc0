package bench

import (
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/proctest"
)

// agora is one running Agora: an `agora serve` process started from a
// freshly built binary, or, for profiling, the application in this process.
type agora struct {
	pid int // of the process; 0 in this process
	URL string
	api *proctest.Client // as the secretariat
}

// settings is the configuration the benchmark gives the app, on top of
// the defaults: proctest.Quiet (no SMTP server, so mail is rendered and
// kept as withheld; quiet logs; no per-address limit on public
// registrations). Settings in the environment (AGORA_*) pass through and
// win, so that one can try, say, AGORA_DATABASE_MAX_OPEN_CONNS=40
// without editing the benchmark.
func settings(dsn string) proctest.Env {
	env := proctest.Quiet(dsn)
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AGORA_") {
			env[k] = v
		}
	}
	return env
}

// startInProcess runs the application inside the benchmark, as the
// end-to-end tests do, so that `go test -cpuprofile` sees the server (and,
// apart, the load generator), with the same settings as the process. It
// returns the app, its database and the database's URL.
func startInProcess(b *testing.B) (*agora, *sqlx.DB, string) {
	env := settings("")
	cfg, err := config.Load(config.Sources{File: "/dev/null", LookupEnv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		b.Fatal(err)
	}
	e := apptest.Start(b, apptest.Options{Config: func(c *config.Config) {
		dsn, shutdown := c.DatabaseURL, c.HTTP.ShutdownTimeout
		*c = cfg
		c.DatabaseURL, c.HTTP.ShutdownTimeout = dsn, shutdown
	}})
	return &agora{URL: e.URL, api: proctest.NewClient(e.URL, e.Tokens["secretariat"])}, e.App.DB, e.DSN
}

// startAgora builds the binary, starts `agora serve` against dsn with
// settings(), and creates a secretariat account and API token with the
// binary's own commands. The process stops with b.
func startAgora(b *testing.B, dsn string) *agora {
	b.Helper()
	bin := proctest.BuildT(b)
	env := settings(dsn)
	p := proctest.Start(b, bin, "serve", env, "serve")
	return &agora{pid: p.PID, URL: p.URL, api: proctest.Secretariat(b, bin, env, p.URL)}
}

// openMeeting is a published meeting open for registration, with every
// member state invited and seatsPerState seats (one funded) each.
func (a *agora) openMeeting(b *testing.B, title string, seatsPerState int) proctest.Meeting {
	b.Helper()
	return a.api.OpenMeeting(b, title, seatsPerState, 1)
}
