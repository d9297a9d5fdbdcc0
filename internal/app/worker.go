package app

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/digest"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/registration"
)

// RunDigest gathers the changes of published meetings into one email per
// delegate until ctx is done. It queues mail whether or not SMTP is
// configured (without SMTP the emails wait as withheld).
func (a *App) RunDigest(ctx context.Context) error {
	return digest.New(a.DB, a.Outbox, a.Renderer, digest.Config{BaseURL: a.Config.BaseURL, MailFrom: a.Config.MailFrom,
		Quiet: a.Config.Digest.Quiet, Interval: a.Config.Digest.Interval, Log: a.Log,
		ManageURL: func(id int64, nonce []byte) string {
			return a.Registrations.ManageURL(registration.Registration{ID: id, ManageNonce: nonce})
		}}).Run(ctx)
}

// RunBackground runs what a worker process does — mail delivery, the
// change digests, retention and the meetings' own reminders — until ctx is done. They only fail at
// start (a mail setting the SMTP client refuses, say); one that fails
// stops the others, so that the process exits and says why instead of
// running on without it.
func (a *App) RunBackground(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runs := []func(context.Context) error{a.RunWorker, a.RunDigest, a.RunRetention, a.RunReminders}
	errs := make(chan error, len(runs))
	for _, run := range runs {
		go func() {
			err := run(ctx)
			if err != nil {
				cancel()
			}
			errs <- err
		}()
	}
	var all []error
	for range runs {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// RunRetention anonymises old delegates' personal data once at start and
// then daily, until ctx is done. Several workers may run it: it is
// idempotent.
func (a *App) RunRetention(ctx context.Context) error {
	tick := time.NewTicker(24 * time.Hour)
	defer tick.Stop()
	for {
		n, err := a.Privacy.ApplyRetention(ctx, auth.SystemActor("worker"), a.Config.Privacy.RetentionMonths, time.Now())
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			a.Log.Error("retention", "error", err)
		case n > 0:
			a.Log.Info("retention: personal data anonymised", "registrations", n, "months", a.Config.Privacy.RetentionMonths)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// RunWorker delivers queued mail until ctx is done. Without an SMTP server
// configured it only waits: mail is kept as withheld until one is.
func (a *App) RunWorker(ctx context.Context) error {
	if a.Config.SMTPURL == "" {
		a.Log.Warn("no SMTP server configured (AGORA_SMTP_URL): emails are kept as withheld in the mail log")
		<-ctx.Done()
		return nil
	}
	smtp, err := mail.ParseSMTPURL(a.Config.SMTPURL)
	if err != nil {
		return err
	}
	smtp.CAFile = a.Config.Mail.CAFile
	smtp.PoolSize = a.Config.Mail.Concurrency
	pool, err := mail.NewPool(smtp)
	if err != nil {
		return err
	}
	defer pool.Close()
	w, err := mail.NewWorker(a.DB, pool, mail.WorkerConfig{
		Concurrency: a.Config.Mail.Concurrency, RatePerSecond: a.Config.Mail.RatePerSecond,
		BatchSize: a.Config.Mail.BatchSize, Lease: a.Config.Mail.Lease, PollInterval: a.Config.Mail.PollInterval,
		MaxAttempts: a.Config.Mail.MaxAttempts, MaxAge: a.Config.Mail.MaxAge,
		From: a.Config.MailFrom, ReplyTo: a.Config.Mail.ReplyTo, DatabaseURL: a.DSN,
	}, a.Log)
	if err != nil {
		return err
	}
	a.registerWorkerMetrics(w)
	a.Log.Info("mail worker started", "smtp", smtp.String(), "concurrency", a.Config.Mail.Concurrency)
	return w.Run(ctx)
}

func (a *App) registerWorkerMetrics(w *mail.Worker) {
	counter := func(name, help string, read func(mail.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(read(w.Stats())) })
	}
	for _, c := range []prometheus.Collector{
		counter("agora_mail_sent_total", "Emails accepted by the SMTP server.", func(s mail.Stats) int64 { return s.Sent }),
		counter("agora_mail_retried_total", "Temporary delivery failures, tried again later.", func(s mail.Stats) int64 { return s.Retried }),
		counter("agora_mail_failed_total", "Emails given up for good.", func(s mail.Stats) int64 { return s.Failed }),
	} {
		// A second worker in the same process (tests) keeps the first one's metrics.
		_ = a.Metrics.Registry.Register(c)
	}
}
