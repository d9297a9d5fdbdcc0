package testmail

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A stopped server refuses connections, and a restarted one answers on
// the same ports and still holds what it received before.
func TestStopAndRestartKeepMessages(t *testing.T) {
	s := Start(t)
	send := func(subject string) error {
		c, err := smtp.Dial(s.SMTPAddr)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Auth(sasl.NewPlainClient("", s.Username, s.Password)); err != nil {
			return err
		}
		msg := "From: a@example.org\r\nTo: b@example.org\r\nSubject: " + subject + "\r\n\r\nHello.\r\n"
		return c.SendMail("a@example.org", []string{"b@example.org"}, strings.NewReader(msg))
	}
	if err := send("before"); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s accepts connections after Stop", s.SMTPAddr)
	}
	addr, api := s.SMTPAddr, s.APIURL
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if s.SMTPAddr != addr || s.APIURL != api {
		t.Fatalf("restarted on %s and %s, want %s and %s", s.SMTPAddr, s.APIURL, addr, api)
	}
	if err := send("after"); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages()
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		subjects = append(subjects, m.Subject)
	}
	if got := strings.Join(subjects, ","); got != "after,before" {
		t.Fatalf("messages after a restart: %q, want after,before", got)
	}
}
