// Package browsertest drives Debian's chromium through chromedp for the
// tests of Agora's pages. On failure it saves a screenshot and the page's
// HTML under test-output/ so a person can see what went wrong.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser is one headless chromium tab for a test.
type Browser struct {
	t   *testing.T
	Ctx context.Context
}

// chromiumPath finds the browser: CHROMIUM, else Debian's chromium.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// New starts a headless browser for t. It fails the test when chromium is
// missing, with the command that installs it.
func New(t *testing.T) *Browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Fatal("browser tests need chromium: apt-get install -y chromium (make test installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		// A synthetic camera, granted without asking: pages that use the
		// device's camera (the door's badge scanner) can be driven.
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{t: t, Ctx: ctx}
	t.Cleanup(func() {
		if t.Failed() {
			b.SaveEvidence()
		}
		cancelCtx()
		cancelAlloc()
	})
	// The first call starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start chromium: %v", err)
	}
	return b
}

// timeout bounds each step so a broken page fails the test, not the suite.
const timeout = 30 * time.Second

// Do runs steps, failing the test (with evidence saved) on error.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func get[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// Text returns the visible text of the first element matching the CSS selector.
func (b *Browser) Text(sel string) string { return get(b, chromedp.Text(chromedp.CSS(sel))) }

// HTML returns the page's HTML.
func (b *Browser) HTML() string { return get(b, chromedp.OuterHTML(chromedp.CSS("html"))) }

// Value returns the value of an input.
func (b *Browser) Value(sel string) string { return get(b, chromedp.Value(chromedp.CSS(sel))) }

// Location returns the current URL.
func (b *Browser) Location() string { return get(b, chromedp.Location()) }

// Count returns how many elements match the CSS selector.
func (b *Browser) Count(sel string) int {
	return get(b, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

func jsString(s string) string {
	out := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			out = append(out, '\\', byte(r))
		default:
			out = append(out, string(r)...)
		}
	}
	return string(append(out, '"'))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// SaveEvidence writes a screenshot (PNG: quality 100) and the HTML of the current page to
// test-output/<test name>.{png,html} at the module root.
func (b *Browser) SaveEvidence() {
	dir := filepath.Join(moduleRoot(), "test-output")
	_ = os.MkdirAll(dir, 0o755)
	name := unsafeName.ReplaceAllString(b.t.Name(), "_")
	ctx, cancel := context.WithTimeout(b.Ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	html, err2 := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err == nil && err2 == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		_ = os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644)
		b.t.Logf("browser evidence saved in %s/%s.{png,html}", dir, name)
	}
}

// Screenshot saves the current page as test-output/<name>.png.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	png := get(b, chromedp.FullScreenshot(100))
	dir := filepath.Join(moduleRoot(), "test-output")
	_ = os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, name+".png")
	_ = os.WriteFile(p, png, 0o644)
	return p
}

func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// Attributes returns the attributes of the first element matching sel.
func (b *Browser) Attributes(sel string) map[string]string {
	return get(b, chromedp.Attributes(chromedp.CSS(sel)))
}
