package mail

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// quotedPrintableReference is what mime/quotedprintable's Writer writes
// for s.
func quotedPrintableReference(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	qp := quotedprintable.NewWriter(&b)
	if _, err := io.WriteString(qp, s); err != nil {
		t.Fatal(err)
	}
	if err := qp.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// qpCases are the places where quoted-printable is easy to get wrong: a
// line at, under and over its length with the last byte plain, encoded,
// a space or a tab; spaces and tabs before line breaks and at the end;
// every kind of line break, lone carriage returns followed by an encoded
// byte (where the Writer drops the line feed after them); bytes to encode
// at every position around a soft line break.
func qpCases() []string {
	cases := []string{
		"", " ", "\t", "=", "\n", "\r", "\r\n", "\n\r", "\r\r\n\n", "a \n", "a\t\r\n", "a \r\nb",
		"Bonjour,\n\nVotre inscription à la « Réunion plénière » est confirmée.\n",
		`<p style="margin:0">Délégation : <a href="https://agora.example.org/r/x?a=1&b=2">ici</a></p>`,
		"\r=\n", "a\ré\nb", "x \r\x00\n", "ünïcödé ", "end\t",
		strings.Repeat("é", 100), strings.Repeat("= ", 60), strings.Repeat("a\t", 50) + "\n",
	}
	for n := 70; n <= 80; n++ {
		for _, last := range []string{"a", "=", "é", " ", "\t", " \n", "=\n", "\r", "\x7f"} {
			cases = append(cases, strings.Repeat("x", n)+last, strings.Repeat("x", n)+last+strings.Repeat("y", 80))
		}
	}
	return cases
}

func TestQuotedPrintableWritesWhatTheWriterWrote(t *testing.T) {
	for _, s := range qpCases() {
		var got bytes.Buffer
		got.WriteString("head\r\n") // the body follows a header in a message
		writeQuotedPrintable(&got, s)
		if want := append([]byte("head\r\n"), quotedPrintableReference(t, s)...); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%q:\n got %q\nwant %q", s, got.Bytes(), want)
		}
	}
}

// FuzzQuotedPrintable checks writeQuotedPrintable against
// mime/quotedprintable's Writer on any text; run it longer with
//
//	go test -run '^$' -fuzz '^FuzzQuotedPrintable$' -fuzztime 1m ./internal/mail
func FuzzQuotedPrintable(f *testing.F) {
	for _, s := range qpCases() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got bytes.Buffer
		writeQuotedPrintable(&got, s)
		if want := quotedPrintableReference(t, s); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%q:\n got %q\nwant %q", s, got.Bytes(), want)
		}
	})
}
