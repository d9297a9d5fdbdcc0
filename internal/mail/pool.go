package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrPoolClosed is returned by Send after Close.
var ErrPoolClosed = errors.New("mail: SMTP pool closed")

// Pool sends messages over at most cfg.PoolSize SMTP connections, reused
// from one message to the next and closed after IdleTimeout unused. It is
// safe for concurrent use and is the [Sender] of production workers.
//
// A connection is reset (RSET) only after a failed transaction: after a
// successful one the next MAIL FROM starts afresh (RFC 5321, 3.3), and an
// extra round trip per message would cost throughput. Nor is it probed with
// NOOP before use: a connection the server dropped fails at MAIL FROM,
// before anything was offered, and the message then goes out on a new one.
type Pool struct {
	cfg      SMTPConfig
	tls      *tls.Config
	idle     chan *session
	slots    chan struct{} // one token per open (or opening) connection
	starttls atomic.Bool   // the server was seen offering STARTTLS
	// dialer opens the TCP connections (a test watches what crosses them).
	dialer  func(ctx context.Context, network, addr string) (net.Conn, error)
	done    chan struct{}
	once    sync.Once
	janitor sync.WaitGroup
}

// NewPool returns a pool for the server of cfg. It connects lazily: use
// Check to test the settings.
func NewPool(cfg SMTPConfig) (*Pool, error) {
	cfg = cfg.withDefaults()
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTP pool: no host")
	}
	t, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:   cfg,
		tls:   t,
		idle:  make(chan *session, cfg.PoolSize),
		slots: make(chan struct{}, cfg.PoolSize),
		done:  make(chan struct{}),
	}
	p.dialer = (&net.Dialer{}).DialContext
	p.janitor.Add(1)
	go p.closeIdle()
	return p, nil
}

// Send delivers e over a pooled connection. A failure is a *ConnectError
// when no session could be opened, a *CommandError when offering the
// message failed, or ctx's error or ErrPoolClosed while waiting for a
// connection.
func (p *Pool) Send(ctx context.Context, e Envelope) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.DialTimeout+4*p.cfg.CommandTimeout+p.cfg.DataTimeout)
	defer cancel()
	for tries := 0; ; tries++ {
		s, err := p.get(ctx)
		if err != nil {
			return err
		}
		reused := s.reused
		err = p.sendOn(ctx, s, e)
		// A server may drop a connection that sat idle in the pool; when
		// that shows before anything was offered, another one loses nothing.
		if !reused || !droppedBeforeOffer(err) || tries == p.cfg.PoolSize {
			return err
		}
	}
}

// droppedBeforeOffer reports whether err is a lost connection at the start
// of a transaction.
func droppedBeforeOffer(err error) bool {
	var ce *CommandError
	return errors.As(err, &ce) && !usableAfter(err) && (ce.Command == "RSET" || ce.Command == "MAIL FROM")
}

// sendOn sends e on s, then returns s to the pool or closes it. Cancelling
// ctx closes the connection: go-smtp has no deadline on writing the data.
func (p *Pool) sendOn(ctx context.Context, s *session, e Envelope) error {
	stop := context.AfterFunc(ctx, s.close)
	err := s.send(e)
	interrupted := !stop()
	p.put(s, !interrupted && usableAfter(err))
	return err
}

// Check opens a session (connect, TLS, AUTH) and closes it, to test the
// settings.
func (p *Pool) Check(ctx context.Context) error {
	s, err := p.open(ctx)
	if err != nil {
		return fmt.Errorf("mail: SMTP check: %w", err)
	}
	_ = s.c.Quit()
	s.close()
	return nil
}

// get returns an idle session, or opens one when fewer than PoolSize are
// open, or waits for one.
func (p *Pool) get(ctx context.Context) (*session, error) {
	select {
	case s := <-p.idle:
		return p.ready(ctx, s)
	default:
	}
	select {
	case s := <-p.idle:
		return p.ready(ctx, s)
	case p.slots <- struct{}{}:
		return p.dial(ctx)
	case <-ctx.Done():
		return nil, fmt.Errorf("mail: waiting for an SMTP connection: %w", ctx.Err())
	case <-p.done:
		return nil, ErrPoolClosed
	}
}

// ready returns s, or a new session in its slot when s sat idle too long.
func (p *Pool) ready(ctx context.Context, s *session) (*session, error) {
	if time.Since(s.lastUsed) < p.cfg.IdleTimeout {
		return s, nil
	}
	s.close()
	return p.dial(ctx)
}

// dial opens a session in a slot already taken, freeing it on failure.
func (p *Pool) dial(ctx context.Context) (*session, error) {
	s, err := p.open(ctx)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return s, nil
}

// put returns s to the pool, or closes it and frees its slot.
func (p *Pool) put(s *session, reusable bool) {
	if reusable {
		select {
		case <-p.done:
		default:
			s.lastUsed, s.reused = time.Now(), true
			p.idle <- s // never blocks: there are no more sessions than slots
			return
		}
	}
	s.close()
	<-p.slots
}

// closeIdle closes connections left unused for IdleTimeout, so the pool
// does not hold a server's connections through a quiet night.
func (p *Pool) closeIdle() {
	defer p.janitor.Done()
	t := time.NewTicker(p.cfg.IdleTimeout / 2)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		for n := len(p.idle); n > 0; n-- {
			select {
			case s := <-p.idle:
				if time.Since(s.lastUsed) >= p.cfg.IdleTimeout {
					p.quit(s)
				} else {
					p.idle <- s
				}
			default:
			}
		}
	}
}

// quit says goodbye on s, briefly, closes it and frees its slot.
func (p *Pool) quit(s *session) {
	stop := time.AfterFunc(2*time.Second, s.close)
	_ = s.c.Quit()
	stop.Stop()
	s.close()
	<-p.slots
}

// Close closes the idle connections; those in use close when their
// message is done. Send fails with ErrPoolClosed afterwards.
func (p *Pool) Close() error {
	p.once.Do(func() {
		close(p.done)
		p.janitor.Wait()
		for {
			select {
			case s := <-p.idle:
				p.quit(s)
			default:
				return
			}
		}
	})
	return nil
}
