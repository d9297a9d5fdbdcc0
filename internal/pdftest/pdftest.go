// Package pdftest reads the text of a PDF back with a real PDF reader,
// poppler's pdftotext, so tests check what a person opening the document
// would see rather than the bytes Agora wrote.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Text returns the text pdftotext extracts from pdf, with every run of
// white space (line breaks of wrapped paragraphs included) made one space.
// It fails the test when pdftotext is missing, with the command that
// installs it, or when it cannot read the document.
func Text(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("PDF tests need pdftotext: apt-get install -y poppler-utils (make test installs it)")
	}
	in := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, "-enc", "UTF-8", in, "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		// poppler reports a damaged document on stderr and carries on.
		t.Errorf("pdftotext complains: %s", stderr.String())
	}
	return strings.Join(strings.Fields(out.String()), " ")
}
