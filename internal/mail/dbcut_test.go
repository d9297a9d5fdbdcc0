package mail

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

// cutProxy forwards TCP connections to a PostgreSQL server and can cut
// them all and refuse new ones, as a restart of the server does, without
// touching the shared server other tests use.
type cutProxy struct {
	addr   string
	target string
	ln     net.Listener

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
}

func startCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.setCut(true)
	})
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

func (p *cutProxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// setCut closes every connection and refuses new ones (true), or lets
// them through again (false).
func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
	}
}

// The database goes away while messages are being sent: the worker must
// record them as sent once it is back, not leave them to go out a second
// time when their lease runs out.
func TestWorkerRecordsSentMailOnceTheDatabaseIsBack(t *testing.T) {
	db, dsn := testdb.New(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startCutProxy(t, u.Host)
	u.Host = proxy.addr
	viaProxy := u.String()
	wdb, err := postgres.Open(context.Background(), viaProxy, postgres.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wdb.Close() })

	// The database goes away during the first message's data, for longer
	// than the three quick tries of the past.
	var once sync.Once
	srv := startFaultServer(t, func(ev faultEvent) error {
		if ev.Stage == "data" {
			once.Do(func() {
				proxy.setCut(true)
				time.AfterFunc(5*time.Second, func() { proxy.setCut(false) })
			})
		}
		return nil
	})
	ids := enqueue(t, db, newOutbox(t, db, true), invitation(1, false), invitation(2, false), invitation(3, false))
	cfg := fastConfig(viaProxy)
	cfg.Lease = 30 * time.Second // rows left 'sending' would go out again after it
	startWorker(t, wdb, srv.pool(1), cfg)

	waitFor(t, db, "status = 'sent'", time.Minute)
	checkDeliveredOnce(t, srv, ids, db)
	for _, id := range ids {
		if m := row(t, db, id); m.Attempts != 1 {
			t.Errorf("row %d: %d attempts, want 1", id, m.Attempts)
		}
	}
}
