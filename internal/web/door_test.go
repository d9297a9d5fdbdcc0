package web_test

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/registration"
)

// arrival is the door's answer about a person.
type arrival struct {
	registration.Registration
	InviteeName      string     `json:"invitee_name"`
	Day              string     `json:"day"`
	DayCheckedInAt   *time.Time `json:"day_checked_in_at"`
	AlreadyCheckedIn bool       `json:"already_checked_in"`
}

// doorMeeting publishes a two-day meeting in French first (badges speak
// its language) for six states, two seats each, and registers people
// whose names need more than Latin-1: Łucja (PL), Ștefan (RO), Çağrı (TR),
// Ελένη (GR), and three for France, the third waitlisted. It returns the
// meeting and the registrations by first name.
func doorMeeting(t *testing.T, e *apptest.Env, title string) (meeting.Meeting, map[string]registration.Result) {
	t.Helper()
	// 09:00 in the meeting's zone, whatever the hour of the test: the
	// meeting then covers exactly two days (until 17:00 the next day).
	paris, err := time.LoadLocation(meeting.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(paris).AddDate(0, 0, 20)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, paris)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": title, "title_fr": title + " (FR)", "languages": []string{"fr", "en"},
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(32 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "format": "in_person", "audience": "custom",
		"invited_states": []string{"FR", "PL", "RO", "TR", "GR", "DE"}, "seats_per_state": 2,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	people := []struct{ state, first, last, role string }{
		{"PL", "Łucja", "Kowalska", "head"},
		{"RO", "Ștefan", "Țăran", "delegate"},
		{"TR", "Çağrı", "Şahin", "adviser"},
		{"GR", "Ελένη", "Παπαδοπούλου", "expert"},
		{"FR", "Noé", "Dupont", "head"},
		{"FR", "Anne", "Lefèvre", "delegate"},
		{"FR", "Wanda", "Attente", "delegate"}, // third for two seats: waitlisted, no badge
	}
	regs := map[string]registration.Result{}
	for i, p := range people {
		var r registration.Result
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{
			"state": p.state, "first_name": p.first, "last_name": p.last, "email": fmt.Sprintf("door%d-%d@example.org", m.ID, i),
			"delegation_role": p.role, "language": "en",
		}, 201, &r)
		regs[p.first] = r
	}
	if regs["Wanda"].Status != registration.StatusWaitlisted {
		t.Fatalf("fixture: Wanda is %s", regs["Wanda"].Status)
	}
	return m, regs
}

// badgesOf fetches a meeting's badges as the secretariat.
func badgesOf(t *testing.T, e *apptest.Env, m meeting.Meeting, query string) []byte {
	t.Helper()
	code, body := e.Do("GET", fmt.Sprintf("/api/v1/meetings/%d/badges.pdf%s", m.ID, query), "secretariat", nil)
	if code != 200 {
		t.Fatalf("badges%s: %d %s", query, code, body)
	}
	return body
}

// Badges: one per confirmed participant, names in their own script, the
// invitee in the meeting's language, the role, and a QR code that a real
// barcode reader decodes from the printed page; the decoded code checks
// that very person in through the API, and only at this meeting.
func TestBadgesCarryCodesThatCheckTheRightPersonIn(t *testing.T) {
	e := apptest.Start(t)
	m, regs := doorMeeting(t, e, "Plenary of the door")
	other, _ := doorMeeting(t, e, "Another plenary")

	pdf := badgesOf(t, e, m, "")
	text := pdftest.Text(t, pdf)
	for _, want := range []string{"Łucja Kowalska", "Pologne", "Chef de délégation", "Ștefan Țăran", "Roumanie",
		"Çağrı Şahin", "Türkiye", "Conseiller", "Ελένη Παπαδοπούλου", "Grèce", "Noé Dupont", "Anne Lefèvre", "France",
		"Plenary of the door (FR)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the badges read %q\nwithout %q", text, want)
		}
	}
	if strings.Contains(text, "Wanda") {
		t.Error("a waitlisted person has a badge")
	}
	english := pdftest.Text(t, badgesOf(t, e, m, "?lang=en"))
	for _, want := range []string{"Poland", "Romania", "Greece", "Head of delegation"} {
		if !strings.Contains(english, want) {
			t.Errorf("the English badges lack %q", want)
		}
	}

	// The QR codes, read from the rendered pages: one per badge, each the
	// code of one confirmed person of this meeting.
	codes := pdftest.QRCodes(t, pdf)
	if len(codes) != 6 {
		t.Fatalf("zbarimg decoded %d QR codes, want 6: %q", len(codes), codes)
	}
	byName := map[string]string{}
	for _, code := range codes {
		var a arrival
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "secretariat", map[string]string{"code": code}, 200, &a)
		if a.CheckedInAt == nil || a.DayCheckedInAt == nil || a.AlreadyCheckedIn {
			t.Errorf("%s: first scan: %+v", code, a)
		}
		byName[a.Name()] = code
		if want := regs[a.FirstName]; want.ID != a.ID {
			t.Errorf("code %s checked in registration %d, the badge of %s is %d", code, a.ID, a.Name(), want.ID)
		}
	}
	if len(byName) != 6 {
		t.Errorf("the codes checked in %d different people: %v", len(byName), byName)
	}
	// Read back another way: the registration as the API shows it.
	var got registration.Registration
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", regs["Ελένη"].ID), "secretariat", nil, 200, &got)
	if got.CheckedInAt == nil {
		t.Error("Ελένη's registration is not checked in after her badge was scanned")
	}

	// A second scan says when the first was and changes nothing.
	var again arrival
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "secretariat", map[string]string{"code": byName["Ștefan Țăran"]}, 200, &again)
	if !again.AlreadyCheckedIn || again.DayCheckedInAt == nil || !again.DayCheckedInAt.Equal(*again.CheckedInAt) {
		t.Errorf("second scan: %+v", again)
	}

	// Useless for another meeting; a forged or mistyped code is unknown.
	code, body := e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", other.ID), "secretariat", map[string]string{"code": byName["Łucja Kowalska"]})
	if code != 404 || !strings.Contains(string(body), "not a badge of this meeting") {
		t.Errorf("code of another meeting: %d %s", code, body)
	}
	forged := byName["Łucja Kowalska"]
	forged = forged[:len(forged)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(forged, "A")]
	if code, body := e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "secretariat", map[string]string{"code": forged}); code != 404 {
		t.Errorf("forged code: %d %s", code, body)
	}
	for _, bad := range []string{"", "reg_abc", "CI.1.2", strings.Repeat("CI.", 100)} {
		code, body := e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "secretariat", map[string]string{"code": bad})
		if code != 404 && code != 422 {
			t.Errorf("code %q: %d %s", bad, code, body)
		}
	}
	// Revoked with the registration: Noé's badge stops working once he
	// is cancelled (and his seat goes to Wanda, who now has a badge).
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", regs["Noé"].ID), "secretariat", nil, 200, nil)
	code, body = e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "secretariat", map[string]string{"code": byName["Noé Dupont"]})
	if code != 404 || !strings.Contains(string(body), "no longer valid") {
		t.Errorf("code of a cancelled registration: %d %s", code, body)
	}
	// Only the secretariat prints badges and checks people in.
	if code, _ := e.Do("GET", fmt.Sprintf("/api/v1/meetings/%d/badges.pdf", m.ID), "fp_FR", nil); code != 403 {
		t.Errorf("badges for a focal point: %d", code)
	}
	if code, _ := e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID), "fp_FR", map[string]string{"code": byName["Anne Lefèvre"]}); code != 403 {
		t.Errorf("check-in by a focal point: %d", code)
	}
	if code, _ := e.Do("GET", fmt.Sprintf("/api/v1/meetings/%d/badges.pdf", m.ID), "", nil); code != 401 && code != 404 {
		t.Errorf("badges for a visitor: %d", code)
	}

	// One state's badges: France's two confirmed people, Wanda now among them.
	fr := pdftest.QRCodes(t, badgesOf(t, e, m, "?state=FR"))
	frText := pdftest.Text(t, badgesOf(t, e, m, "?state=FR"))
	if len(fr) != 2 || !strings.Contains(frText, "Wanda Attente") || strings.Contains(frText, "Noé") || strings.Contains(frText, "Łucja") {
		t.Errorf("France's badges: %q, %q", fr, frText)
	}
}

// Several doors scan one badge at the same instant: exactly one of them
// checks the person in, the others say "already checked in" with the
// same time, and the database holds one check-in and one audit entry.
// A badge whose registration is cancelled while doors scan it is either
// checked in before the cancellation or refused after it, never both.
func TestDoorsScanningOneBadgeAtOnce(t *testing.T) {
	e := apptest.Start(t)
	m, regs := doorMeeting(t, e, "Plenary of many doors")
	path := fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID)
	scan := func(code string, n int) ([]arrival, []int) {
		answers, statuses := make([]arrival, n), make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				status, body := e.Do("POST", path, "secretariat", map[string]string{"code": code})
				statuses[i] = status
				if status == 200 {
					if err := json.Unmarshal(body, &answers[i]); err != nil {
						t.Errorf("scan: %v", err)
					}
				}
			})
		}
		wg.Wait()
		return answers, statuses
	}

	const doors = 8
	answers, statuses := scan(e.App.Registrations.CheckInCode(m.ID, regs["Ștefan"].ID), doors)
	first := 0
	for i, a := range answers {
		if statuses[i] != 200 || a.DayCheckedInAt == nil {
			t.Fatalf("door %d: %d %+v", i, statuses[i], a)
		}
		if !a.AlreadyCheckedIn {
			first++
		}
		if !a.DayCheckedInAt.Equal(*answers[0].DayCheckedInAt) {
			t.Errorf("door %d says %v, door 0 %v", i, a.DayCheckedInAt, answers[0].DayCheckedInAt)
		}
	}
	if first != 1 {
		t.Errorf("%d doors checked Ștefan in, want 1", first)
	}
	var rows, entries int
	if err := e.App.DB.Get(&rows, `SELECT count(*) FROM check_ins WHERE registration_id = $1`, regs["Ștefan"].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.App.DB.Get(&entries, `SELECT count(*) FROM audit_log WHERE action = 'registration.check_in' AND subject_id = $1
		AND actor = 'user' AND user_id = $2 AND meeting_id = $3 AND state_code = 'RO' AND details->>'via' = 'badge'`,
		regs["Ștefan"].ID, e.Users["secretariat"].ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || entries != 1 {
		t.Errorf("after %d scans at once: %d check-ins, %d audit entries, want 1 and 1", doors, rows, entries)
	}

	// Scans crossing a cancellation, for six people: a scan answered
	// "checked in" must have come first. Both lock the registration before
	// writing their audit entry and hold it until they commit, so the
	// entries' ids follow the order of the commits: a check-in entry after
	// the cancellation's would be a cancelled person let in.
	for _, who := range []string{"Ελένη", "Çağrı", "Łucja", "Noé", "Anne", "Ștefan"} {
		reg := regs[who].ID
		code := e.App.Registrations.CheckInCode(m.ID, reg)
		var cancelled sync.WaitGroup
		cancelled.Go(func() {
			e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", reg), "secretariat", nil, 200, nil)
		})
		_, statuses = scan(code, doors)
		cancelled.Wait()
		var checkIns int
		if err := e.App.DB.Get(&checkIns, `SELECT count(*) FROM check_ins WHERE registration_id = $1`, reg); err != nil {
			t.Fatal(err)
		}
		for i, status := range statuses {
			if status != 200 && status != 404 {
				t.Errorf("%s, door %d during the cancellation: %d", who, i, status)
			}
			if status == 200 && checkIns == 0 {
				t.Errorf("%s, door %d: checked in, yet no check-in is kept", who, i)
			}
		}
		var late int
		if err := e.App.DB.Get(&late, `SELECT count(*) FROM audit_log c WHERE c.action = 'registration.check_in' AND c.subject_id = $1
			AND c.id > (SELECT id FROM audit_log WHERE action = 'registration.cancel' AND subject_id = $1)`, reg); err != nil {
			t.Fatal(err)
		}
		if late > 0 {
			t.Errorf("%s: %d check-ins recorded after the cancellation", who, late)
		}
		if status, body := e.Do("POST", path, "secretariat", map[string]string{"code": code}); status != 404 {
			t.Errorf("%s, after the cancellation: %d %s", who, status, body)
		}
	}
}

// Twenty people with long names fill three sheets: every QR code reads,
// each a different one (long names are cut short, never over the code).
func TestBadgesOverSeveralSheetsAllRead(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(20 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "plenary", "title_en": "Crowded plenary", "title_fr": "Plénière bondée", "starts_at": start.Format(time.RFC3339),
		"ends_at": start.Add(8 * time.Hour).Format(time.RFC3339), "format": "in_person", "audience": "custom",
		"invited_states": []string{"FR"}, "seats_per_state": 20,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	for i := range 20 {
		e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "secretariat", map[string]any{
			"state": "FR", "first_name": fmt.Sprintf("Personne%02d", i), "last_name": strings.Repeat("Très-Long-Nom-", 7),
			"email": fmt.Sprintf("crowd%d@example.org", i), "delegation_role": "delegate", "language": "fr",
		}, 201, nil)
	}
	codes := pdftest.QRCodes(t, badgesOf(t, e, m, ""))
	sort.Strings(codes)
	if len(codes) != 20 {
		t.Fatalf("decoded %d codes, want 20", len(codes))
	}
	for i := 1; i < len(codes); i++ {
		if codes[i] == codes[i-1] {
			t.Errorf("two badges carry %s", codes[i])
		}
	}
}

// A meeting over two days checks people in each day: a badge scanned on
// each day counts on each, the first arrival stays the registration's
// checked_in_at, undoing one day leaves the other, and the list's undo
// takes back every day.
func TestCheckInPerDay(t *testing.T) {
	e := apptest.Start(t)
	m, regs := doorMeeting(t, e, "Two-day plenary")
	days := registration.Days(m)
	if len(days) != 2 {
		t.Fatalf("the meeting covers %v", days)
	}
	path := fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID)
	code := e.App.Registrations.CheckInCode(m.ID, regs["Anne"].ID)
	var first, second arrival
	e.JSON("POST", path, "secretariat", map[string]string{"code": code, "day": days[0]}, 200, &first)
	e.JSON("POST", path, "secretariat", map[string]string{"code": code, "day": days[1]}, 200, &second)
	if first.AlreadyCheckedIn || second.AlreadyCheckedIn || second.Day != days[1] || second.DayCheckedInAt == nil {
		t.Fatalf("two days: %+v / %+v", first, second)
	}
	if !second.CheckedInAt.Equal(*first.DayCheckedInAt) {
		t.Errorf("checked_in_at is %v, want the first arrival %v", second.CheckedInAt, first.DayCheckedInAt)
	}
	counts := func(day string) (expected, in int) {
		var c struct {
			Expected  int `json:"expected"`
			CheckedIn int `json:"checked_in"`
		}
		e.JSON("GET", path+"?day="+day, "secretariat", nil, 200, &c)
		return c.Expected, c.CheckedIn
	}
	for _, d := range days {
		if exp, in := counts(d); exp != 6 || in != 1 {
			t.Errorf("%s: %d of %d checked in, want 1 of 6", d, in, exp)
		}
	}
	if code, body := e.Do("GET", path+"?day=1999-01-01", "secretariat", nil); code != 422 || apptest.ErrorFields(body)["day"] == "" {
		t.Errorf("a day outside the meeting: %d %s", code, body)
	}
	if code, body := e.Do("POST", path, "secretariat", map[string]string{"code": code, "day": "tomorrow"}); code != 422 {
		t.Errorf("a day that is no date: %d %s", code, body)
	}

	// Undo the first day at the door: the second stays, and with it the
	// registration's attendance, now from the second day.
	if _, err := e.App.Registrations.UndoCheckIn(t.Context(), secretariatActor(e), m.ID, regs["Anne"].ID, days[0], "en"); err != nil {
		t.Fatal(err)
	}
	if _, in := counts(days[0]); in != 0 {
		t.Errorf("day one still counts %d after the undo", in)
	}
	var r registration.Registration
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", regs["Anne"].ID), "secretariat", nil, 200, &r)
	if r.CheckedInAt == nil || !r.CheckedInAt.Equal(*second.DayCheckedInAt) {
		t.Errorf("after undoing day one, checked_in_at is %v, want day two's %v", r.CheckedInAt, second.DayCheckedInAt)
	}
	// The list's undo (as before there were days) takes back every day.
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/check-in", regs["Anne"].ID), "secretariat", map[string]bool{"undo": true}, 200, &r)
	if _, in := counts(days[1]); in != 0 || r.CheckedInAt != nil {
		t.Errorf("after the list's undo: %d checked in on day two, checked_in_at %v", in, r.CheckedInAt)
	}
	// And the list's check-in counts for today's day of the meeting (its first, before it starts).
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/check-in", regs["Anne"].ID), "secretariat", nil, 200, &r)
	if _, in := counts(days[0]); in != 1 || r.CheckedInAt == nil {
		t.Errorf("after the list's check-in: %d on day one, checked_in_at %v", in, r.CheckedInAt)
	}
}

func secretariatActor(e *apptest.Env) auth.Actor {
	u := e.Users["secretariat"]
	return auth.Actor{User: &u}
}

// writeLogo writes a small PNG logo and returns its path.
func writeLogo(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 30))
	for x := range 60 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{R: uint8(4 * x), G: 40, B: uint8(8 * y), A: 255})
		}
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// After the meeting, a participant checked in downloads a certificate of
// attendance from the manage page, in English or French, under the
// configured letterhead (logo included), naming the days attended; before
// the meeting, or without a check-in, they are told why not.
func TestCertificateOfAttendance(t *testing.T) {
	logo := writeLogo(t)
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.Letters.Organisation = "Groupe Pompidou — Συμβούλιο"
		c.Letters.Signatory = "Ana Ștefănescu"
		c.Letters.Logo = logo
	}})
	m, regs := doorMeeting(t, e, "Certified plenary")
	days := registration.Days(m)
	path := fmt.Sprintf("/api/v1/meetings/%d/check-in", m.ID)
	for _, d := range days {
		e.JSON("POST", path, "secretariat", map[string]string{"code": e.App.Registrations.CheckInCode(m.ID, regs["Łucja"].ID), "day": d}, 200, nil)
	}
	lucja, stefan := manageToken(regs["Łucja"].ManageURL), manageToken(regs["Ștefan"].ManageURL)
	cert := func(token string) string { return "/api/v1/manage/" + token + "/certificate.pdf" }

	code, body := e.Do("GET", cert(lucja), "", nil)
	if code != 409 || !strings.Contains(string(body), "once the meeting is over") {
		t.Errorf("before the meeting: %d %s", code, body)
	}
	// The meeting took place a month ago, days and all.
	for _, q := range []string{`UPDATE meetings SET starts_at = starts_at - interval '30 days', ends_at = ends_at - interval '30 days' WHERE id = $1`,
		`UPDATE check_ins SET day = day - 30 WHERE meeting_id = $1`} {
		if _, err := e.App.DB.Exec(q, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	var held meeting.Meeting
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d", m.ID), "secretariat", nil, 200, &held)
	heldDays := registration.Days(held)

	for lang, want := range map[string][]string{
		"en": {"Groupe Pompidou — Συμβούλιο", "Certificate of attendance", "Groupe Pompidou — Συμβούλιο certifies that", "Łucja Kowalska",
			"representing Poland, attended the meeting", "Certified plenary", "Strasbourg", "Days of attendance:", "Ana Ștefănescu"},
		"fr": {"Attestation de participation", "Groupe Pompidou — Συμβούλιο certifie que", "Łucja Kowalska",
			"pour Pologne, a participé à la réunion", "Certified plenary (FR)", "Jours de présence :", "Ana Ștefănescu"},
	} {
		code, body := e.Do("GET", cert(lucja)+"?lang="+lang, "", nil)
		if code != 200 {
			t.Fatalf("certificate (%s): %d %s", lang, code, body)
		}
		text := pdftest.Text(t, body)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the %s certificate reads %q\nwithout %q", lang, text, w)
			}
		}
		for _, d := range heldDays {
			day, _ := time.Parse(time.DateOnly, d)
			if w := i18n.Date(day, lang); !strings.Contains(text, w) {
				t.Errorf("the %s certificate does not name the day %s", lang, w)
			}
		}
		if !strings.Contains(string(body), "/Subtype /Image") {
			t.Errorf("the %s certificate has no logo", lang)
		}
	}
	// Not checked in: refused, with the reason; an unknown link: not found.
	code, body = e.Do("GET", cert(stefan), "", nil)
	if code != 403 || !strings.Contains(string(body), "only to participants who were checked in") {
		t.Errorf("not checked in: %d %s", code, body)
	}
	if code, _ := e.Do("GET", cert("reg_nothing"), "", nil); code != 404 {
		t.Errorf("unknown link: %d", code)
	}
	// The manage page links the certificate only for those who may have it.
	if code, page, _ := getPage(t, e, "/registrations/manage/"+lucja+"?lang=fr"); code != 200 || !strings.Contains(page, `id="certificate"`) ||
		!strings.Contains(page, "Attestation de participation (PDF)") {
		t.Errorf("Łucja's manage page: %d, no certificate link", code)
	}
	if _, page, _ := getPage(t, e, "/registrations/manage/"+stefan); strings.Contains(page, `id="certificate"`) {
		t.Error("Ștefan's manage page offers a certificate")
	}
}
