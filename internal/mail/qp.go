package mail

import "bytes"

// qpLineLen is the longest line of quoted-printable text (RFC 2045 §6.7),
// soft line break included.
const qpLineLen = 76

// writeQuotedPrintable writes s in quoted-printable, byte for byte as
// mime/quotedprintable's Writer (in text mode) writes it and closes it
// (FuzzQuotedPrintable): every body of every email goes through it, and
// the Writer first copies s into a []byte and then each line into a
// buffer of its own. Runs of bytes that need no encoding are written a
// line's worth at a time.
func writeQuotedPrintable(w *bytes.Buffer, s string) {
	q := qpWriter{w: w}
	start := 0 // of the bytes read but not yet written: none needs encoding
	for i := 0; i < len(s); i++ {
		if b := s[i]; b >= '!' && b <= '~' && b != '=' || b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			continue
		}
		q.write(s[start:i])
		q.encode(s[i])
		start = i + 1
	}
	q.write(s[start:])
	q.checkLastByte()
}

// qpWriter is the state of mime/quotedprintable's Writer, writing to w
// directly.
type qpWriter struct {
	w  *bytes.Buffer
	n  int  // bytes on the line being written
	cr bool // the last byte written was a carriage return
}

// write writes s, which holds no byte to encode, with CRLF line breaks and
// soft line breaks where a line would be too long.
func (q *qpWriter) write(s string) {
	for len(s) > 0 {
		if b := s[0]; b == '\n' || b == '\r' {
			s = s[1:]
			if q.cr && b == '\n' {
				// The CRLF went out with the carriage return.
				q.cr = false
				continue
			}
			q.cr = b == '\r'
			q.checkLastByte()
			q.w.WriteString("\r\n")
			q.n = 0
			continue
		}
		if q.n == qpLineLen-1 {
			q.softLineBreak()
		}
		k := 0 // bytes up to the next line break that fit on the line
		for k < len(s) && k < qpLineLen-1-q.n && s[k] != '\n' && s[k] != '\r' {
			k++
		}
		q.w.WriteString(s[:k])
		q.n += k
		q.cr = false
		s = s[k:]
	}
}

// encode writes b as =XX. Like the Writer, it leaves cr as it is.
func (q *qpWriter) encode(b byte) {
	if qpLineLen-1-q.n < 3 {
		q.softLineBreak()
	}
	const upperhex = "0123456789ABCDEF"
	q.w.Write([]byte{'=', upperhex[b>>4], upperhex[b&0x0f]})
	q.n += 3
}

// checkLastByte encodes the line's last byte if it is a space or a tab:
// a line must not end with one.
func (q *qpWriter) checkLastByte() {
	if q.n == 0 {
		return
	}
	if b := q.w.Bytes()[q.w.Len()-1]; b == ' ' || b == '\t' {
		q.w.Truncate(q.w.Len() - 1)
		q.n--
		q.encode(b)
	}
}

func (q *qpWriter) softLineBreak() {
	q.w.WriteString("=\r\n")
	q.n = 0
}
