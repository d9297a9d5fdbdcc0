package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/registration"
)

// Once a meeting has been held, nobody cancels or declines a registration
// any more (attendance figures would drop and calendars would get a
// cancellation): the API says 409, the pages offer no button, no email
// goes out; the secretariat alone corrects attendance, by check-in and its
// undo, which the audit trail records.
func TestNoCancellationAfterTheMeeting(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Held expert group", false)
	ana := selfRegister(t, e, m, tokens["FR"], "Ana", "Held", "ana.held@example.org")
	ben := selfRegister(t, e, m, tokens["FR"], "Ben", "Held", "ben.held@example.org")
	if ana.Status != registration.StatusConfirmed || ben.Status != registration.StatusConfirmed {
		t.Fatalf("registrations: %s, %s", ana.Status, ben.Status)
	}
	regPath := func(id int64) string { return fmt.Sprintf("/api/v1/registrations/%d", id) }
	e.JSON("POST", regPath(ana.ID)+"/check-in", "secretariat", nil, 200, nil)
	if _, err := e.App.DB.Exec(`UPDATE meetings SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 day'
		WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	mails := func() (n int) {
		if err := e.App.DB.Get(&n, `SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1`, m.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := mails()

	token := manageToken(ana.ManageURL)
	for _, try := range []struct{ path, as string }{
		{"/api/v1/manage/" + token + "/cancel", ""},
		{regPath(ana.ID) + "/cancel", "fp_FR"},
		{regPath(ben.ID) + "/cancel", "fp_FR"},
		{regPath(ben.ID) + "/cancel", "secretariat"},
		{regPath(ben.ID) + "/decline", "secretariat"},
	} {
		if code, body := e.Do("POST", try.path, try.as, nil); code != 409 {
			t.Errorf("POST %s as %q after the meeting: %d %s", try.path, try.as, code, body)
		}
	}

	// The manage page, in both languages: no cancellation form, and the
	// form posted anyway changes nothing and says why.
	for _, lang := range []string{"en", "fr"} {
		p := signInHTTP(t, e, "")
		code, page := p.get("/registrations/manage/" + token + "?lang=" + lang)
		if code != 200 {
			t.Fatalf("manage page (%s): %d", lang, code)
		}
		if strings.Contains(page, "/cancel\"") || strings.Contains(page, `class="danger"`) {
			t.Errorf("manage page (%s) still offers to cancel after the meeting", lang)
		}
		_, login := p.get("/login") // the page has no form left: take a CSRF token from another
		code, page = p.post("/registrations/manage/"+token+"/cancel", login, url.Values{})
		if code == 303 {
			_, page = p.get("/registrations/manage/" + token)
		}
		want := map[string]string{"en": "already taken place", "fr": "déjà eu lieu"}[lang]
		if !strings.Contains(page, want) {
			t.Errorf("cancelling from the manage page (%s) after the meeting: %d, no %q in the answer", lang, code, want)
		}
	}

	// The focal point's delegation page offers no withdrawal either.
	fp := signInHTTP(t, e, "fp.fr@example.org")
	for _, lang := range []string{"en", "fr"} {
		code, page := fp.get(fmt.Sprintf("/meetings/%d/delegation?lang=%s", m.ID, lang))
		if code != 200 || !strings.Contains(page, "Ana") {
			t.Fatalf("delegation page (%s): %d", lang, code)
		}
		if strings.Contains(page, "/cancel") || strings.Contains(page, "withdraw") {
			t.Errorf("delegation page (%s) still offers to withdraw people after the meeting", lang)
		}
	}

	// The secretariat's list offers no decline, but still the check-in.
	sec := signInHTTP(t, e, "secretariat@example.org")
	if code, page := sec.get(fmt.Sprintf("/secretariat/meetings/%d/registrations", m.ID)); code != 200 ||
		strings.Contains(page, "/decline") || !strings.Contains(page, "/check-in") {
		t.Errorf("secretariat's registrations after the meeting (%d): decline offered %v, check-in offered %v",
			code, strings.Contains(page, "/decline"), strings.Contains(page, "/check-in"))
	}

	for _, id := range []int64{ana.ID, ben.ID} {
		var r registration.Registration
		e.JSON("GET", regPath(id), "secretariat", nil, 200, &r)
		if r.Status != registration.StatusConfirmed {
			t.Errorf("registration %d is %s after refused cancellations", id, r.Status)
		}
	}
	if n := mails(); n != before {
		t.Errorf("%d emails queued by refused cancellations", n-before)
	}

	// The secretariat corrects attendance: Ana did not come after all, Ben did.
	var r registration.Registration
	e.JSON("POST", regPath(ana.ID)+"/check-in", "secretariat", map[string]bool{"undo": true}, 200, nil)
	e.JSON("POST", regPath(ben.ID)+"/check-in", "secretariat", nil, 200, nil)
	e.JSON("GET", regPath(ana.ID), "secretariat", nil, 200, &r)
	if r.CheckedInAt != nil {
		t.Errorf("check-in undone, yet Ana is checked in at %v", r.CheckedInAt)
	}
	var checkedIn bool
	if err := e.App.DB.Get(&checkedIn, `SELECT checked_in_at IS NOT NULL FROM registrations WHERE id = $1`, ben.ID); err != nil || !checkedIn {
		t.Errorf("Ben checked in after the meeting: %v %v", checkedIn, err)
	}
	var audited int
	if err := e.App.DB.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'registration.undo_check_in'
		AND subject_type = 'registration' AND subject_id = $1 AND user_id = $2`, ana.ID, e.Users["secretariat"].ID); err != nil || audited != 1 {
		t.Errorf("undo of the check-in: %d audit entries (%v)", audited, err)
	}
	if code, _ := e.Do("POST", regPath(ana.ID)+"/check-in", "fp_FR", map[string]bool{"undo": true}); code != 403 {
		t.Errorf("focal point undoing a check-in: %d", code)
	}
}

func manageToken(u string) string { return u[strings.LastIndex(u, "/")+1:] }
