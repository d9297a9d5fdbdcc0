package mail

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Envelope is one message as the SMTP server receives it.
type Envelope struct {
	From string // MAIL FROM: a bare address
	To   string // RCPT TO: the one recipient
	Data []byte // the RFC 5322 message, headers and body
}

// ConnectError means no SMTP session could be opened (the server is down,
// TLS or AUTH failed): the message itself was never offered.
type ConnectError struct{ Err error }

// Error returns the cause.
func (e *ConnectError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// CommandError is a failure while offering a message, with the SMTP
// command it answered ("MAIL FROM", "RCPT TO", "DATA", "end of data").
type CommandError struct {
	Command string
	Err     error // a *smtp.SMTPError when the server replied
}

// Error returns the command and the failure, e.g.
// "RCPT TO: SMTP error 550: no such user".
func (e *CommandError) Error() string { return e.Command + ": " + e.Err.Error() }

// Unwrap returns the failure.
func (e *CommandError) Unwrap() error { return e.Err }

// session is one open, authenticated SMTP connection.
type session struct {
	c        *smtp.Client
	lastUsed time.Time
	reused   bool // it has carried a message before
	dirty    bool // a transaction was left open: RSET before the next
}

// open connects, secures and authenticates a session as cfg says.
// Everything is bounded by ctx: a watchdog closes the connection when ctx
// ends, because go-smtp's constructors run commands under their own,
// five-minute, deadlines.
func (p *Pool) open(ctx context.Context) (*session, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.DialTimeout)
	defer cancel()
	c, err := p.connect(ctx)
	if err != nil {
		return nil, &ConnectError{fmt.Errorf("connect to %s: %w", p.cfg.Addr(), err)}
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	err = p.authenticate(c)
	if !stop() {
		err = errors.Join(err, ctx.Err())
	}
	if err != nil {
		c.Close()
		return nil, &ConnectError{fmt.Errorf("connect to %s: %w", p.cfg.Addr(), err)}
	}
	return &session{c: c, lastUsed: time.Now()}, nil
}

// connect returns a client that has greeted the server and, unless TLS is
// off, is encrypted.
func (p *Pool) connect(ctx context.Context) (*smtp.Client, error) {
	switch p.cfg.TLS {
	case TLSImplicit:
		conn, err := p.dialTCP(ctx)
		if err != nil {
			return nil, err
		}
		tc := tls.Client(conn, p.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return p.client(ctx, tc, false)
	case TLSRequired:
		return p.dialStartTLS(ctx)
	case TLSOpportunistic:
		if p.starttls.Load() {
			return p.dialStartTLS(ctx)
		}
	}
	conn, err := p.dialTCP(ctx)
	if err != nil {
		return nil, err
	}
	c, err := p.client(ctx, conn, false)
	if err != nil || p.cfg.TLS == TLSNone {
		return c, err
	}
	// go-smtp v0.25 cannot upgrade an open client, so a server that offers
	// STARTTLS is dialled again; the pool remembers it and goes straight to
	// STARTTLS from then on.
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return c, nil
	}
	_ = c.Quit()
	c.Close()
	p.starttls.Store(true)
	return p.dialStartTLS(ctx)
}

func (p *Pool) dialStartTLS(ctx context.Context) (*smtp.Client, error) {
	conn, err := p.dialTCP(ctx)
	if err != nil {
		return nil, err
	}
	return p.client(ctx, conn, true)
}

// dialTCP opens a TCP connection to the server, whose writes wait for the
// client's next read (see batchedConn).
func (p *Pool) dialTCP(ctx context.Context) (net.Conn, error) {
	conn, err := p.dialer(ctx, "tcp", p.cfg.Addr())
	if err != nil {
		return nil, err
	}
	return newBatchedConn(conn), nil
}

// batchedConn holds what is written to it until the next read. SMTP
// without pipelining is a dialogue: a client that reads is waiting for the
// reply to all it has written, so nothing is held back that the server
// needs. go-smtp writes a message in pieces of 4 KiB, the size of its
// buffer, each one a system call and a TCP segment that the server must
// read in turn; through this connection a message leaves in one write, as
// does each command (with STARTTLS or TLS, what the TLS layer writes).
type batchedConn struct {
	net.Conn
	w *bufio.Writer
}

// batchedConnSize holds an email with a letter attached (about 50 KB);
// a larger one leaves in pieces of this size.
const batchedConnSize = 64 << 10

func newBatchedConn(c net.Conn) *batchedConn {
	return &batchedConn{Conn: c, w: bufio.NewWriterSize(c, batchedConnSize)}
}

// Write holds p until the next Read, or until the buffer is full.
func (c *batchedConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// Read sends what was written, then reads.
func (c *batchedConn) Read(p []byte) (int, error) {
	if c.w.Buffered() > 0 {
		if err := c.w.Flush(); err != nil {
			return 0, err
		}
	}
	return c.Conn.Read(p)
}

// client greets the server over conn (after STARTTLS when asked) and says
// EHLO with the configured name.
func (p *Pool) client(ctx context.Context, conn net.Conn, starttls bool) (*smtp.Client, error) {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	var c *smtp.Client
	if starttls {
		var err error
		if c, err = smtp.NewClientStartTLS(conn, p.tls); err != nil {
			p.starttls.Store(false)
			return nil, errors.Join(err, ctx.Err())
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = p.cfg.CommandTimeout
	c.SubmissionTimeout = p.cfg.DataTimeout
	if err := c.Hello(p.cfg.HeloName); err != nil {
		c.Close()
		return nil, errors.Join(err, ctx.Err())
	}
	return c, nil
}

// authenticate logs in with AUTH PLAIN, or LOGIN when that is all the
// server offers. A password is only sent in clear to this machine or when
// the URL says tls=none.
func (p *Pool) authenticate(c *smtp.Client) error {
	if p.cfg.Username == "" {
		return nil
	}
	if _, secure := c.TLSConnectionState(); !secure && p.cfg.TLS != TLSNone && !isLoopback(p.cfg.Host) {
		return errors.New("the server does not offer STARTTLS: refusing to send the password in clear (add ?tls=none to the SMTP URL to allow it)")
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return errors.New("the server does not offer AUTH but a user name is configured")
	}
	var a sasl.Client
	switch {
	case c.SupportsAuth(sasl.Plain):
		a = sasl.NewPlainClient("", p.cfg.Username, p.cfg.Password)
	case c.SupportsAuth(sasl.Login):
		a = sasl.NewLoginClient(p.cfg.Username, p.cfg.Password)
	default:
		return errors.New("the server offers neither AUTH PLAIN nor AUTH LOGIN")
	}
	if err := c.Auth(a); err != nil {
		return fmt.Errorf("authentication failed: %w", err)
	}
	return nil
}

// send offers one message. A server reply leaves the session usable (after
// RSET); any other error leaves it broken.
func (s *session) send(e Envelope) error {
	if s.dirty {
		if err := s.c.Reset(); err != nil {
			return &CommandError{"RSET", err}
		}
		s.dirty = false
	}
	var opts *smtp.MailOptions
	if !isASCII(e.From) || !isASCII(e.To) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	s.dirty = true
	if err := s.c.Mail(e.From, opts); err != nil {
		return &CommandError{"MAIL FROM", err}
	}
	if err := s.c.Rcpt(e.To, nil); err != nil {
		return &CommandError{"RCPT TO", err}
	}
	w, err := s.c.Data()
	if err != nil {
		return &CommandError{"DATA", err}
	}
	if _, err := w.Write(e.Data); err != nil {
		return &CommandError{"DATA", err}
	}
	if err := w.Close(); err != nil {
		return &CommandError{"end of data", err}
	}
	s.dirty = false
	return nil
}

// usableAfter reports whether the session can carry another message after
// err: only when the server replied, and did not announce it is closing.
func usableAfter(err error) bool {
	var se *smtp.SMTPError
	return err == nil || errors.As(err, &se) && se.Code != 421
}

func (s *session) close() {
	s.c.Close()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
