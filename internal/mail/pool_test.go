package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func testEnvelope(t *testing.T, i int) Envelope {
	t.Helper()
	c, err := newComposer(testFrom, "")
	if err != nil {
		t.Fatal(err)
	}
	j := testJob(invitation(i, false))
	j.MessageID = fmt.Sprintf("agora.pool%d@agora.example.org", i)
	data, err := c.composeBytes(j, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return Envelope{From: c.from.Address, To: j.To, Data: data}
}

func TestPoolReconnectsAfterTheServerDroppedIdleConnections(t *testing.T) {
	srv := startFaultServer(t, nil)
	p := srv.pool(2)
	ctx := context.Background()
	if err := p.Send(ctx, testEnvelope(t, 0)); err != nil {
		t.Fatal(err)
	}
	// The server restarts: the pooled connection is dead, which only
	// shows when it is used.
	srv.down()
	srv.up(srv.addr)
	if err := p.Send(ctx, testEnvelope(t, 1)); err != nil {
		t.Errorf("send on a dropped pooled connection: %v, want a transparent reconnection", err)
	}
	if n := len(srv.deliveries()); n != 2 {
		t.Errorf("%d messages delivered, want 2", n)
	}
}

func TestPoolClosesIdleConnections(t *testing.T) {
	srv := startFaultServer(t, nil)
	cfg, err := ParseSMTPURL(srv.url())
	if err != nil {
		t.Fatal(err)
	}
	cfg.IdleTimeout = 100 * time.Millisecond
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Send(context.Background(), testEnvelope(t, 0)); err != nil {
		t.Fatal(err)
	}
	if len(p.idle) != 1 {
		t.Fatalf("%d idle connections after a send, want 1", len(p.idle))
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(p.slots) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open after %s idle", len(p.slots), cfg.IdleTimeout*20)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPoolFallsBackToAuthLogin(t *testing.T) {
	srv := startFaultServer(t, nil)
	srv.login = []string{"agora", "p@ss:wörd"}
	cfg, err := ParseSMTPURL("smtp://agora:p%40ss%3Aw%C3%B6rd@" + srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Send(context.Background(), testEnvelope(t, 0)); err != nil {
		t.Fatalf("send with AUTH LOGIN: %v", err)
	}

	cfg.Password = "wrong"
	bad, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	err = bad.Send(context.Background(), testEnvelope(t, 1))
	var ce *ConnectError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("wrong password: err = %v, want a ConnectError about authentication", err)
	}
}

func TestPoolNeverSendsAPasswordInClearOverTheNetwork(t *testing.T) {
	ip := nonLoopbackIP()
	if ip == "" {
		t.Skip("this machine has no non-loopback IPv4 address to listen on")
	}
	srv := startFaultServer(t, nil)
	srv.down()
	srv.up(net.JoinHostPort(ip, "0"))
	cfg, err := ParseSMTPURL("smtp://agora:secret@" + srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "refusing to send the password in clear") {
		t.Errorf("Check = %v, want a refusal", err)
	}
}

func nonLoopbackIP() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}
