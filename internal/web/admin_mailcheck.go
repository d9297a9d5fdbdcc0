package web

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/postgres"
)

// interimPlatformName names the platform in the test email while the web
// server builds its own renderer (see Server.mailChecker).
const interimPlatformName = "Agora"

// mailCheckWait bounds how long the check waits for the worker's verdict.
const mailCheckWait = 15 * time.Second

// outboxMailCheck is the mail check: first, when it knows the SMTP server,
// it opens a session (connect, TLS, AUTH) and closes it, reporting what
// failed in the server's words; then it puts the test email in the outbox
// and waits briefly for the mail worker to send it, reporting the server's
// verdict. Going through the outbox keeps one path for every email: the
// test email is in the mail log like the others, and a check proves the
// worker runs, not only that the server answers.
type outboxMailCheck struct {
	smtp     *mail.SMTPConfig // nil: no session check, only the worker's verdict
	db       *sqlx.DB
	outbox   *mail.Outbox
	renderer *mail.Renderer
	wait     time.Duration
	poll     time.Duration
}

// NewMailCheck returns the mail check for the SMTP server of smtpURL ("":
// the worker's verdict only), sending through outbox with the emails of
// renderer.
func NewMailCheck(smtpURL string, db *sqlx.DB, outbox *mail.Outbox, renderer *mail.Renderer) (MailChecker, error) {
	c := outboxMailCheck{db: db, outbox: outbox, renderer: renderer, wait: mailCheckWait, poll: 200 * time.Millisecond}
	if smtpURL != "" {
		cfg, err := mail.ParseSMTPURL(smtpURL)
		if err != nil {
			return nil, err
		}
		cfg.PoolSize, cfg.DialTimeout = 1, 10*time.Second
		c.smtp = &cfg
	}
	return c, nil
}

// CheckMail runs the check; a failed step ends it.
func (c outboxMailCheck) CheckMail(ctx context.Context, to, lang string) MailReport {
	r := MailReport{To: to}
	add := func(step string, ok bool, detail string) {
		r.Steps = append(r.Steps, MailStep{Step: step, OK: ok, Detail: detail})
	}
	if c.smtp != nil {
		if err := c.session(ctx); err != nil {
			add("session", false, err.Error())
			return r
		}
		add("session", true, c.smtp.String()+" ("+string(c.smtp.TLS)+" TLS)")
	}
	msg, err := c.renderer.TestMessage(to, "", lang)
	if err == nil {
		err = msg.Validate() // the outbox would log it as failed; say why now
	}
	if err != nil {
		add("queued", false, err.Error())
		return r
	}
	var id int64
	err = postgres.InTx(ctx, c.db, func(tx *sqlx.Tx) error {
		id, _, err = c.outbox.Enqueue(ctx, tx, msg)
		return err
	})
	if err != nil {
		add("queued", false, err.Error())
		return r
	}
	add("queued", true, fmt.Sprintf("#%d", id))
	m, err := c.verdict(ctx, id)
	switch {
	case err != nil:
		add("waiting", false, err.Error())
	case m.Status == mail.StatusSent:
		add("accepted", true, m.MessageID)
		r.Accepted = true
	case m.Status == mail.StatusFailed:
		add("refused", false, m.LastError)
	case m.Status == mail.StatusRetrying:
		add("retrying", false, m.LastError)
	default:
		add("waiting", false, m.Status)
	}
	return r
}

// session opens an SMTP session as the worker would, and closes it.
func (c outboxMailCheck) session(ctx context.Context) error {
	pool, err := mail.NewPool(*c.smtp)
	if err != nil {
		return err
	}
	defer pool.Close()
	return pool.Check(ctx)
}

// verdict waits until the worker has tried the email, or the wait is over,
// and returns its row of the mail log.
func (c outboxMailCheck) verdict(ctx context.Context, id int64) (mail.Mail, error) {
	deadline := time.Now().Add(c.wait)
	for {
		m, err := c.outbox.Get(ctx, id)
		if err != nil {
			return mail.Mail{}, err
		}
		if m.Status == mail.StatusSent || m.Status == mail.StatusFailed || m.Status == mail.StatusRetrying || time.Now().After(deadline) {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return mail.Mail{}, ctx.Err()
		case <-time.After(c.poll):
		}
	}
}
