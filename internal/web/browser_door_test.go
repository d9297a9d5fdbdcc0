package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
)

// typeAndEnter types keys into sel and presses Enter, as a USB or
// Bluetooth scanner does, and waits for the page the form loads.
func (p secPage) typeAndEnter(sel, keys string) {
	p.t.Helper()
	p.eval(`document.documentElement.dataset.old = "1"`)
	p.Do(chromedp.SendKeys(chromedp.CSS(sel), keys+kb.Enter))
	const ready = `document.readyState === "complete" && !document.documentElement.dataset.old && !!document.querySelector("main")`
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(p.Ctx, 2*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready))
		cancel()
		if err == nil && done {
			p.checkPage()
			return
		}
	}
	p.t.Fatalf("no new page after typing into %s", sel)
}

// TestDoorInTheBrowser: at the door, the secretariat scans badges into the
// code field (a scanner types the code and Enter), sees who arrived and
// the count go up, is told of a second scan and of a code that is not a
// badge of the meeting, finds people by name with or without their
// accents, checks one in and undoes it; in English and in French.
func TestDoorInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	m, regs := doorMeeting(t, e, "Plenary at the door")
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{
		"state": "DE", "first_name": "Józef", "last_name": "Łódź", "email": "jozef@example.org", "delegation_role": "delegate", "language": "en",
	}, 201, nil)
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}
	p.open("/login?lang=en")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "secretariat@example.org"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	p.submit("form[action='/login'] button[type=submit]")

	// From the registrations page, the door.
	p.open(fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID))
	p.submit("#door-link")
	p.mustSee("h2", "Check-in at the door")
	p.mustSee("#door-counts", "0 / 7", "checked in on")

	eleni := e.App.Registrations.CheckInCode(m.ID, regs["Ελένη"].ID)
	p.typeAndEnter("#door-code", eleni)
	p.mustSee(".flash", "Ελένη Παπαδοπούλου (Greece) is checked in.")
	p.mustSee("#door-counts", "1 / 7")
	p.mustSee(".door-person-last", "Ελένη Παπαδοπούλου", "Greece", "Expert", "Confirmed", "checked in at")
	p.Screenshot("door-scanned")

	// The same badge again: when the first scan was.
	p.typeAndEnter("#door-code", eleni)
	p.mustSee(".flash", "Ελένη Παπαδοπούλου (Greece): already checked in at ")
	p.mustSee("#door-counts", "1 / 7")

	// A code that is not a badge of this meeting (here: of none).
	p.typeAndEnter("#door-code", "CI.999.1.AAAAAAAAAAAAAAAA")
	p.mustSee("#door-problem", "not a badge of this meeting")

	// Search without accents, with them, in capitals, by invitee.
	for q, want := range map[string]string{"sahin": "Çağrı Şahin", "Şahin": "Çağrı Şahin", "CAGRI": "Çağrı Şahin",
		"lucja": "Łucja Kowalska", "LUCJA kowalska": "Łucja Kowalska", "stefan taran": "Ștefan Țăran", "ελενη": "Ελένη Παπαδοπούλου", "lodz": "Józef Łódź", "JOZEF LODZ": "Józef Łódź"} {
		p.open(fmt.Sprintf("/secretariat/meetings/%d/check-in", m.ID))
		p.typeAndEnter("#door-q", q)
		p.mustSee("#door-found", want)
		if n := p.Count("#door-found .door-person"); n != 1 {
			t.Errorf("search %q found %d people", q, n)
		}
	}
	p.open(fmt.Sprintf("/secretariat/meetings/%d/check-in", m.ID))
	p.typeAndEnter("#door-q", "nobody-here")
	p.mustSee("#door-none", "No one at this meeting matches “nobody-here”.")

	// Check Şahin in from the search, then undo it.
	p.open(fmt.Sprintf("/secretariat/meetings/%d/check-in?q=sahin", m.ID))
	p.mustSee("#door-found", "Türkiye", "not checked in yet")
	p.submit("#door-found .door-check-in")
	p.mustSee(".flash", "Çağrı Şahin (Türkiye) is checked in.")
	p.mustSee("#door-counts", "2 / 7")
	p.mustSee("#door-found", "checked in at")
	p.submit("#door-found .door-undo")
	p.mustSee(".flash", "The check-in of Çağrı Şahin is undone.")
	p.mustSee("#door-counts", "1 / 7")

	// The waitlisted person is found, with her status, and cannot be checked in.
	p.open(fmt.Sprintf("/secretariat/meetings/%d/check-in?q=wanda", m.ID))
	p.mustSee("#door-found", "Wanda Attente", "Waiting list")
	if n := p.Count("#door-found .door-check-in"); n != 0 {
		t.Error("a waitlisted person can be checked in at the door")
	}

	// In French.
	p.open(fmt.Sprintf("/secretariat/meetings/%d/check-in?lang=fr", m.ID))
	p.mustSee("h2", "Accueil des participants")
	p.mustSee("#door-counts", "1 / 7", "présents le")
	p.typeAndEnter("#door-code", e.App.Registrations.CheckInCode(m.ID, regs["Łucja"].ID))
	p.mustSee(".flash", "Łucja Kowalska (Pologne) : arrivée enregistrée.")
	p.open(fmt.Sprintf("/secretariat/meetings/%d/check-in", m.ID))
	p.typeAndEnter("#door-q", "pologne")
	p.mustSee("#door-found", "Łucja Kowalska", "arrivé(e) à")

	// The API agrees: two checked in today.
	var counts struct {
		Expected  int `json:"expected"`
		CheckedIn int `json:"checked_in"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "secretariat", nil, 200, &counts)
	if counts.CheckedIn != 2 {
		t.Errorf("the API counts %d checked in, want 2", counts.CheckedIn)
	}
	if counts.Expected != 7 {
		t.Errorf("the API expects %d people, want 7", counts.Expected)
	}
}

// cameraDetector stands in for the browser's barcode detection, which
// chromium offers on Android, ChromeOS and macOS but not on Linux: it
// reads nothing from the picture but answers code once the video it is
// given plays the camera's frames, and counts what it was asked.
const cameraDetector = `window.BarcodeDetector = class {
  constructor(opts) { window.doorTest = { formats: (opts && opts.formats || []).join(","), frames: 0 }; }
  async detect(source) {
    if (!(source instanceof HTMLVideoElement) || source.videoWidth === 0 || !source.srcObject) { return []; }
    window.doorTest.frames++;
    return [{ rawValue: %q, format: "qr_code" }];
  }
};`

// TestDoorCameraInTheBrowser: where the browser offers barcode detection,
// the door page shows a camera button; pressed, it opens the device's
// camera (chromium's synthetic one), hands the playing video to the
// detector, and the code it finds checks that person in as a scan would.
// Where the browser offers none, there is no button.
func TestDoorCameraInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	m, regs := doorMeeting(t, e, "Plenary with a camera")
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}
	p.open("/login?lang=en")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "secretariat@example.org"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	p.submit("form[action='/login'] button[type=submit]")

	door := fmt.Sprintf("/secretariat/meetings/%d/check-in", m.ID)
	p.open(door)
	if p.eval(`String("BarcodeDetector" in window)`) == "false" && p.eval(`String(document.getElementById("door-camera-box").hidden)`) != "true" {
		t.Error("a camera button is offered by a browser without barcode detection")
	}

	code := e.App.Registrations.CheckInCode(m.ID, regs["Ελένη"].ID)
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fmt.Sprintf(cameraDetector, code)})
		return err
	}))
	p.open(door)
	if hidden := p.eval(`String(document.getElementById("door-camera-box").hidden)`); hidden != "false" {
		t.Fatalf("with barcode detection, the camera box is hidden: %s", hidden)
	}
	p.mustSee("#door-camera", "camera")
	p.submit("#door-camera") // the camera starts, the detector finds the code, the form goes
	p.mustSee(".flash", "Ελένη Παπαδοπούλου (Greece) is checked in.")
	p.mustSee("#door-counts", "1 / 6")

	// The database agrees, and the audit trail says it came from a badge.
	var via string
	if err := e.App.DB.Get(&via, `SELECT details->>'via' FROM audit_log WHERE action = 'registration.check_in' AND subject_id = $1`, regs["Ελένη"].ID); err != nil {
		t.Fatalf("no check-in recorded for Ελένη: %v", err)
	}
	if via != "badge" {
		t.Errorf("the check-in came via %q, want badge", via)
	}
}
