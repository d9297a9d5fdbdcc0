package mail

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

func testJob(m Message) job {
	return job{
		ID: 1, Attempts: 1, To: m.To, ToName: m.ToName, Language: m.Language, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, Calendar: m.Calendar, CalendarMethod: m.CalendarMethod,
		MessageID: "agora.abc@agora.example.org", QueuedAt: time.Now(),
	}
}

// parts walks a message and returns each leaf's media type, method and
// decoded body, with the media types of the multiparts on the way.
func parts(t *testing.T, raw []byte) (tree []string, bodies map[string]string) {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bodies = map[string]string{}
	err = e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		mt, params, _ := p.Header.ContentType()
		node := mt
		if params["method"] != "" {
			node += ";method=" + params["method"]
		}
		if _, fp, _ := p.Header.ContentDisposition(); fp["filename"] != "" {
			node += ";filename=" + fp["filename"]
		}
		tree = append(tree, node)
		if !strings.HasPrefix(mt, "multipart/") {
			b, err := io.ReadAll(p.Body)
			if err != nil {
				return err
			}
			bodies[node] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree, bodies
}

func TestComposeWithACalendar(t *testing.T) {
	c, err := newComposer(testFrom, "Help desk <help@agora.example.org>")
	if err != nil {
		t.Fatal(err)
	}
	m := invitation(3, true)
	raw, err := c.composeBytes(testJob(m), time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	head := string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	for i := 0; i < len(head); i++ {
		if head[i] >= 0x80 {
			t.Fatalf("non-ASCII byte in the header (RFC 2047 words expected):\n%s", head)
		}
	}

	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := r.Header.Subject()
	to, _ := r.Header.AddressList("To")
	from, _ := r.Header.AddressList("From")
	replyTo, _ := r.Header.AddressList("Reply-To")
	msgID, _ := r.Header.MessageID()
	date, _ := r.Header.Date()
	if subject != m.Subject || len(to) != 1 || to[0].Name != m.ToName || to[0].Address != m.To ||
		len(from) != 1 || from[0].Name != "Secrétariat Agora" || len(replyTo) != 1 || replyTo[0].Address != "help@agora.example.org" ||
		msgID != "agora.abc@agora.example.org" || !date.Equal(time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)) ||
		r.Header.Get("Auto-Submitted") != "auto-generated" || r.Header.Get("Content-Language") != "fr" {
		t.Errorf("headers:\n%s", head)
	}

	tree, bodies := parts(t, raw)
	want := []string{
		"multipart/mixed", "multipart/alternative", "text/plain", "text/html",
		"text/calendar;method=REQUEST", "application/ics;filename=invite.ics",
	}
	if strings.Join(tree, " ") != strings.Join(want, " ") {
		t.Errorf("structure = %v, want %v", tree, want)
	}
	if bodies["text/plain"] != strings.ReplaceAll(m.Text, "\n", "\r\n") || bodies["text/html"] != strings.ReplaceAll(m.HTML, "\n", "\r\n") {
		t.Errorf("bodies altered: %q", bodies["text/plain"])
	}
	if bodies["text/calendar;method=REQUEST"] != string(m.Calendar) || bodies["application/ics;filename=invite.ics"] != string(m.Calendar) {
		t.Errorf("calendar altered: %q", bodies["text/calendar;method=REQUEST"])
	}
}

func TestComposeWithoutACalendar(t *testing.T) {
	c, err := newComposer(testFrom, "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.composeBytes(testJob(invitation(1, false)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tree, _ := parts(t, raw)
	if strings.Join(tree, " ") != "multipart/alternative text/plain text/html" {
		t.Errorf("structure = %v", tree)
	}
	if bytes.Contains(raw, []byte("Reply-To")) {
		t.Error("Reply-To without one configured")
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	c, err := newComposer(testFrom, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, change := range []func(*job){
		func(j *job) { j.Subject = "Hello\r\nBcc: spy@example.org" },
		func(j *job) { j.MessageID = "x@y>\r\nBcc: spy@example.org" },
	} {
		j := testJob(invitation(1, false))
		change(&j)
		raw, err := c.composeBytes(j, time.Now())
		if err == nil && bytes.Contains(raw, []byte("\r\nBcc:")) {
			t.Errorf("injected a header:\n%s", raw)
		}
	}
	// A display name with CR LF is encoded, never a line of its own.
	j := testJob(invitation(1, false))
	j.ToName = "Jane\r\nBcc: spy@example.org"
	if raw, err := c.composeBytes(j, time.Now()); err == nil && bytes.Contains(raw, []byte("\r\nBcc:")) {
		t.Errorf("injected a header through the name:\n%s", raw)
	}
}
