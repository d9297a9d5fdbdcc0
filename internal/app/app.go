// Package app assembles Agora from its configuration: database (embedded or
// not), migrations, services, HTTP server and mail worker. cmd/agora and
// the end-to-end tests both start an App.
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/coe-agora/agora/internal/account"
	"github.com/coe-agora/agora/internal/audit"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/printout"
	"github.com/coe-agora/agora/internal/privacy"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/secret"
	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/internal/statistics"
	"github.com/coe-agora/agora/internal/validate"
	"github.com/coe-agora/agora/internal/web"
	"github.com/coe-agora/agora/templates"
)

// App is a running Agora: its database and services.
type App struct {
	Config      config.Config
	Log         *slog.Logger
	DB          *sqlx.DB
	DSN         string
	Metrics     *web.Metrics
	States      *state.Store
	Auth        *auth.Store
	Meetings    *meeting.Service
	Documents   *document.Service
	FocalPoints *invitation.FocalPoints
	Outbox      *mail.Outbox
	Renderer    *mail.Renderer
	// Letterhead heads the letters and certificates (settings "letters").
	Letterhead printout.Letterhead
	// Set by Prepare, which needs the migrated database:
	Keys          *secret.Keys
	Invitations   *invitation.Service
	Registrations *registration.Service
	Accounts      *account.Service
	Privacy       *privacy.Service
	Statistics    *statistics.Service
	// Responses keeps the public meeting reads of this process; Serve
	// keeps it told of every meeting change.
	Responses *web.ResponseCache
	// Clock is the time the response cache goes by (time.Now when nil);
	// tests set it before Serve.
	Clock    func() time.Time
	embedded *postgres.Embedded

	// Organisations is the roster's organisations, invited next to states.
	Organisations *organisation.Store
}

// Open connects to the database — starting the embedded server when no
// DATABASE_URL is set — and builds the services that need no migrated
// schema. Prepare does the rest.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	a := &App{Config: cfg, Log: log}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		emb, err := postgres.StartEmbedded(ctx, postgres.EmbeddedOptions{
			Dir: cfg.Embedded.Dir, Port: cfg.Embedded.Port, Binaries: cfg.Embedded.Binaries, Logger: log,
		})
		if err != nil {
			return nil, err
		}
		a.embedded, dsn = emb, emb.URL()
	}
	a.DSN = dsn
	db, err := postgres.Open(ctx, dsn, postgres.PoolOptions{
		MaxOpenConns: cfg.Database.MaxOpenConns, MaxIdleConns: cfg.Database.MaxIdleConns,
		ConnMaxLifetime: cfg.Database.ConnMaxLifetime, StatementTimeout: cfg.Database.StatementTimeout,
	})
	if err != nil {
		_ = a.embedded.Stop()
		return nil, err
	}
	a.DB = db
	if err := a.build(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build() error {
	v := validate.New()
	a.Metrics = web.NewMetrics(a.DB.DB)
	a.States = state.NewStore(a.DB)
	a.Organisations = organisation.NewStore(a.DB)
	a.Auth = auth.NewStore(a.DB)
	a.Meetings = meeting.NewService(a.DB, v)
	a.Documents = document.NewService(a.DB, v, a.Meetings, document.Config{MaxBytes: a.Config.Documents.MaxBytes})
	a.Responses = web.NewResponseCache(web.CacheConfig{MaxEntries: a.Config.Cache.MaxEntries,
		MaxBytes: a.Config.Cache.MaxBytes, MaxAge: a.Config.Cache.MaxAge, Now: a.now}, a.Metrics)
	a.FocalPoints = invitation.NewFocalPoints(a.DB, v)
	outbox, err := mail.NewOutbox(a.DB, mail.OutboxConfig{From: a.Config.MailFrom, SMTPConfigured: a.Config.SMTPURL != ""})
	if err != nil {
		return err
	}
	a.Outbox = outbox
	emails, err := fs.Sub(templates.FS, "email")
	if err != nil {
		return err
	}
	if a.Renderer, err = mail.NewRenderer(emails, a.Config.Mail.PlatformName); err != nil {
		return err
	}
	lc := a.Config.Letters
	if a.Letterhead, err = printout.NewLetterhead(lc.Organisation, lc.AddressLines(), lc.Signatory, lc.SignatoryTitle, lc.Logo); err != nil {
		return err
	}
	return nil
}

// Prepare applies pending migrations, adds missing roster states, and
// builds the services that need the migrated database.
func (a *App) Prepare(ctx context.Context) error {
	n, err := postgres.MigrateUp(ctx, a.DB)
	if err != nil {
		return err
	}
	if n > 0 {
		a.Log.Info("migrations applied", "count", n)
	}
	added, err := a.States.SeedRoster(ctx)
	if err != nil {
		return err
	}
	if added > 0 {
		a.Log.Info("roster seeded", "states", added)
	}
	if a.Config.SecretKey != "" {
		a.Keys, err = secret.New([]byte(a.Config.SecretKey))
	} else {
		a.Keys, err = secret.FromDatabase(ctx, a.DB)
	}
	if err != nil {
		return err
	}
	a.Invitations = invitation.NewService(a.DB, a.Meetings, a.Outbox, a.Renderer, a.Keys,
		invitation.Config{BaseURL: a.Config.BaseURL, MailFrom: a.Config.MailFrom})
	a.Meetings.AddHook(a.Invitations)
	a.Invitations.SetLetters(func(m meeting.Meeting, invitee, lang string, peers []string) ([]byte, error) {
		return printout.InvitationLetterPDF(a.Letterhead, m, invitee, lang, time.Now(), peers...)
	}, a.Config.Letters.AttachToInvitations, a.Letterhead.Version())
	a.Privacy = privacy.NewService(a.DB)
	a.Statistics = statistics.NewService(a.DB)
	a.Accounts = account.NewService(a.DB, a.Auth, a.Outbox, a.Renderer, a.Config.BaseURL)
	a.Registrations = registration.NewService(a.DB, validate.New(), a.Meetings, a.Invitations, a.Outbox, a.Renderer, a.Keys,
		registration.Config{BaseURL: a.Config.BaseURL, MailFrom: a.Config.MailFrom})
	a.Meetings.AddSeatsHook(a.Registrations)
	a.Registrations.SetVisaLetters(func(m meeting.Meeting, v registration.VisaRequest, lang string) ([]byte, error) {
		return printout.VisaLetterPDF(a.Letterhead, m, printout.VisaLetter{Name: v.Name(), Invitee: v.InviteeName,
			Nationality: v.Nationality, PassportNumber: v.PassportNumber, DateOfBirth: v.DateOfBirth, PassportExpires: v.PassportExpires},
			lang, time.Now())
	})
	return nil
}

func (a *App) now() time.Time {
	if a.Clock != nil {
		return a.Clock()
	}
	return time.Now()
}

// Close closes the database and stops an embedded server we started.
func (a *App) Close() error {
	var errs []error
	if a.DB != nil {
		errs = append(errs, a.DB.Close())
	}
	errs = append(errs, a.embedded.Stop())
	return errors.Join(errs...)
}

// Handler builds the HTTP handler.
func (a *App) Handler() (*web.Server, error) {
	mc, err := web.NewMailCheck(a.Config.SMTPURL, a.DB, a.Outbox, a.Renderer)
	if err != nil {
		return nil, err
	}
	return web.New(web.Config{BaseURL: a.Config.BaseURL, MaxBodyBytes: a.Config.HTTP.MaxBodyBytes, SMTPConfigured: a.Config.SMTPURL != "",
		Limits: web.Limits{LoginPerMinute: a.Config.Limits.LoginPerMinute, RegistrationPerMinute: a.Config.Limits.RegistrationPerMinute,
			LinkPerMinute: a.Config.Limits.LinkPerMinute},
		TrustedProxies: a.Config.HTTP.Proxies(), PublicMetrics: a.Config.Metrics.Public, Letterhead: a.Letterhead}, a.Log,
		web.Deps{DB: a.DB, States: a.States, Organisations: a.Organisations, Auth: a.Auth, Meetings: a.Meetings, Documents: a.Documents, FocalPoints: a.FocalPoints,
			Invitations: a.Invitations, Registrations: a.Registrations, Outbox: a.Outbox, Accounts: a.Accounts, Audit: audit.NewTrail(a.DB), Privacy: a.Privacy, MailCheck: mc, Renderer: a.Renderer,
			Cache: a.Responses, Statistics: a.Statistics}, a.Metrics)
}

// Serve answers HTTP on ln until ctx is done, then stops accepting, lets
// in-flight requests finish within the shutdown timeout, and returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	h, err := a.Handler()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       a.Config.HTTP.ReadTimeout,
		WriteTimeout:      a.Config.HTTP.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if a.Config.Cache.MaxEntries > 0 {
		// The cache serves only while this runs: it hears every change
		// made by any process, and drops the copies that show it.
		wctx, stopWatching := context.WithCancel(ctx)
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			if err := meeting.WatchChanges(wctx, a.DSN, a.Responses, a.Log); err != nil {
				a.Log.Error("meeting changes: not heard; public pages are not cached", "err", err)
			}
		}()
		defer func() { stopWatching(); <-watched }()
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if a.Config.Metrics.Addr != "" {
		msrv, err := a.serveMetrics(errc)
		if err != nil {
			return err
		}
		defer msrv.Close()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.HTTP.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http: shutdown: %w", err)
	}
	return nil
}

// serveMetrics answers GET /metrics, to anyone, on the metrics address:
// a port meant for the monitoring network, where nothing else is served.
func (a *App) serveMetrics(errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", a.Config.Metrics.Addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", a.Config.Metrics.Addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: a.Config.HTTP.ReadTimeout,
		WriteTimeout: a.Config.HTTP.WriteTimeout, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics: %w", err)
		}
	}()
	return srv, nil
}

// Greet tells the operator where Agora is and, on a database without an
// administrator, the exact command that creates the first one.
func (a *App) Greet(ctx context.Context, addr string, self string) {
	fmt.Fprintf(os.Stderr, "Agora is serving %s (listening on %s)\n", a.Config.BaseURL, addr)
	n, err := a.Auth.CountAdmins(ctx)
	if err != nil || n > 0 {
		return
	}
	fmt.Fprintf(os.Stderr, "No administrator yet. Create the first one with:\n"+
		"  printf '%%s\\n' 'a long passphrase' | %s user add --email you@example.org --name 'Your Name' --role admin --password-stdin\n", self)
}
