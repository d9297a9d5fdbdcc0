package web

import (
	"runtime"
	"testing"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/templates"
)

// TestPagesKeepOneLayout parses the pages as the server does and measures
// what they keep in memory: the layout and the partials once, with each
// page's own part. A copy of them for each page (html/template's Clone)
// kept 13.5 MB of parse trees, which every garbage collection of the
// process walked.
func TestPagesKeepOneLayout(t *testing.T) {
	cat, err := i18n.Load(templates.FS, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ps, err := parsePages(cat)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d pages keep %.1f MB", len(ps.pages), float64(kept)/(1<<20))
	if len(ps.pages) < 40 {
		t.Errorf("%d pages parsed, want every file of templates/pages", len(ps.pages))
	}
	if kept > 4<<20 {
		t.Errorf("the parsed pages keep %.1f MB, want the layout and partials once (under 4 MB)", float64(kept)/(1<<20))
	}
	runtime.KeepAlive(ps)
}
