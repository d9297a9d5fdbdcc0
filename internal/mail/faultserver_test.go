package mail

import (
	"bufio"
	"errors"
	"io"
	"log"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// faultServer is a real SMTP server (go-smtp's) whose replies a test
// scripts through hook, and which counts what it accepted per Message-ID.
type faultServer struct {
	t    testing.TB
	addr string
	// hook decides the reply to RCPT (stage "rcpt") and to the end of the
	// data (stage "data"); errDrop closes the connection instead.
	hook func(ev faultEvent) error
	// delay slows every accepted message down.
	delay time.Duration
	// login, when set, makes AUTH LOGIN (and only it) required, with
	// these credentials: user, password.
	login []string

	mu       sync.Mutex
	srv      *smtp.Server
	listener net.Listener
	offered  map[string]int // Message-ID → times it reached the end of data
	accepted map[string]int // Message-ID → times it was accepted
}

// faultEvent is a moment of the conversation the hook can act on.
type faultEvent struct {
	Stage     string // "rcpt" or "data"
	To        string
	MessageID string
	Offered   int // how many times this message reached the data stage before
}

var errDrop = errors.New("drop the connection")

func startFaultServer(t testing.TB, hook func(faultEvent) error) *faultServer {
	t.Helper()
	s := &faultServer{t: t, hook: hook, offered: map[string]int{}, accepted: map[string]int{}}
	if s.hook == nil {
		s.hook = func(faultEvent) error { return nil }
	}
	s.up("127.0.0.1:0")
	t.Cleanup(s.down)
	return s
}

// up starts listening on addr (the same one again after down).
func (s *faultServer) up(addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		fs := &faultSession{s: s, conn: c}
		if s.login != nil {
			return &loginSession{faultSession: fs}, nil
		}
		return fs, nil
	}))
	srv.Domain = "fault.test"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv, s.listener, s.addr = srv, l, l.Addr().String()
	s.mu.Unlock()
	go srv.Serve(l) //nolint:errcheck // returns when closed
}

// down closes the listener and every connection.
func (s *faultServer) down() {
	s.mu.Lock()
	srv, l := s.srv, s.listener
	s.mu.Unlock()
	l.Close() // Serve may not have registered it with srv yet
	srv.Close()
}

func (s *faultServer) url() string { return "smtp://" + s.addr + "?tls=none" }

// pool returns a pool of n connections to the server, closed at the end.
func (s *faultServer) pool(n int) *Pool {
	cfg, err := ParseSMTPURL(s.url())
	if err != nil {
		s.t.Fatal(err)
	}
	cfg.PoolSize, cfg.DialTimeout, cfg.CommandTimeout, cfg.DataTimeout = n, 2*time.Second, 5*time.Second, 5*time.Second
	p, err := NewPool(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { p.Close() })
	return p
}

// deliveries returns how many times each Message-ID was accepted.
func (s *faultServer) deliveries() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.accepted))
	for k, v := range s.accepted {
		out[k] = v
	}
	return out
}

type faultSession struct {
	s    *faultServer
	conn *smtp.Conn
	to   string
}

func (fs *faultSession) Reset()        { fs.to = "" }
func (fs *faultSession) Logout() error { return nil }

func (fs *faultSession) Mail(string, *smtp.MailOptions) error { return nil }

func (fs *faultSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	fs.to = to
	return fs.reply(faultEvent{Stage: "rcpt", To: to})
}

func (fs *faultSession) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return err
	}
	id := strings.Trim(h.Get("Message-Id"), "<>")
	fs.s.mu.Lock()
	offered := fs.s.offered[id]
	fs.s.offered[id]++
	fs.s.mu.Unlock()
	if err := fs.reply(faultEvent{Stage: "data", To: fs.to, MessageID: id, Offered: offered}); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return err
	}
	time.Sleep(fs.s.delay)
	fs.s.mu.Lock()
	fs.s.accepted[id]++
	fs.s.mu.Unlock()
	return nil
}

func (fs *faultSession) reply(ev faultEvent) error {
	err := fs.s.hook(ev)
	if errors.Is(err, errDrop) {
		fs.conn.Conn().Close()
	}
	return err
}

// loginSession is a faultSession that requires AUTH LOGIN.
type loginSession struct {
	*faultSession
	user, authenticated string
}

func (ls *loginSession) AuthMechanisms() []string { return []string{sasl.Login} }

func (ls *loginSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Login {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return ls, nil
}

// Next is the server side of AUTH LOGIN: user name, then password.
func (ls *loginSession) Next(response []byte) (challenge []byte, done bool, err error) {
	switch {
	case ls.user == "" && len(response) == 0:
		return []byte("Username:"), false, nil
	case ls.user == "":
		ls.user = string(response)
		return []byte("Password:"), false, nil
	case ls.user == ls.s.login[0] && string(response) == ls.s.login[1]:
		ls.authenticated = ls.user
		return nil, true, nil
	}
	return nil, true, smtp.ErrAuthFailed
}

func (ls *loginSession) Mail(from string, opts *smtp.MailOptions) error {
	if ls.authenticated == "" {
		return smtp.ErrAuthRequired
	}
	return ls.faultSession.Mail(from, opts)
}
