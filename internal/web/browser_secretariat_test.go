package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/browsertest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/testmail"
)

// secPage drives the secretariat's pages in one browser tab.
type secPage struct {
	*browsertest.Browser
	t    *testing.T
	base string
}

// open loads a page of Agora and waits until it is there.
func (p secPage) open(path string) {
	p.t.Helper()
	p.Do(chromedp.Navigate(p.base+path), chromedp.WaitReady(chromedp.CSS("main")))
	p.checkPage()
}

// checkPage finds what a screen reader would stumble on: an input without
// a label, or an id used twice.
func (p secPage) checkPage() {
	p.t.Helper()
	if bad := p.eval(`[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
		.filter(i => !i.labels.length && !i.getAttribute("aria-label")).map(i => i.name).join(" ")`); bad != "" {
		p.t.Errorf("%s: inputs without a label: %s", p.Location(), bad)
	}
	if dup := p.eval(`(() => { const seen = {}; return [...document.querySelectorAll("[id]")].map(e => e.id)
		.filter(id => seen[id] ? true : (seen[id] = true, false)).join(" ") })()`); dup != "" {
		p.t.Errorf("%s: ids used twice: %s", p.Location(), dup)
	}
}

// submit clicks a button (or link) that loads a new page, and waits for
// that page, not the old one.
func (p secPage) submit(sel string) {
	p.t.Helper()
	p.eval(`document.documentElement.dataset.old = "1"`)
	p.Do(chromedp.Click(chromedp.CSS(sel)))
	// The old document goes away while we ask, so a failed question is
	// asked again.
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
	p.t.Fatalf("no new page after clicking %s", sel)
}

// eval runs JavaScript in the page and returns its result as a string.
func (p secPage) eval(js string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return fmt.Sprint(v)
}

// text is the visible text of the first element matching sel ("" when none).
func (p secPage) text(sel string) string {
	p.t.Helper()
	return p.eval(`(document.querySelector(` + jsQuote(sel) + `) || {innerText: ""}).innerText`)
}

// choose selects the option of a <select> whose text contains label.
func (p secPage) choose(sel, label string) {
	p.t.Helper()
	got := p.eval(`(() => { const s = document.querySelector(` + jsQuote(sel) + `);
		for (const o of s.options) if (o.text.includes(` + jsQuote(label) + `)) { s.value = o.value; return o.value }
		return "" })()`)
	if got == "" {
		p.t.Fatalf("%s has no option %q", sel, label)
	}
}

func jsQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

func (p secPage) mustSee(sel string, words ...string) {
	p.t.Helper()
	got := p.text(sel)
	for _, w := range words {
		if !strings.Contains(got, w) {
			p.t.Errorf("%s does not show %q; it reads:\n%s", sel, w, got)
		}
	}
}

// TestSecretariatFlowInTheBrowser follows the secretariat through one
// meeting: sign in, create the meeting (after a form error), build the
// agenda, publish, preview and send the invitations, approve a delegate
// who registered through the invitation link, and export the list.
func TestSecretariatFlowInTheBrowser(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	ctx := context.Background()
	clerk, err := e.App.Auth.CreateUser(ctx, auth.NewUser{Email: "claire.clerk@coe.example", Name: "Claire Clerk",
		Role: auth.RoleSecretariat, Language: "en", Password: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	sec := auth.Actor{User: &clerk}
	for code, fp := range map[string]invitation.NewFocalPoint{
		"FR": {Name: "Françoise Point", Email: "francoise.point@interieur.gouv.example", Language: "fr"},
		"MT": {Name: "Mario Borg", Email: "mario.borg@gov.mt.example", Language: "en"},
	} {
		if _, err := e.App.FocalPoints.Add(ctx, sec, code, fp); err != nil {
			t.Fatal(err)
		}
	}
	p := secPage{Browser: browsertest.New(t), t: t, base: e.URL}

	// Sign in: the secretariat lands on its dashboard.
	p.open("/login?lang=en")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-email"), "claire.clerk@coe.example"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "a long enough passphrase"))
	p.submit("form[action='/login'] button[type=submit]")
	p.mustSee("h1", "Secretariat dashboard")
	p.Screenshot("secretariat-dashboard-empty")

	// A meeting, after a form error that keeps what was typed.
	p.submit("a.button[href='/secretariat/meetings/new']")
	start := time.Now().AddDate(0, 0, 30)
	day := start.Format("2006-01-02")
	p.Do(
		chromedp.SendKeys(chromedp.CSS("#f-title_en"), "Expert group on drug checking"),
		chromedp.SetValue(chromedp.CSS("#f-starts_at"), day+"T09:30"),
		chromedp.SetValue(chromedp.CSS("#f-ends_at"), day+"T08:00"),
	)
	p.submit("#save")
	if got := p.text("#e-ends_at"); !strings.Contains(got, "must be after “Start”") {
		t.Errorf("end before start: error %q", got)
	}
	if attrs := p.Attributes("#f-ends_at"); attrs["aria-invalid"] != "true" || !strings.Contains(attrs["aria-describedby"], "e-ends_at") {
		t.Errorf("the end input is not tied to its error: %v", attrs)
	}
	if p.Value("#f-title_en") != "Expert group on drug checking" || p.Value("#f-starts_at") != day+"T09:30" {
		t.Errorf("typed values lost: %q %q", p.Value("#f-title_en"), p.Value("#f-starts_at"))
	}
	p.mustSee(".sec-summary", "End")
	p.Screenshot("secretariat-editor-error")
	p.Do(
		chromedp.SendKeys(chromedp.CSS("#f-description_en"), "Second meeting of the group."),
		chromedp.SendKeys(chromedp.CSS("#f-description_fr"), "Deuxième réunion du groupe."),
		chromedp.SetValue(chromedp.CSS("#f-kind"), "expert_group"),
		chromedp.SetValue(chromedp.CSS("#f-ends_at"), start.AddDate(0, 0, 1).Format("2006-01-02")+"T17:00"),
		chromedp.SendKeys(chromedp.CSS("#f-venue_en"), "Agora building, Strasbourg"),
		chromedp.SetValue(chromedp.CSS("#f-funded_seats_per_state"), "1"),
		chromedp.Click(chromedp.CSS("#f-requires_approval")),
		chromedp.Click(chromedp.CSS("input[name=audience][value=custom]")),
		chromedp.Click(chromedp.CSS("#invited_states-FR")),
		chromedp.Click(chromedp.CSS("#invited_states-MT")),
	)
	// Publishing needs the French title: the draft is saved, the title asked for.
	p.submit("#save-publish")
	p.mustSee(".sec-problem", "saved as a draft, but not published")
	p.mustSee("#e-title_fr", "is required to publish")
	p.Screenshot("secretariat-editor-not-published")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-title_fr"), "Groupe d'experts sur l'analyse de drogues"))
	p.submit("#save")
	p.mustSee(".flash", "The meeting is saved.")
	p.mustSee("#meeting-status", "Draft")
	p.mustSee(".sec-head .meta", "09:30", "17:00", "(Europe/Paris)")
	meetingPath := strings.TrimPrefix(p.Location(), e.URL)

	// The agenda: two items and a sub-item, then the second moved up.
	p.open(meetingPath + "/agenda")
	addItem := func(en, fr, speakers, parent string) {
		t.Helper()
		p.Do(chromedp.SendKeys(chromedp.CSS("#f-title_en"), en), chromedp.SendKeys(chromedp.CSS("#f-title_fr"), fr))
		if speakers != "" {
			p.Do(chromedp.SendKeys(chromedp.CSS("#f-speakers"), speakers))
		}
		if parent != "" {
			p.choose("#f-parent_id", parent)
		}
		p.submit("#item-submit")
		p.mustSee(".flash", "added to the agenda")
	}
	addItem("Opening of the meeting", "Ouverture de la réunion", "", "")
	addItem("Adoption of the agenda", "Adoption de l'ordre du jour", "Élise Müller — Chair\nJan Novák", "")
	addItem("Welcome by the host", "Accueil par l'hôte", "", "Opening of the meeting")
	numbers := p.eval(`[...document.querySelectorAll("ol.sec-agenda li")].map(li => li.querySelector(".number").innerText + " " + li.querySelector("[lang=en]").innerText).join(" | ")`)
	if numbers != "1 Opening of the meeting | 1.1 Welcome by the host | 2 Adoption of the agenda" {
		t.Errorf("agenda as shown: %s", numbers)
	}
	p.mustSee("ol.sec-agenda", "Élise Müller (Chair); Jan Novák")
	p.submit(`button[aria-label="Move item 2 up"]`)
	numbers = p.eval(`[...document.querySelectorAll("ol.sec-agenda li .number")].map(n => n.parentElement.querySelector("[lang=en]").innerText).join(" | ")`)
	if numbers != "Adoption of the agenda | Opening of the meeting | Welcome by the host" {
		t.Errorf("after moving item 2 up: %s", numbers)
	}
	p.Screenshot("secretariat-agenda")

	// Editing an item: a time outside the meeting is refused next to the
	// field, and what was typed stays.
	p.submit(`a[aria-label="Edit item 2.1"]`)
	p.Do(chromedp.SetValue(chromedp.CSS("#f-starts_at"), start.AddDate(0, 0, -1).Format("2006-01-02")+"T10:00"),
		chromedp.SetValue(chromedp.CSS("#f-title_en"), "Welcome by the host city"))
	p.submit("#item-submit")
	p.mustSee("#e-starts_at", "must fall within the meeting's dates")
	if p.Value("#f-title_en") != "Welcome by the host city" {
		t.Errorf("the edited title was lost: %q", p.Value("#f-title_en"))
	}
	p.Do(chromedp.SetValue(chromedp.CSS("#f-starts_at"), day+"T10:00"), chromedp.SetValue(chromedp.CSS("#f-ends_at"), day+"T10:15"))
	p.submit("#item-submit")
	p.mustSee(".flash", "The agenda item is saved.")
	p.mustSee("ol.sec-agenda", "Welcome by the host city", "10:00 – 10:15")

	// Publish from the overview.
	p.open(meetingPath)
	p.submit("#publish")
	p.mustSee(".flash", "The meeting is published.")
	p.mustSee("#meeting-status", "Registration open")
	p.Screenshot("secretariat-overview")

	// Invitations: the recipients are counted and the email previewed in
	// both languages before anything is sent.
	p.open(meetingPath + "/invitations")
	p.mustSee("#recipient-count", "Emails to send: 2, to the focal points of 2 state(s).")
	p.mustSee("#preview-en .subject", "Invitation: Expert group on drug checking")
	p.mustSee("#preview-fr .subject", "Invitation : Groupe d'experts sur l'analyse de drogues")
	p.mustSee("#preview-en pre", "is invited to the following meeting")
	p.mustSee("#preview-fr pre", "Groupe d'experts sur l'analyse de drogues")
	p.Screenshot("secretariat-invitations-preview")
	p.submit("#send-invitations")
	p.mustSee(".flash", "States newly invited: 2; emails queued: 2.")
	if _, err := mp.WaitCount(2, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ := mp.Messages()
	subjects := map[string]string{}
	for _, m := range msgs {
		subjects[m.To[0].Address] = m.Subject
	}
	if !strings.HasPrefix(subjects["francoise.point@interieur.gouv.example"], "Invitation : Groupe d'experts") ||
		!strings.HasPrefix(subjects["mario.borg@gov.mt.example"], "Invitation: Expert group") {
		t.Errorf("invitations received: %v", subjects)
	}
	for i := 0; i < 50 && !strings.Contains(p.text("#queue"), "Sent: 2"); i++ {
		time.Sleep(200 * time.Millisecond)
		p.open(meetingPath + "/invitations")
	}
	p.mustSee("#queue", "Sent: 2")
	p.mustSee("#invitations", "France", "Malta")
	p.Screenshot("secretariat-invitations-sent")

	// The same page in French, with the formatted email opened.
	p.open(meetingPath + "/invitations?lang=fr")
	p.mustSee("#recipient-count", "Rien à envoyer")
	p.mustSee("#queue", "Envoyé : 2")
	p.Do(chromedp.Click(chromedp.CSS("#preview-fr details summary")), chromedp.WaitVisible(chromedp.CSS("#preview-fr iframe")))
	if attrs := p.Attributes("#preview-fr iframe"); attrs["sandbox"] != "" {
		t.Errorf("the email preview runs unsandboxed: %v", attrs)
	}
	p.Screenshot("secretariat-invitations-fr")
	p.open(meetingPath + "/invitations?lang=en")

	// A delegate registers through France's link; the meeting needs approval.
	var invs struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", "/api/v1"+strings.TrimPrefix(meetingPath, "/secretariat")+"/invitations", "secretariat", nil, 200, &invs)
	token := ""
	for _, inv := range invs.Invitations {
		if inv.State == "FR" {
			token = inv.RegistrationURL[strings.LastIndex(inv.RegistrationURL, "/")+1:]
		}
	}
	var reg struct {
		Status string `json:"status"`
	}
	e.JSON("POST", "/api/v1"+strings.TrimPrefix(meetingPath, "/secretariat")+"/registrations", "", map[string]any{
		"invitation_token": token, "first_name": "Élodie", "last_name": "Durand-Müller",
		"email": "elodie.durand@interieur.gouv.example", "function": "Cheffe de bureau", "delegation_role": "delegate",
		"language": "fr", "list_consent": true,
	}, 201, &reg)
	if reg.Status != "pending" {
		t.Fatalf("registration status %q, want pending", reg.Status)
	}

	// Approve it on the registrations page, filtered to what waits.
	p.open(meetingPath + "/registrations")
	p.Do(chromedp.SetValue(chromedp.CSS("#filter-status"), "pending"))
	p.submit(".sec-filters button[type=submit]")
	p.mustSee("table.sec-registrations", "Élodie Durand-Müller", "France", "Pending approval")
	p.Screenshot("secretariat-registrations-pending")
	p.submit(`button[aria-label="Approve Élodie Durand-Müller"]`)
	p.mustSee(".flash", "Élodie Durand-Müller: confirmed.")
	if !strings.Contains(p.Location(), "status=pending") {
		t.Errorf("the table lost its filter: %s", p.Location())
	}
	p.open(meetingPath + "/registrations")
	p.mustSee("table.sec-registrations", "Élodie Durand-Müller", "Confirmed")
	p.mustSee("table.sec-counts tfoot", "Total")

	// The export link gives the list with that person, in the page's language.
	exported := p.eval(`fetch(document.querySelector("a.export-csv").href).then(r => r.text().then(body => r.status + "\n" + body))`)
	if !strings.HasPrefix(exported, "200\n") || !strings.Contains(exported, "Durand-Müller") || !strings.Contains(exported, "elodie.durand@interieur.gouv.example") {
		t.Errorf("CSV export:\n%s", exported)
	}
	p.Screenshot("secretariat-registrations")

	// The same page in French: filters and states in French protocol order.
	p.open(meetingPath + "/registrations?lang=fr")
	p.mustSee("h2#people-title", "Participants")
	p.mustSee("table.sec-registrations", "Confirmée")
	p.mustSee("#attendance-title", "Participation par État")
	p.Screenshot("secretariat-registrations-fr")

	// The mail log shows what went out.
	p.open("/secretariat/mail?lang=en&meeting=" + meetingPath[strings.LastIndex(meetingPath, "/")+1:])
	p.mustSee("table.sec-mail", "Invitation: Expert group on drug checking", "mario.borg@gov.mt.example")
	// A failed email is highlighted with its error, and sent again.
	if _, err := e.App.DB.ExecContext(ctx, `UPDATE outgoing_mail SET status = 'failed', attempts = 5,
		last_error = '550 5.1.1 <mario.borg@gov.mt.example>: mailbox unavailable' WHERE to_address = 'mario.borg@gov.mt.example'`); err != nil {
		t.Fatal(err)
	}
	before, _ := mp.Count()
	p.open("/secretariat/mail?lang=en&status=failed")
	p.mustSee("tr.mail-failed", "mario.borg@gov.mt.example", "Failed", "550 5.1.1")
	p.Screenshot("secretariat-mail-failed")
	p.submit(`button[aria-label="Send the email to mario.borg@gov.mt.example again"]`)
	p.mustSee(".flash", "The email to mario.borg@gov.mt.example is queued again.")
	if !strings.Contains(p.Location(), "status=failed") {
		t.Errorf("the log lost its filter: %s", p.Location())
	}
	if _, err := mp.WaitCount(before+1, 20*time.Second); err != nil {
		t.Errorf("the resent email did not arrive: %v", err)
	}
	p.open("/secretariat/mail?lang=en&meeting=" + meetingPath[strings.LastIndex(meetingPath, "/")+1:])
	p.Screenshot("secretariat-mail")

	// The dashboard counts per state.
	p.open("/secretariat")
	p.mustSee(".sec-totals", "States invited: 2", "registered: 1", "confirmed: 1")
	p.mustSee("table.sec-counts", "France", "Malta")
	p.Screenshot("secretariat-dashboard")
	p.open(meetingPath + "/edit?lang=fr")
	p.mustSee("label[for=f-title_fr]", "Titre en français")
	if p.Value("#f-title_fr") != "Groupe d'experts sur l'analyse de drogues" {
		t.Errorf("the French editor shows the title %q", p.Value("#f-title_fr"))
	}
	p.Screenshot("secretariat-editor-fr")

	// Cancelling needs a reason, which the page asks for next to the field.
	p.open(meetingPath + "?lang=en")
	p.submit(".sec-danger button.danger")
	p.mustSee("#e-reason_en", "is required")
	p.Do(chromedp.SendKeys(chromedp.CSS("#f-reason_en"), "The venue is unavailable."))
	p.submit(".sec-danger button.danger")
	p.mustSee(".flash", "The meeting is cancelled")
	p.mustSee("#meeting-status", "Cancelled")
	p.submit(".sec-lifecycle form[action$='/archive'] button")
	p.mustSee("#meeting-status", "Archived")
}

// TestSecretariatPagesInBothLanguages opens every secretariat page, in
// English and French, as the secretariat (every message translated), as a
// visitor (sent to sign in) and as a focal point (not found).
func TestSecretariatPagesInBothLanguages(t *testing.T) {
	e := apptest.Start(t)
	m := publishedMeeting(t, e, false)
	base := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", base+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Élodie",
		"last_name": "Durand", "email": "elodie.durand@example.org", "delegation_role": "head", "language": "fr"}, 201, nil)
	var agenda struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	e.JSON("GET", base+"/agenda", "secretariat", nil, 200, &agenda)
	page := fmt.Sprintf("/secretariat/meetings/%d", m.ID)
	paths := map[string]int{
		"/secretariat": 200, "/secretariat/meetings/new": 200, page: 200, page + "/edit": 200, page + "/agenda": 200,
		fmt.Sprintf("%s/agenda?edit=%d", page, agenda.Items[0].ID): 200, page + "/invitations": 200,
		page + "/invitations?who=chosen&states=FR&states=DE": 200, page + "/registrations": 200,
		page + "/registrations?status=nonsense": 422, page + "/history": 200, "/secretariat/mail": 200,
		"/secretariat/mail?status=nonsense": 422, "/secretariat/archive": 200,
	}
	untranslated := regexp.MustCompile(`\bsec\.[a-z_]+(\.[a-z_]+)?\b`)
	for path, want := range paths {
		for _, lang := range []string{"en", "fr"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			code, body, _ := getPage(t, e, path+sep+"lang="+lang, "Authorization", "Bearer "+e.Tokens["secretariat"])
			if code != want {
				t.Errorf("%s in %s: status %d, want %d", path, lang, code, want)
				continue
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s: not in %s", path, lang)
			}
			if id := untranslated.FindString(body); id != "" {
				t.Errorf("%s in %s shows the message id %q", path, lang, id)
			}
		}
		code, _, _ := getPage(t, e, path, "Authorization", "Bearer "+e.Tokens["fp_FR"])
		if code != 404 {
			t.Errorf("%s for a focal point: %d, want 404", path, code)
		}
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(e.URL + page + "/registrations")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("a visitor gets %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, fr, _ := getPage(t, e, page+"/registrations?lang=fr", "Authorization", "Bearer "+e.Tokens["secretariat"])
	inOrder(t, fr, ">Albanie<", ">Allemagne<", ">Andorre<") // the state filter, in French protocol order
}
