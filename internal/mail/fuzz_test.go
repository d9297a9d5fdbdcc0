package mail

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"

	"github.com/coe-agora/agora/internal/apperr"
)

// fuzzCalendar is a small REQUEST, attached when the fuzzer asks for one.
var fuzzCalendar = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Council of Europe//Agora//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:meeting-1@agora.example.org\r\nDTSTAMP:20270101T090000Z\r\n" +
	"DTSTART:20270312T083000Z\r\nDTEND:20270313T163000Z\r\nSUMMARY:Plénière\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

// fuzzHeaderNames are the only top-level header fields compose writes.
var fuzzHeaderNames = []string{
	"Date", "From", "Reply-To", "To", "Subject", "Message-Id", "Content-Language",
	"Auto-Submitted", "Mime-Version", "Content-Type",
}

// FuzzCompose sends arbitrary recipients, subjects, bodies and languages
// through Message.Validate and, when accepted, through compose, and
// asserts that the bytes handed to the SMTP server are one well-formed
// message whose headers are exactly the ones we write: no text typed by a
// delegate (a name, a meeting title in the subject) can add a recipient or
// a header, and what the recipient's client decodes is what was given.
//
// Seeds live in testdata/fuzz/FuzzCompose; run it longer with
//
//	go test -run '^$' -fuzz '^FuzzCompose$' -fuzztime 1m ./internal/mail
func FuzzCompose(f *testing.F) {
	f.Add("Inscription confirmée : Réunion plénière", "Élodie Müller", "elodie@example.fr", "Bonjour,\n", "<p>Bonjour,</p>", "fr", true)
	f.Add("Hello\r\nBcc: spy@example.org", "Eve\r\nBcc: spy@example.org", "eve@example.org", "x", "x", "en", false)
	c, err := newComposer("Secrétariat Agora <secretariat@agora.example.org>", "Help desk <help@agora.example.org>")
	if err != nil {
		f.Fatal(err)
	}
	date := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, subject, toName, to, text, html, lang string, withCalendar bool) {
		m := Message{Kind: "confirmation", To: to, ToName: toName, Language: lang, Subject: subject,
			Text: text, HTML: html, DedupeKey: "confirmation:reg:1:v1"}
		if withCalendar {
			m.Calendar, m.CalendarMethod = fuzzCalendar, CalendarRequest
		}
		if err := m.Validate(); err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("refusal is not an invalid-input error: %v", err)
			}
			return
		}
		raw, err := c.composeBytes(job{ID: 1, Attempts: 1, To: m.To, ToName: m.ToName, Language: m.Language,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML, Calendar: m.Calendar, CalendarMethod: m.CalendarMethod,
			MessageID: "agora.fuzz@agora.example.org", QueuedAt: date}, date)
		if err != nil {
			// Validate said yes: the row would fail at every attempt.
			t.Fatalf("a valid message cannot be composed: %v", err)
		}
		fuzzCheckLines(t, raw)

		if _, err := mail.ReadMessage(bytes.NewReader(raw)); err != nil {
			t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
		}
		fields := fuzzHeader(t, raw)
		for name, values := range fields {
			if !slices.Contains(fuzzHeaderNames, name) {
				t.Errorf("header %q was injected: %q\n%s", name, values, raw)
			} else if len(values) != 1 {
				t.Errorf("header %q appears %d times\n%s", name, len(values), raw)
			}
		}
		for _, name := range []string{"From", "To", "Subject", "Date", "Message-Id"} {
			if len(fields[name]) != 1 {
				t.Errorf("%d %s headers", len(fields[name]), name)
			}
		}
		if t.Failed() {
			return
		}

		to2, err := mail.ParseAddressList(fields["To"][0])
		if err != nil || len(to2) != 1 || to2[0].Address != m.To || to2[0].Name != m.ToName {
			t.Errorf("To %q reads as %v (%v), want %q <%s>", fields["To"][0], to2, err, m.ToName, m.To)
		}
		var dec mime.WordDecoder
		if got, err := dec.DecodeHeader(fields["Subject"][0]); err != nil || got != m.Subject {
			t.Errorf("Subject %q decodes to %q (%v), want %q", fields["Subject"][0], got, err, m.Subject)
		}
		if fields["Content-Language"][0] != m.Language {
			t.Errorf("Content-Language %q", fields["Content-Language"][0])
		}
		fuzzCheckBodies(t, raw, m)
	})
}

// fuzzCheckLines asserts what SMTP needs: CRLF line ends only, no line
// over 998 octets (RFC 5322 §2.1.1).
func fuzzCheckLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Errorf("the message does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d octets", i+1, len(line))
		}
	}
}

// fuzzHeader returns the top-level header fields, unfolded as RFC 5322
// §2.2.3 says (a CRLF before white space is removed, nothing else), with
// each value as written after "Name: ". net/mail unfolds lossily (it
// collapses the white space around a fold), so it cannot be the judge of
// what a value holds.
func fuzzHeader(t *testing.T, raw []byte) map[string][]string {
	t.Helper()
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		t.Fatalf("no end of header:\n%s", raw)
	}
	head := string(raw[:end])
	head = strings.ReplaceAll(head, "\r\n ", " ")
	head = strings.ReplaceAll(head, "\r\n\t", "\t")
	fields := map[string][]string{}
	for _, line := range strings.Split(head, "\r\n") {
		name, value, ok := strings.Cut(line, ": ")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			t.Fatalf("header line %q is not a field", line)
		}
		name = textproto.CanonicalMIMEHeaderKey(name)
		fields[name] = append(fields[name], value)
	}
	return fields
}

// fuzzCheckBodies asserts that the parts decode to what was given, with
// line breaks (CR, LF or CRLF) written as CRLF.
func fuzzCheckBodies(t *testing.T, raw []byte, m Message) {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("go-message cannot read the message: %v", err)
	}
	bodies := map[string][]string{}
	err = e.Walk(func(_ []int, p *message.Entity, err error) error {
		if err != nil {
			return err
		}
		mt, _, err := p.Header.ContentType()
		if err != nil || strings.HasPrefix(mt, "multipart/") {
			return err
		}
		b, err := io.ReadAll(p.Body)
		bodies[mt] = append(bodies[mt], string(b))
		return err
	})
	if err != nil {
		t.Fatalf("cannot walk the message: %v", err)
	}
	breaks := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if got := bodies["text/plain"]; len(got) != 1 || breaks(got[0]) != breaks(m.Text) {
		t.Errorf("text part %q, want %q", got, m.Text)
	}
	if got := bodies["text/html"]; len(got) != 1 || breaks(got[0]) != breaks(m.HTML) {
		t.Errorf("html part %q, want %q", got, m.HTML)
	}
	calendars := append(bodies["text/calendar"], bodies["application/ics"]...)
	if len(m.Calendar) == 0 && len(calendars) != 0 || len(m.Calendar) > 0 && len(calendars) != 2 {
		t.Errorf("%d calendar parts", len(calendars))
	}
	for _, c := range calendars {
		if c != string(m.Calendar) {
			t.Errorf("calendar part altered: %q", c)
		}
	}
}
