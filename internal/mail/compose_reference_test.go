package mail

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// composeReference is how messages were composed with go-message's
// writers, kept to check that compose writes the same bytes.
//
// The original comment follows.
// Without a calendar it is
//
//	multipart/alternative: text/plain, text/html
//
// and with one it has the structure Google Calendar and Exchange send,
// which Outlook, Gmail, Apple Mail and Thunderbird all show as an
// invitation with its Accept/Decline buttons:
//
//	multipart/mixed
//	  multipart/alternative
//	    text/plain
//	    text/html
//	    text/calendar; method=REQUEST    (what calendar-aware clients act on)
//	  application/ics; name=invite.ics   (the same object as a file, for the rest)
//
// Header values go through go-message, which encodes non-ASCII text as
// RFC 2047 words and refuses a value holding CR or LF; validation at
// enqueue already keeps those out.
func (c composer) composeReference(w io.Writer, j job, date time.Time, outer, inner string) error {
	var h gomail.Header
	h.SetDate(date)
	h.SetAddressList("From", []*gomail.Address{c.from})
	if c.replyTo != nil {
		h.SetAddressList("Reply-To", []*gomail.Address{c.replyTo})
	}
	h.SetAddressList("To", []*gomail.Address{{Name: j.ToName, Address: j.To}})
	setSubject(&h, j.Subject)
	h.SetMessageID(j.MessageID)
	h.Set("Content-Language", j.Language)
	// RFC 3834: keeps out-of-office replies from answering every invitation.
	h.Set("Auto-Submitted", "auto-generated")

	if len(j.Calendar) == 0 {
		h.SetContentType("multipart/alternative", map[string]string{"boundary": outer})
		mw, err := message.CreateWriter(w, h.Header)
		if err != nil {
			return fmt.Errorf("mail: compose: %w", err)
		}
		if err := writeAlternativesReference(mw, j, false); err != nil {
			return err
		}
		return closeWriterReference(mw)
	}

	h.SetContentType("multipart/mixed", map[string]string{"boundary": outer})
	mixed, err := message.CreateWriter(w, h.Header)
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	var altHeader message.Header
	altHeader.SetContentType("multipart/alternative", map[string]string{"boundary": inner})
	alt, err := mixed.CreatePart(altHeader)
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if err := writeAlternativesReference(alt, j, true); err != nil {
		return err
	}
	if err := closeWriterReference(alt); err != nil {
		return err
	}
	var ics message.Header
	ics.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
	ics.SetContentDisposition("attachment", map[string]string{"filename": "invite.ics"})
	ics.Set("Content-Transfer-Encoding", "base64")
	if err := writePartReference(mixed, ics, j.Calendar); err != nil {
		return err
	}
	return closeWriterReference(mixed)
}

// writeAlternatives writes the text, the HTML and, when asked, the
// calendar as alternative parts of mw.
func writeAlternativesReference(mw *message.Writer, j job, withCalendar bool) error {
	// One kind of line break: Go's quoted-printable writer can drop a line
	// feed that follows a lone carriage return and an encoded byte.
	j.Text, j.HTML = breaks.Replace(j.Text), breaks.Replace(j.HTML)
	var text, html message.Header
	text.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	text.Set("Content-Transfer-Encoding", "quoted-printable")
	if err := writePartReference(mw, text, []byte(j.Text)); err != nil {
		return err
	}
	html.SetContentType("text/html", map[string]string{"charset": "utf-8"})
	html.Set("Content-Transfer-Encoding", "quoted-printable")
	if err := writePartReference(mw, html, []byte(j.HTML)); err != nil {
		return err
	}
	if !withCalendar {
		return nil
	}
	var cal message.Header
	cal.SetContentType("text/calendar", map[string]string{"charset": "utf-8", "method": j.CalendarMethod})
	// Base64 keeps the object's CRLF line ends and folding byte for byte,
	// which quoted-printable would not guarantee through every relay.
	cal.Set("Content-Transfer-Encoding", "base64")
	return writePartReference(mw, cal, j.Calendar)
}

func writePartReference(mw *message.Writer, h message.Header, body []byte) error {
	pw, err := mw.CreatePart(h)
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if _, err := pw.Write(body); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return closeWriterReference(pw)
}

func closeWriterReference(w io.Closer) error {
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return nil
}

// compose writes byte for byte what go-message's writers wrote, given the
// same boundaries: with and without a calendar, every method, texts with
// lone CRs, long lines, accents and trailing line breaks.
func TestComposeWritesWhatGoMessageWrote(t *testing.T) {
	date := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	for _, replyTo := range []string{"", "Help desk <help@agora.example.org>"} {
		c, err := newComposer(testFrom, replyTo)
		if err != nil {
			t.Fatal(err)
		}
		for i, change := range []func(*Message){
			func(m *Message) {},
			func(m *Message) { m.Calendar, m.CalendarMethod = nil, "" },
			func(m *Message) { m.Calendar, m.CalendarMethod = calendar(3, CalendarCancel), CalendarCancel },
			func(m *Message) { m.Calendar, m.CalendarMethod = calendar(4, CalendarPublish), CalendarPublish },
			func(m *Message) {
				m.Text = "a\rb\r\nc\n" + strings.Repeat("é=", 80) + "\n\n"
				m.HTML = strings.Repeat("<p>ligne très longue</p>", 20) + "\r"
				m.Subject = "=?utf-8?q?not a word?= — réunion"
				m.ToName = strings.Repeat("Ἀλέξανδρος ", 18)
			},
			func(m *Message) { m.Calendar = append(calendar(5, CalendarRequest), strings.Repeat("X", 151)...) },
		} {
			m := invitation(i, true)
			change(&m)
			j := testJob(m)
			n := 0
			c.boundary = func() string { n++; return fmt.Sprintf("b%02d%s", n, strings.Repeat("0", 20)) }
			got, err := c.composeBytes(j, date)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := c.composeReference(&want, j, date, "b01"+strings.Repeat("0", 20), "b02"+strings.Repeat("0", 20)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("message %d (reply-to %q):\n%s\nwant\n%s", i, replyTo, got, want.Bytes())
			}
		}
	}
}

// BenchmarkCompose compares compose with go-message's writers on an
// invitation with its calendar.
func BenchmarkCompose(b *testing.B) {
	c, err := newComposer(testFrom, "")
	if err != nil {
		b.Fatal(err)
	}
	j := testJob(invitation(1, true))
	date := time.Now()
	b.Run("compose", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := c.composeBytes(j, date); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-message", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var w bytes.Buffer
			if err := c.composeReference(&w, j, date, randomBoundary(), randomBoundary()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// compose writes what go-message wrote with the worker's own random
// boundaries (long enough to fold the Content-Type field), and with names,
// subjects and Message-IDs of every length around the point where
// go-message starts folding a header field, ASCII or not, for both
// senders.
func TestComposeFoldsHeaderFieldsAsGoMessageDid(t *testing.T) {
	date := time.Date(2026, 11, 2, 9, 30, 0, 0, time.FixedZone("", 3600))
	for _, replyTo := range []string{"", "Help desk <help@agora.example.org>"} {
		c, err := newComposer(testFrom, replyTo)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < 90; n++ {
			for _, withCalendar := range []bool{true, false} {
				m := invitation(n, withCalendar)
				m.ToName = strings.Repeat("N", n)
				m.Subject = "S" + strings.Repeat("s", n)
				if n%3 == 1 {
					m.ToName = strings.Repeat("é", n/2)
					m.Subject = strings.Repeat("è ", n/2) + "x"
				}
				if n%5 == 2 {
					m.ToName = strings.Repeat("a b", n/3) // spaces: folded where go-message folds
				}
				j := testJob(m)
				j.MessageID = "agora." + strings.Repeat("m", n) + "@agora.example.org"
				var boundaries []string
				c.boundary = func() string {
					b := randomBoundary()
					boundaries = append(boundaries, b)
					return b
				}
				got, err := c.composeBytes(j, date)
				if err != nil {
					t.Fatal(err)
				}
				inner := ""
				if withCalendar {
					inner = boundaries[1]
				}
				var want bytes.Buffer
				if err := c.composeReference(&want, j, date, boundaries[0], inner); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want.Bytes()) {
					t.Fatalf("length %d, calendar %v (reply-to %q):\n%s\nwant\n%s", n, withCalendar, replyTo, got, want.Bytes())
				}
			}
		}
	}
}
