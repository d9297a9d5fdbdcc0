package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"sync"
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
	senders  []byte        // the Reply-To and From fields, formatted once
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
	var h gomail.Header
	h.SetAddressList("From", []*gomail.Address{c.from})
	if c.replyTo != nil {
		h.SetAddressList("Reply-To", []*gomail.Address{c.replyTo})
	}
	var b bytes.Buffer
	if err := textproto.WriteHeader(&b, h.Header.Header); err != nil {
		return composer{}, fmt.Errorf("mail: sender %q, reply-to %q: %w", from, replyTo, err)
	}
	c.senders = b.Bytes()[:b.Len()-2] // without the blank line that ends a header
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
// Header values are encoded as go-message encodes them (RFC 2047 words
// for non-ASCII text); a field too long for one line goes through
// go-message, which folds it and refuses a value holding CR or LF
// (writeField); validation at enqueue already keeps those out. The parts
// are written here, with their headers formatted once (partHeaders):
// go-message's writers cost the worker more CPU than the rest of a
// delivery, CPU the SMTP server needs when it shares the machine. The
// bytes are those go-message wrote (TestComposeWritesWhatGoMessageWrote,
// TestComposeFoldsHeaderFieldsAsGoMessageDid).
func (c composer) compose(w *bytes.Buffer, j job, date time.Time) error {
	outer := c.boundary()
	contentType := multipartHeaders.alternative
	if len(j.Calendar) > 0 || len(j.Attachment) > 0 {
		contentType = multipartHeaders.mixed
	}
	// The fields in the order go-message's WriteHeader wrote them: the
	// reverse of the order they were set in (see composeReference).
	w.WriteString("Mime-Version: 1.0\r\n")
	if err := contentType.write(w, outer); err != nil {
		return err
	}
	for _, f := range [...]struct{ k, v string }{
		// RFC 3834: keeps out-of-office replies from answering every invitation.
		{"Auto-Submitted", "auto-generated"},
		{"Content-Language", j.Language},
		{"Message-Id", "<" + j.MessageID + ">"},
		{"Subject", subjectValue(j.Subject)},
		{"To", (&gomail.Address{Name: j.ToName, Address: j.To}).String()},
	} {
		if err := writeField(w, f.k, f.v); err != nil {
			return err
		}
	}
	w.Write(c.senders)
	if err := writeField(w, "Date", date.Format(dateLayout)); err != nil {
		return err
	}
	w.WriteString("\r\n")

	if len(j.Calendar) == 0 && len(j.Attachment) == 0 {
		if err := writeAlternatives(w, outer, j, nil); err != nil {
			return err
		}
		w.WriteString("\r\n--" + outer + "--\r\n")
		return nil
	}
	var calendar []byte // written twice
	if len(j.Calendar) > 0 {
		calendar = base64.StdEncoding.AppendEncode(nil, j.Calendar)
	}
	inner := c.boundary()
	w.WriteString("--" + outer + "\r\n")
	if err := multipartHeaders.part.write(w, inner); err != nil {
		return err
	}
	if err := writeAlternatives(w, inner, j, calendar); err != nil {
		return err
	}
	w.WriteString("\r\n--" + inner + "--\r\n")
	if calendar != nil {
		w.WriteString("\r\n--" + outer + "\r\n")
		w.Write(partHeaders.file)
		writeBase64Lines(w, calendar)
	}
	if len(j.Attachment) > 0 {
		// After the calendar: a file of its own (an invitation letter).
		w.WriteString("\r\n--" + outer + "\r\n")
		w.Write(formatHeader(func(h *message.Header) {
			h.SetContentType(j.AttachmentType, map[string]string{"name": j.AttachmentName})
			h.SetContentDisposition("attachment", map[string]string{"filename": j.AttachmentName})
			h.Set("Content-Transfer-Encoding", "base64")
		}))
		lines := j.attachmentLines
		if lines == nil {
			lines = base64Lines(j.Attachment)
		}
		w.Write(lines)
	}
	w.WriteString("\r\n--" + outer + "--\r\n")
	return nil
}

// dateLayout is go-message's layout of the Date field.
const dateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"

// preferredHeaderLen is the length of a header line under which
// go-message's WriteHeader leaves a field on one line.
const preferredHeaderLen = 76

// writeField writes the header field k: v as go-message's WriteHeader
// does, k being in canonical form. A field that fits on one line, the
// usual case, is written here; any other goes through go-message, which
// folds it and refuses a value holding CR or LF.
func writeField(w *bytes.Buffer, k, v string) error {
	if v != "" && len(k)+2+len(v) <= preferredHeaderLen && !strings.ContainsAny(v, "\r\n") {
		w.WriteString(k)
		w.WriteString(": ")
		w.WriteString(v)
		w.WriteString("\r\n")
		return nil
	}
	var h textproto.Header
	h.Add(k, v)
	if err := textproto.WriteHeader(w, h); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	w.Truncate(w.Len() - 2) // the blank line that ends a header
	return nil
}

// writeAlternatives writes the text, the HTML and, when given (in base64),
// the calendar as the parts of a multipart/alternative whose boundary is
// b; the closing boundary is the caller's.
func writeAlternatives(w *bytes.Buffer, b string, j job, calendar []byte) error {
	// One kind of line break: Go's quoted-printable writer can drop a line
	// feed that follows a lone carriage return and an encoded byte.
	w.WriteString("--" + b + "\r\n")
	w.Write(partHeaders.text)
	writeQuotedPrintable(w, oneKindOfBreak(j.Text))
	w.WriteString("\r\n--" + b + "\r\n")
	w.Write(partHeaders.html)
	writeQuotedPrintable(w, oneKindOfBreak(j.HTML))
	if calendar == nil {
		return nil
	}
	w.WriteString("\r\n--" + b + "\r\n")
	h, ok := partHeaders.calendar[j.CalendarMethod]
	if !ok {
		h = calendarPartHeader(j.CalendarMethod)
	}
	w.Write(h)
	writeBase64Lines(w, calendar)
	return nil
}

// multipartHeaders are the Content-Type fields of the multiparts: at the
// top of the message (alternative, or mixed when a calendar or a file is
// attached), and the header of the multipart/alternative part inside a
// multipart/mixed message.
var multipartHeaders = struct {
	alternative, mixed, part boundaryHeader
}{
	alternative: newBoundaryHeader(multipartField("multipart/alternative")),
	mixed:       newBoundaryHeader(multipartField("multipart/mixed")),
	part: newBoundaryHeader(func(boundary string) ([]byte, error) {
		return formatHeader(func(h *message.Header) {
			h.SetContentType("multipart/alternative", map[string]string{"boundary": boundary})
		}), nil
	}),
}

// multipartField formats the Content-Type field of a multipart of type t,
// without the blank line that ends a header, as go-message does.
func multipartField(t string) func(boundary string) ([]byte, error) {
	return func(boundary string) ([]byte, error) {
		var b bytes.Buffer
		err := writeField(&b, "Content-Type", mime.FormatMediaType(t, map[string]string{"boundary": boundary}))
		return b.Bytes(), err
	}
}

// boundaryHeader is header bytes that hold a multipart boundary. The
// worker's boundaries are too long for the Content-Type field to fit on a
// line, and folding it through go-message took more of the worker's CPU
// than writing the rest of the headers. Every boundary randomBoundary
// makes (60 hex digits: no place to fold at) folds the same way, so the
// header is formatted once around a stand-in boundary, and the real one
// takes its place. Any other boundary is formatted anew.
type boundaryHeader struct {
	format     func(boundary string) ([]byte, error)
	head, tail []byte // around the stand-in; nil: it was not found whole
}

// standInBoundary is as long as randomBoundary's boundaries and made of
// the same digits.
var standInBoundary = strings.Repeat("0", boundaryLen)

func newBoundaryHeader(format func(boundary string) ([]byte, error)) boundaryHeader {
	h := boundaryHeader{format: format}
	b, err := format(standInBoundary)
	if i := bytes.Index(b, []byte(standInBoundary)); err == nil && i >= 0 {
		h.head, h.tail = b[:i], b[i+len(standInBoundary):]
	}
	return h
}

func (h boundaryHeader) write(w *bytes.Buffer, boundary string) error {
	if h.head == nil || len(boundary) != boundaryLen || strings.Trim(boundary, "0123456789abcdef") != "" {
		b, err := h.format(boundary)
		if err != nil {
			return err
		}
		w.Write(b)
		return nil
	}
	w.Write(h.head)
	w.WriteString(boundary)
	w.Write(h.tail)
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

// writeBase64Lines writes enc, in base64, in lines of 76 characters
// (RFC 2045).
func writeBase64Lines(w *bytes.Buffer, enc []byte) {
	for len(enc) > 76 {
		w.Write(enc[:76])
		w.WriteString("\r\n")
		enc = enc[76:]
	}
	w.Write(enc)
}

// base64Lines is content in base64, in lines of 76 characters (the last
// without its line break), as writeBase64Lines writes it.
func base64Lines(content []byte) []byte {
	var b bytes.Buffer
	enc := base64.StdEncoding.AppendEncode(nil, content)
	b.Grow(len(enc) + len(enc)/38 + 2)
	writeBase64Lines(&b, enc)
	return b.Bytes()
}

// boundaryLen is the length of randomBoundary's boundaries.
const boundaryLen = 60

// randomBoundary is a multipart boundary as go-message makes them: 240
// random bits in hex, which no text will ever contain.
func randomBoundary() string {
	var b [boundaryLen / 2]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b[:])
}

// composeInto composes j into a buffer of bufs, which the caller puts
// back once the message is sent: a worker composes a message per email,
// and the garbage of thousands of new buffers took CPU from the server.
// The buffer is nil when composing failed.
func (c composer) composeInto(bufs *sync.Pool, j job, date time.Time) (*bytes.Buffer, error) {
	b, _ := bufs.Get().(*bytes.Buffer)
	if b == nil {
		b = new(bytes.Buffer)
	}
	b.Reset()
	if err := c.compose(b, j, date); err != nil {
		bufs.Put(b)
		return nil, err
	}
	return b, nil
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

// oneKindOfBreak returns s with every line break a line feed; bodies
// rendered here have no carriage return, and are returned as they are.
func oneKindOfBreak(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return breaks.Replace(s)
}

// setSubject writes the subject. A subject that holds "=?" is always
// written as encoded words: left as plain ASCII, a mail client would decode
// what looks like an encoded word and show something else than was written.
func setSubject(h *gomail.Header, subject string) {
	if !strings.Contains(subject, "=?") {
		h.SetSubject(subject)
		return
	}
	h.Set("Subject", subjectValue(subject))
}

// subjectValue is the value setSubject gives the Subject field.
func subjectValue(subject string) string {
	if !strings.Contains(subject, "=?") {
		return mime.QEncoding.Encode("utf-8", subject) // what go-message's SetSubject writes
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
	return strings.Join(words, " ")
}
