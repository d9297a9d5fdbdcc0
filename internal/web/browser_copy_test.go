package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
)

// TestCopyAndDeleteInTheBrowser: the secretariat copies last year's
// plenary into a new draft from its page, lands on the draft's editor,
// then deletes the draft after confirming.
func TestCopyAndDeleteInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	src, _ := copySource(t, e)
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}
	p.open("/login?lang=en")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "secretariat@example.org"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	p.submit("form[action='/login'] button[type=submit]")

	p.open(fmt.Sprintf("/secretariat/meetings/%d", src.ID))
	if p.Count("#delete") != 0 {
		t.Error("a published meeting offers to be deleted")
	}
	p.Do(chromedp.SetValue(chromedp.CSS("#f-starts_at"), "2028-03-14T09:30"))
	p.submit("#copy")
	p.mustSee(".flash", "The copy is saved as a draft")
	loc := p.Location()
	draft := strings.TrimSuffix(strings.TrimPrefix(loc, e.URL), "/edit")
	if !strings.HasSuffix(loc, "/edit") || draft == fmt.Sprintf("/secretariat/meetings/%d", src.ID) {
		t.Fatalf("after the copy: %s", loc)
	}
	if got := p.Value("#f-starts_at"); got != "2028-03-14T09:30" {
		t.Errorf("the copy's editor shows the start %q", got)
	}
	if got := p.Value("#f-ends_at"); got != "2028-03-15T17:00" {
		t.Errorf("the copy's editor shows the end %q, want the source's moved by as much", got)
	}

	p.open(draft)
	p.submit("#delete")
	p.mustSee("#confirm-delete", "Delete this draft and its agenda (3 items)?", "Yes, delete this draft")
	p.Screenshot("secretariat-delete-draft-confirm")
	p.submit("#delete-confirmed")
	p.mustSee(".flash", "The draft “Plenary 2027” is deleted.")
	if n := dbCount(t, e, `SELECT count(*) FROM meetings`); n != 1 {
		t.Errorf("%d meetings left, want the source alone", n)
	}
}
