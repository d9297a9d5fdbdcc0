package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// composer turns a claimed row into the bytes of an RFC 5322 message.
type composer struct {
	from     *mail.Address
	replyTo  *mail.Address // nil: none
	boundary func() string // a new multipart boundary; fixed in tests
}

func newComposer(from, replyTo string) (composer, error) {
	c := composer{boundary: randomBoundary}
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
//	  application/pdf; name=….pdf        (an attachment, when the email has one)
//
// Header values go through go-message, which encodes non-ASCII text as
// RFC 2047 words and refuses a value holding CR or LF; validation at
// enqueue already keeps those out. The parts are written here, with their
// headers formatted once (partHeaders): go-message's part writers cost
// the worker more CPU than the rest of a delivery, CPU the SMTP server
// needs when it shares the machine. The bytes are those go-message wrote
// (TestComposeWritesWhatGoMessageWrote).
func (c composer) compose(w *bytes.Buffer, j job, date time.Time) error {
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
	outer := c.boundary()
	kind := "multipart/alternative"
	if len(j.Calendar) > 0 || len(j.Attachment) > 0 {
		kind = "multipart/mixed"
	}
	h.SetContentType(kind, map[string]string{"boundary": outer})
	h.Set("MIME-Version", "1.0")
	if err := textproto.WriteHeader(w, h.Header.Header); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}

	if len(j.Calendar) == 0 && len(j.Attachment) == 0 {
		if err := writeAlternatives(w, outer, j, false); err != nil {
			return err
		}
		w.WriteString("\r\n--" + outer + "--\r\n")
		return nil
	}
	inner := c.boundary()
	var alt message.Header
	alt.SetContentType("multipart/alternative", map[string]string{"boundary": inner})
	w.WriteString("--" + outer + "\r\n")
	if err := textproto.WriteHeader(w, alt.Header); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if err := writeAlternatives(w, inner, j, len(j.Calendar) > 0); err != nil {
		return err
	}
	w.WriteString("\r\n--" + inner + "--\r\n")
	if len(j.Calendar) > 0 {
		w.WriteString("\r\n--" + outer + "\r\n")
		w.Write(partHeaders.file)
		writeBase64(w, j.Calendar)
	}
	if len(j.Attachment) > 0 {
		// After the calendar: a file of its own (an invitation letter).
		w.WriteString("\r\n--" + outer + "\r\n")
		w.Write(formatHeader(func(h *message.Header) {
			h.SetContentType(j.AttachmentType, map[string]string{"name": j.AttachmentName})
			h.SetContentDisposition("attachment", map[string]string{"filename": j.AttachmentName})
			h.Set("Content-Transfer-Encoding", "base64")
		}))
		writeBase64(w, j.Attachment)
	}
	w.WriteString("\r\n--" + outer + "--\r\n")
	return nil
}

// writeAlternatives writes the text, the HTML and, when asked, the
// calendar as the parts of a multipart/alternative whose boundary is b;
// the closing boundary is the caller's.
func writeAlternatives(w *bytes.Buffer, b string, j job, withCalendar bool) error {
	// One kind of line break: Go's quoted-printable writer can drop a line
	// feed that follows a lone carriage return and an encoded byte.
	w.WriteString("--" + b + "\r\n")
	w.Write(partHeaders.text)
	if err := writeQuotedPrintable(w, breaks.Replace(j.Text)); err != nil {
		return err
	}
	w.WriteString("\r\n--" + b + "\r\n")
	w.Write(partHeaders.html)
	if err := writeQuotedPrintable(w, breaks.Replace(j.HTML)); err != nil {
		return err
	}
	if !withCalendar {
		return nil
	}
	w.WriteString("\r\n--" + b + "\r\n")
	h, ok := partHeaders.calendar[j.CalendarMethod]
	if !ok {
		h = calendarPartHeader(j.CalendarMethod)
	}
	w.Write(h)
	writeBase64(w, j.Calendar)
	return nil
}

// partHeaders are the headers of the parts, formatted by go-message once.
var partHeaders = struct {
	text, html, file []byte
	calendar         map[string][]byte // by method
}{
	text: formatHeader(func(h *message.Header) {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
	}),
	html: formatHeader(func(h *message.Header) {
		h.SetContentType("text/html", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
	}),
	file: formatHeader(func(h *message.Header) {
		h.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
		h.SetContentDisposition("attachment", map[string]string{"filename": "invite.ics"})
		h.Set("Content-Transfer-Encoding", "base64")
	}),
	calendar: map[string][]byte{
		CalendarRequest: calendarPartHeader(CalendarRequest),
		CalendarCancel:  calendarPartHeader(CalendarCancel),
		CalendarPublish: calendarPartHeader(CalendarPublish),
	},
}

func calendarPartHeader(method string) []byte {
	return formatHeader(func(h *message.Header) {
		h.SetContentType("text/calendar", map[string]string{"charset": "utf-8", "method": method})
		// Base64 keeps the object's CRLF line ends and folding byte for
		// byte, which quoted-printable would not guarantee through every relay.
		h.Set("Content-Transfer-Encoding", "base64")
	})
}

func formatHeader(set func(*message.Header)) []byte {
	var h message.Header
	set(&h)
	var b bytes.Buffer
	_ = textproto.WriteHeader(&b, h.Header) // a bytes.Buffer does not fail
	return b.Bytes()
}

func writeQuotedPrintable(w *bytes.Buffer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, s); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return closeWriter(qp)
}

// writeBase64 writes b in base64, in lines of 76 characters (RFC 2045).
func writeBase64(w *bytes.Buffer, b []byte) {
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(enc, b)
	for len(enc) > 76 {
		w.Write(enc[:76])
		w.WriteString("\r\n")
		enc = enc[76:]
	}
	w.Write(enc)
}

func closeWriter(w io.Closer) error {
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return nil
}

// randomBoundary is a multipart boundary as go-message makes them: 240
// random bits in hex, which no text will ever contain.
func randomBoundary() string {
	var b [30]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b[:])
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
