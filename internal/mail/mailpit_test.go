package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/testmail"
)

// mailpitPool returns a pool for the server at url, closed at the end.
func mailpitPool(t testing.TB, url, caFile string, size int) *Pool {
	t.Helper()
	cfg, err := ParseSMTPURL(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.CAFile, cfg.PoolSize, cfg.DialTimeout = caFile, size, 5*time.Second
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestDeliveryToMailpit(t *testing.T) {
	db, dsn := testdb.New(t)
	mp := testmail.Start(t)
	renderer, err := NewRenderer(emailFS(t), "Agora")
	if err != nil {
		t.Fatal(err)
	}
	check, err := renderer.TestMessage("admin@example.org", "", "en")
	if err != nil {
		t.Fatal(err)
	}
	invite := invitation(1, true)
	ids := enqueue(t, db, newOutbox(t, db, true), invite, check)
	startWorker(t, db, mailpitPool(t, mp.SMTPURL(), "", 2), fastConfig(dsn))
	waitFor(t, db, "status = 'sent'", 10*time.Second)

	list, err := mp.Messages()
	if err != nil || len(list) != 2 {
		t.Fatalf("Mailpit holds %d messages (%v), want 2", len(list), err)
	}
	byMessageID := map[string]testmail.Summary{}
	for _, s := range list {
		byMessageID[s.MessageID] = s
	}
	stored := row(t, db, ids[0])
	s, ok := byMessageID[stored.MessageID]
	if !ok {
		t.Fatalf("no message with the stored Message-ID %s among %v", stored.MessageID, list)
	}
	if s.Username != mp.Username {
		t.Errorf("sent as SMTP user %q, want %q", s.Username, mp.Username)
	}
	m, err := mp.Message(s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != invite.Subject {
		t.Errorf("subject = %q, want %q", m.Subject, invite.Subject)
	}
	if len(m.To) != 1 || m.To[0].Address != invite.To || m.To[0].Name != invite.ToName {
		t.Errorf("to = %+v, want %s <%s>", m.To, invite.ToName, invite.To)
	}
	if m.From == nil || m.From.Name != "Secrétariat Agora" || m.From.Address != "secretariat@agora.example.org" ||
		len(m.ReplyTo) != 1 || m.ReplyTo[0].Address != "help@agora.example.org" {
		t.Errorf("from = %+v, reply-to = %+v", m.From, m.ReplyTo)
	}
	if !strings.Contains(m.Text, "Vous êtes invité(e)") || !strings.Contains(m.HTML, "<strong>Réunion plénière") {
		t.Errorf("text or HTML part missing:\ntext: %.80q\nhtml: %.80q", m.Text, m.HTML)
	}
	var ics string
	for _, a := range append(m.Attachments, m.Inline...) {
		if a.FileName == "invite.ics" {
			b, err := mp.Part(s.ID, a.PartID)
			if err != nil {
				t.Fatal(err)
			}
			ics = string(b)
		}
	}
	if !strings.Contains(ics, "METHOD:REQUEST\r\n") || !strings.Contains(ics, "SUMMARY:Réunion plénière") {
		t.Errorf("invite.ics = %q, want the calendar with METHOD:REQUEST", ics)
	}
	raw, err := mp.Raw(s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "Subject: =?utf-8?") || !strings.Contains(string(raw), "text/calendar; charset=utf-8; method=REQUEST") {
		t.Errorf("raw message lacks an RFC 2047 subject or the calendar part:\n%.1500s", raw)
	}

	testMsg, ok := byMessageID[row(t, db, ids[1]).MessageID]
	if !ok || testMsg.Subject != "Test message from Agora" {
		t.Errorf("the mail check arrived as %+v", testMsg)
	}
}

func TestWrongSMTPPasswordIsRecordedAndNothingIsSent(t *testing.T) {
	db, dsn := testdb.New(t)
	mp := testmail.Start(t)
	id := enqueue(t, db, newOutbox(t, db, true), invitation(1, false))[0]
	startWorker(t, db, mailpitPool(t, mp.SMTPURLWith(mp.Username, "wrong"), "", 1), fastConfig(dsn))

	waitFor(t, db, "status = 'retrying' AND last_error <> ''", 10*time.Second)
	m := row(t, db, id)
	if !strings.Contains(m.LastError, "authentication failed") || !strings.Contains(m.LastError, "535") || m.Attempts != 0 {
		t.Errorf("row = %+v, want the AUTH failure recorded, no attempt counted", m)
	}
	if n, err := mp.Count(); err != nil || n != 0 {
		t.Errorf("Mailpit holds %d messages (%v), want none", n, err)
	}
}

func TestTLSToMailpit(t *testing.T) {
	ctx := context.Background()
	starttls := testmail.Start(t, testmail.Options{STARTTLS: true})
	implicit := testmail.Start(t, testmail.Options{ImplicitTLS: true})
	plain := testmail.Start(t)
	c, err := newComposer(testFrom, "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.composeBytes(testJob(invitation(1, true)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	env := Envelope{From: "secretariat@agora.example.org", To: "delegate1@example.org", Data: data}

	for name, tt := range map[string]struct {
		server *testmail.Server
		url    string
	}{
		"STARTTLS when offered": {starttls, starttls.SMTPURL()},
		"STARTTLS required":     {starttls, starttls.SMTPURL() + "?tls=required"},
		"implicit TLS":          {implicit, implicit.SMTPURL()},
	} {
		before, _ := tt.server.Count()
		p := mailpitPool(t, tt.url, tt.server.CAFile, 1)
		for range 2 { // the second one reuses the connection
			if err := p.Send(ctx, env); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if n, err := tt.server.Count(); err != nil || n != before+2 {
			t.Errorf("%s: Mailpit holds %d messages (%v), want %d", name, n, err, before+2)
		}
	}

	// An unknown authority, or no STARTTLS when it is required, is an
	// error, never a fallback to clear text.
	if err := mailpitPool(t, starttls.SMTPURL(), "", 1).Check(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: err = %v", err)
	}
	if err := mailpitPool(t, plain.SMTPURL()+"?tls=required", "", 1).Check(ctx); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("STARTTLS required but not offered: err = %v", err)
	}
	if err := mailpitPool(t, plain.SMTPURL(), "", 1).Check(ctx); err != nil {
		t.Errorf("plain text to this machine: %v", err)
	}
}
