package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// composer turns a claimed row into the bytes of an RFC 5322 message.
type composer struct {
	from    *mail.Address
	replyTo *mail.Address // nil: none
}

func newComposer(from, replyTo string) (composer, error) {
	var c composer
	var err error
	if c.from, err = mail.ParseAddress(from); err != nil {
		return composer{}, fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	if replyTo != "" {
		if c.replyTo, err = mail.ParseAddress(replyTo); err != nil {
			return composer{}, fmt.Errorf("mail: reply-to address %q: %w", replyTo, err)
		}
	}
	return c, nil
}

// compose writes the message. Without a calendar it is
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
func (c composer) compose(w io.Writer, j job, date time.Time) error {
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
		h.SetContentType("multipart/alternative", nil)
		mw, err := message.CreateWriter(w, h.Header)
		if err != nil {
			return fmt.Errorf("mail: compose: %w", err)
		}
		if err := writeAlternatives(mw, j, false); err != nil {
			return err
		}
		return closeWriter(mw)
	}

	h.SetContentType("multipart/mixed", nil)
	mixed, err := message.CreateWriter(w, h.Header)
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	var altHeader message.Header
	altHeader.SetContentType("multipart/alternative", nil)
	alt, err := mixed.CreatePart(altHeader)
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if err := writeAlternatives(alt, j, true); err != nil {
		return err
	}
	if err := closeWriter(alt); err != nil {
		return err
	}
	var ics message.Header
	ics.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
	ics.SetContentDisposition("attachment", map[string]string{"filename": "invite.ics"})
	ics.Set("Content-Transfer-Encoding", "base64")
	if err := writePart(mixed, ics, j.Calendar); err != nil {
		return err
	}
	return closeWriter(mixed)
}

// writeAlternatives writes the text, the HTML and, when asked, the
// calendar as alternative parts of mw.
func writeAlternatives(mw *message.Writer, j job, withCalendar bool) error {
	// One kind of line break: Go's quoted-printable writer can drop a line
	// feed that follows a lone carriage return and an encoded byte.
	j.Text, j.HTML = breaks.Replace(j.Text), breaks.Replace(j.HTML)
	var text, html message.Header
	text.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	text.Set("Content-Transfer-Encoding", "quoted-printable")
	if err := writePart(mw, text, []byte(j.Text)); err != nil {
		return err
	}
	html.SetContentType("text/html", map[string]string{"charset": "utf-8"})
	html.Set("Content-Transfer-Encoding", "quoted-printable")
	if err := writePart(mw, html, []byte(j.HTML)); err != nil {
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
	return writePart(mw, cal, j.Calendar)
}

func writePart(mw *message.Writer, h message.Header, body []byte) error {
	pw, err := mw.CreatePart(h)
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if _, err := pw.Write(body); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return closeWriter(pw)
}

func closeWriter(w io.Closer) error {
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return nil
}

// composeBytes is compose into a new buffer.
func (c composer) composeBytes(j job, date time.Time) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(j.Text) + len(j.HTML) + 2*len(j.Calendar) + 2048)
	if err := c.compose(&b, j, date); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var breaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// setSubject writes the subject. A subject that holds "=?" is always
// written as encoded words: left as plain ASCII, a mail client would decode
// what looks like an encoded word and show something else than was written.
func setSubject(h *gomail.Header, subject string) {
	if !strings.Contains(subject, "=?") {
		h.SetSubject(subject)
		return
	}
	var words []string
	for len(subject) > 0 {
		n := min(len(subject), 45)
		for n < len(subject) && !utf8.RuneStart(subject[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(subject[:n]))+"?=")
		subject = subject[n:]
	}
	h.Set("Subject", strings.Join(words, " "))
}
