package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/testmail"
)

// A visa support letter: the participant asks from their manage link with
// their passport data (bad data refused field by field), only the
// secretariat sees the data and approves, the letter addressed to the
// consulate is emailed to the participant (read back from Mailpit and by a
// PDF reader); the data are in the privacy export, and gone after erasure
// or shortly after the meeting.
func TestVisaLetter(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	m, regs := doorMeeting(t, e, "Visa plenary")
	lucja, ana := manageToken(regs["Łucja"].ManageURL), manageToken(regs["Anne"].ManageURL)
	visa := func(token string) string { return "/api/v1/manage/" + token + "/visa-letter" }
	good := map[string]string{"passport_number": "ab 1234567", "nationality": "Polish", "date_of_birth": "1984-02-29",
		"passport_expires": m.EndsAt.AddDate(2, 0, 0).Format(time.DateOnly)}

	code, body := e.Do("POST", visa(lucja), "", map[string]string{"passport_number": "x", "nationality": "",
		"date_of_birth": time.Now().AddDate(1, 0, 0).Format(time.DateOnly), "passport_expires": "2001-01-01"})
	fields := apptest.ErrorFields(body)
	if code != 422 || fields["passport_number"] == "" || fields["nationality"] == "" || fields["date_of_birth"] == "" ||
		!strings.Contains(fields["passport_expires"], "valid until the end of the meeting") {
		t.Errorf("bad visa request: %d %s", code, body)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM visa_requests`); n != 0 {
		t.Fatalf("a refused request left %d rows", n)
	}
	var accepted struct{ Status string }
	e.JSON("POST", visa(lucja), "", good, 202, &accepted)
	e.JSON("POST", visa(ana), "", good, 202, nil)
	if accepted.Status != "requested" {
		t.Errorf("request: %+v", accepted)
	}

	list := fmt.Sprintf("/api/v1/meetings/%d/visa-requests", m.ID)
	if code, _ := e.Do("GET", list, "fp_FR", nil); code != 403 {
		t.Errorf("visa requests for a focal point: %d", code)
	}
	var reqs struct {
		VisaRequests []struct {
			RegistrationID int64  `json:"registration_id"`
			PassportNumber string `json:"passport_number"`
			Status         string `json:"status"`
		} `json:"visa_requests"`
	}
	e.JSON("GET", list, "secretariat", nil, 200, &reqs)
	if len(reqs.VisaRequests) != 2 || reqs.VisaRequests[0].PassportNumber != "AB 1234567" {
		t.Fatalf("visa requests: %+v", reqs)
	}

	approve := fmt.Sprintf("/api/v1/registrations/%d/visa-letter/approve", regs["Łucja"].ID)
	if code, _ := e.Do("POST", approve, "fp_FR", nil); code != 403 {
		t.Errorf("approval by a focal point: %d", code)
	}
	e.JSON("POST", approve, "secretariat", nil, 200, nil)
	if code, body := e.Do("POST", approve, "secretariat", nil); code != 409 {
		t.Errorf("second approval: %d %s", code, body)
	}
	if code, body := e.Do("POST", visa(lucja), "", good); code != 409 || !strings.Contains(string(body), "already approved") {
		t.Errorf("request after approval: %d %s", code, body)
	}

	// The email, read back from Mailpit, and its letter.
	var letter string
	for deadline := time.Now().Add(30 * time.Second); letter == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		msgs, err := mp.Messages()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range msgs {
			if !strings.Contains(s.Subject, "visa support letter") {
				continue
			}
			full, err := mp.Message(s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full.To[0].Address != regs["Łucja"].Email || len(full.Attachments) != 1 || full.Attachments[0].ContentType != "application/pdf" {
				t.Fatalf("visa email: to %v, attachments %+v", full.To, full.Attachments)
			}
			b, err := mp.Part(s.ID, full.Attachments[0].PartID)
			if err != nil {
				t.Fatal(err)
			}
			letter = pdftest.Text(t, b)
		}
	}
	for _, w := range []string{"To the consular services concerned", "Łucja Kowalska", "delegation of Poland", "Visa plenary",
		"AB 1234567", "Polish", "29 February 1984", "Council of Europe — Pompidou Group"} {
		if !strings.Contains(letter, w) {
			t.Errorf("the visa letter reads %q\nwithout %q", letter, w)
		}
	}

	// Privacy: in the export; erased with the person; after the meeting,
	// gone by retention.
	var report struct {
		VisaRequests []struct {
			PassportNumber string `json:"passport_number"`
		} `json:"visa_requests"`
	}
	e.JSON("POST", "/api/v1/privacy/export", "admin", map[string]string{"email": regs["Łucja"].Email}, 200, &report)
	if len(report.VisaRequests) != 1 || report.VisaRequests[0].PassportNumber != "AB 1234567" {
		t.Errorf("export: %+v", report)
	}
	e.JSON("POST", "/api/v1/privacy/erase", "admin", map[string]string{"email": regs["Łucja"].Email}, 200, nil)
	if n := dbCount(t, e, fmt.Sprintf(`SELECT count(*) FROM visa_requests WHERE registration_id = %d`, regs["Łucja"].ID)); n != 0 {
		t.Error("erasure left the visa request")
	}
	if n := dbCount(t, e, `SELECT count(*) FROM mail_attachments a JOIN outgoing_mail o ON o.attachment_id = a.id WHERE o.kind = 'visa_letter'`); n != 0 {
		t.Error("erasure left the visa letter in the mail log")
	}
	if _, err := e.App.DB.Exec(`UPDATE meetings SET starts_at = now() - interval '20 days', ends_at = now() - interval '19 days' WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Privacy.ApplyRetention(context.Background(), auth.SystemActor("worker"), 24, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM visa_requests`); n != 0 {
		t.Errorf("%d visa requests left after the retention job", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = 'privacy.visa_retention'`); n != 1 {
		t.Errorf("the retention job left %d audit entries", n)
	}
}

// From the manage page, in French: a wrong passport number is refused on
// its field, the form keeps what was typed; a right one sends the request,
// which the page then shows as awaiting approval, and once approved as
// approved, without the form.
func TestVisaLetterFromTheManagePage(t *testing.T) {
	e := apptest.Start(t)
	m, regs := doorMeeting(t, e, "Visa page plenary")
	token := manageToken(regs["Ștefan"].ManageURL)
	page := "/registrations/manage/" + token + "?lang=fr"
	p := signInHTTP(t, e, "")
	_, html := p.get(page)
	if !strings.Contains(html, `id="visa-form"`) || !strings.Contains(html, "appui pour un visa") {
		t.Fatal("the manage page has no visa form")
	}
	v := url.Values{"passport_number": {"?"}, "nationality": {"roumaine"}, "date_of_birth": {"1979-05-04"},
		"passport_expires": {m.EndsAt.AddDate(1, 0, 0).Format(time.DateOnly)}}
	code, body := p.post("/registrations/manage/"+token+"/visa?lang=fr", html, v)
	if code != 422 || !strings.Contains(body, "doit être le numéro du passeport") || !strings.Contains(body, `value="roumaine"`) {
		t.Errorf("wrong passport number: %d", code)
	}
	v.Set("passport_number", "05123456")
	if code, _ := p.post("/registrations/manage/"+token+"/visa?lang=fr", html, v); code != 303 {
		t.Fatalf("request: %d", code)
	}
	_, html = p.get(page)
	if !strings.Contains(html, "approbation du secrétariat") || !strings.Contains(html, `id="visa-form"`) {
		t.Errorf("after the request, the page does not say it waits")
	}
	// The secretariat approves from its page (the letter is emailed:
	// withheld here, with no SMTP server).
	sec := signInHTTP(t, e, "secretariat@example.org")
	visaPage := fmt.Sprintf("/secretariat/meetings/%d/visa?lang=fr", m.ID)
	code, secHTML := sec.get(visaPage)
	if code != 200 || !strings.Contains(secHTML, "05123456") || !strings.Contains(secHTML, "roumaine") || !strings.Contains(secHTML, "Roumanie") {
		t.Fatalf("the secretariat's visa page: %d", code)
	}
	if code, _ := sec.post(fmt.Sprintf("/secretariat/meetings/%d/visa/%d/approve?lang=fr", m.ID, regs["Ștefan"].ID), secHTML, url.Values{}); code != 303 {
		t.Fatalf("approval from the page: %d", code)
	}
	if _, secHTML = sec.get(visaPage); !strings.Contains(secHTML, "approuvée et envoyée le") || strings.Contains(secHTML, "visa/"+fmt.Sprint(regs["Ștefan"].ID)+"/approve") {
		t.Errorf("after approval, the secretariat's page does not say so")
	}
	if code, _ := signInHTTP(t, e, "fp.fr@example.org").get(visaPage); code == 200 {
		t.Error("a focal point reads the visa page")
	}
	_, html = p.get(page)
	if !strings.Contains(html, "la lettre vous a été envoyée par courriel") || strings.Contains(html, `id="visa-form"`) {
		t.Errorf("after approval, the page does not say so, or still offers the form")
	}
	if n := dbCount(t, e, `SELECT count(*) FROM outgoing_mail WHERE kind = 'visa_letter' AND attachment_id IS NOT NULL`); n != 1 {
		t.Errorf("%d visa letter emails with their letter, want 1", n)
	}
}
