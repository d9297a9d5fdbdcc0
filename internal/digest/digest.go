// Package digest tells the confirmed delegates of a published meeting what
// changed — dates, place, title, description, agenda — in one email each,
// in their language, built from the meeting's history (meeting_changes).
//
// Edits come in bursts: the secretariat fixes the venue, then adds an item,
// then moves another. The [Notifier] therefore waits until a meeting has
// had no new change for a quiet period and sends one email covering the
// whole burst, with an updated calendar invitation when the time or the
// place changed. Every change is marked (notified_at) in the same
// transaction that queues the emails, so a change is told once, under any
// number of notifiers in any number of processes.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/mail"
)

// Defaults of [Config].
const (
	DefaultQuiet    = 3 * time.Minute
	DefaultInterval = 30 * time.Second
)

// maxMeetingsPerPass bounds one pass; the next pass takes the rest.
const maxMeetingsPerPass = 200

// Config tunes a [Notifier]; zero fields take the defaults.
type Config struct {
	// BaseURL is the application's public URL, for links and calendar UIDs.
	BaseURL string
	// MailFrom is the sender, e.g. "Agora <agora@example.org>"; it is the
	// ORGANIZER of the calendar invitations.
	MailFrom string
	// Quiet is how long a meeting must have had no new change before its
	// changes are sent (default DefaultQuiet), so a burst of edits makes
	// one email.
	Quiet time.Duration
	// Interval is how often Run looks for changes (default DefaultInterval).
	Interval time.Duration
	// ManageURL, when set, gives a registration's manage link (from its id
	// and nonce): emails that name new documents link there, where the
	// participant reads them without an account.
	ManageURL func(id int64, nonce []byte) string
	// Log receives the errors of Run's passes (default slog.Default()).
	Log *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Quiet <= 0 {
		c.Quiet = DefaultQuiet
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// Notifier emails the changes of published meetings to their confirmed
// delegates.
type Notifier struct {
	db       *sqlx.DB
	outbox   *mail.Outbox
	renderer *mail.Renderer
	cfg      Config
}

// New returns a notifier; renderer must hold the meeting_changed email.
func New(db *sqlx.DB, outbox *mail.Outbox, renderer *mail.Renderer, cfg Config) *Notifier {
	return &Notifier{db: db, outbox: outbox, renderer: renderer, cfg: cfg.withDefaults()}
}

// Run makes a pass every Interval until ctx is done, then returns nil.
// A failed pass is logged and tried again at the next tick: a database
// restart must not stop the process.
func (n *Notifier) Run(ctx context.Context) error {
	t := time.NewTicker(n.cfg.Interval)
	defer t.Stop()
	for {
		emails, err := n.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			n.cfg.Log.Error("change digest: pass failed", "err", err)
		case emails > 0:
			n.cfg.Log.Info("change digest: emails queued", "emails", emails)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce makes one pass: every meeting whose changes have been quiet for
// Quiet is handled in its own transaction (see notifyMeeting). It returns
// how many emails it queued. A meeting that fails does not stop the
// others; the errors are returned together and the meeting is tried again
// at the next pass.
func (n *Notifier) RunOnce(ctx context.Context) (emails int, err error) {
	ids, err := dueMeetings(ctx, n.db, n.cfg.Quiet, maxMeetingsPerPass)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		sent, err := n.notifyMeeting(ctx, id)
		emails += sent
		if err != nil {
			errs = append(errs, fmt.Errorf("digest: meeting %d: %w", id, err))
		}
	}
	return emails, errors.Join(errs...)
}
