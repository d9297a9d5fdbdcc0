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

// QRCodes renders every page of pdf to an image with poppler's pdftoppm,
// at 300 dots per inch as an office printer prints a badge (at 150, zbar
// missed one code in twenty now and then), and returns the text of
// every QR code that zbar's zbarimg decodes in them, page by page. It
// fails the test when either tool is missing, with the command that
// installs it.
func QRCodes(t *testing.T, pdf []byte) []string {
	t.Helper()
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Fatal("QR code tests need pdftoppm: apt-get install -y poppler-utils (make test installs it)")
	}
	zbarimg, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("QR code tests need zbarimg: apt-get install -y zbar-tools (make test installs it)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "document.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", "300", "-gray", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "page*.png"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("pdftoppm rendered no page (%v)", err)
	}
	var codes []string
	for _, page := range pages { // Glob sorts: page-01, page-02…
		var out, stderr bytes.Buffer
		cmd := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", page)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		// zbarimg exits 4 when an image holds no symbol at all.
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 4 {
				t.Fatalf("zbarimg %s: %v: %s", filepath.Base(page), err, stderr.String())
			}
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				codes = append(codes, line)
			}
		}
	}
	return codes
}
