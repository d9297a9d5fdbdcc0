package mail

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

// writeLog is a connection that records the size of every write.
type writeLog struct {
	net.Conn
	mu     sync.Mutex
	writes []int
}

func (c *writeLog) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes = append(c.writes, len(p))
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *writeLog) sizes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.writes...)
}

// TestPoolWritesEachMessageInOnePiece sends emails the size of one with
// an invitation letter: each command and each message must reach the
// network in one write (go-smtp alone writes a message in pieces of 4 KiB,
// each a system call and a segment for the server to read), and the
// server must receive every message.
func TestPoolWritesEachMessageInOnePiece(t *testing.T) {
	srv := startFaultServer(t, nil)
	p := srv.pool(1)
	var conns []*writeLog
	p.dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		w := &writeLog{Conn: c}
		conns = append(conns, w) // one connection: dialled by one sender
		return w, nil
	}
	const emails = 3
	var body strings.Builder
	for i := 0; body.Len() < 48<<10; i++ {
		// Lines that start with a dot are doubled on the wire.
		fmt.Fprintf(&body, ".line %d of a letter in base64, as long as one: %s\r\n", i, strings.Repeat("QUJD", 12))
	}
	for i := range emails {
		data := fmt.Sprintf("Message-Id: <batch%d@agora.example.org>\r\nSubject: letter %d\r\n\r\n%s", i, i, body.String())
		if err := p.Send(t.Context(), Envelope{From: "agora@agora.example.org", To: fmt.Sprintf("fp%d@example.org", i), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range emails {
		if n := srv.deliveries()[fmt.Sprintf("batch%d@agora.example.org", i)]; n != 1 {
			t.Errorf("message %d delivered %d times, want 1", i, n)
		}
	}
	if len(conns) != 1 {
		t.Fatalf("%d connections dialled, want 1", len(conns))
	}
	// EHLO, then MAIL FROM, RCPT TO, DATA and the message for each email.
	sizes := conns[0].sizes()
	if want := 1 + 4*emails; len(sizes) != want {
		t.Fatalf("%d writes to the network, want %d (EHLO, then 4 per email): %v", len(sizes), want, sizes)
	}
	for i := range emails {
		if got, least := sizes[1+4*i+3], body.Len(); got < least {
			t.Errorf("email %d: its data left in a write of %d bytes, want it whole (over %d): %v", i, got, least, sizes)
		}
	}
}
