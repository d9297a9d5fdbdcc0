package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/browsertest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

const testPassword = "a long enough passphrase"

// delegationMeeting publishes a meeting open for registration that invites
// FR and DE, and returns it with each state's invitation token.
func delegationMeeting(t *testing.T, e *apptest.Env, title string, approval bool) (meeting.Meeting, map[string]string) {
	t.Helper()
	start := time.Now().Add(40 * 24 * time.Hour).Truncate(time.Hour)
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": title, "title_fr": title + " (FR)",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(6 * time.Hour).Format(time.RFC3339),
		"venue": "Strasbourg", "audience": "custom", "invited_states": []string{"FR", "DE"},
		"seats_per_state": 2, "funded_seats_per_state": 1, "requires_approval": approval,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, nil)
	tokens := map[string]string{}
	for _, who := range []string{"fp_FR", "fp_DE"} {
		var invs struct {
			Invitations []invitation.Invitation `json:"invitations"`
		}
		e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), who, nil, 200, &invs)
		link := invs.Invitations[0].RegistrationURL
		tokens[invs.Invitations[0].State] = link[strings.LastIndex(link, "/")+1:]
	}
	return m, tokens
}

// selfRegister registers a person through a state's invitation link.
func selfRegister(t *testing.T, e *apptest.Env, m meeting.Meeting, token, first, last, email string) registration.Result {
	t.Helper()
	var res registration.Result
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "", map[string]any{
		"invitation_token": token, "first_name": first, "last_name": last, "email": email,
		"delegation_role": "delegate", "language": "en",
	}, 201, &res)
	return res
}

// markPage and newPage bracket an action that leaves the page: the second
// waits until the browser shows a new, fully loaded document.
func markPage() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`window.agoraOldPage = true`)(ctx, t)
		return err
	})
}

func newPage() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			fresh, err := chromedp.Evaluate[bool](`window.agoraOldPage !== true && document.readyState === "complete"`)(ctx, t)
			if err == nil && fresh {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// submit clicks sel and waits for the page it leads to.
func submit(b *browsertest.Browser, sel string) {
	b.Do(markPage(), chromedp.Click(chromedp.CSS(sel)), newPage())
}

func signIn(b *browsertest.Browser, base, email, next, lang string) {
	b.Do(
		chromedp.Navigate(base+"/login?lang="+lang+"&next="+url.QueryEscape(next)),
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
	)
	submit(b, "main form button[type=submit]")
}

func TestFocalPointDelegationInTheBrowser(t *testing.T) {
	e := apptest.Start(t)
	open, _ := delegationMeeting(t, e, "Expert group on drug checking", false)
	vetted, tokens := delegationMeeting(t, e, "Expert group on prisons", true)
	own := selfRegister(t, e, vetted, tokens["FR"], "Camille", "Lefèvre", "camille.lefevre@sante.gouv.example")
	other := selfRegister(t, e, vetted, tokens["DE"], "Dietrich", "Geheimnis", "d.geheimnis@bund.example")
	if own.Status != registration.StatusPending || other.Status != registration.StatusPending {
		t.Fatalf("self-registrations should await approval: %s, %s", own.Status, other.Status)
	}
	b := browsertest.New(t)

	// Signing in lands on the state's invitations.
	signIn(b, e.URL, "fp.fr@example.org", "", "fr")
	if !strings.HasSuffix(b.Location(), "/delegation") {
		t.Fatalf("after signing in the focal point is at %s", b.Location())
	}
	for _, m := range []meeting.Meeting{open, vetted} {
		if got := b.Text(fmt.Sprintf("#invitation-%d h2", m.ID)); got != m.TitleFR {
			t.Errorf("invitation title %q, want %q", got, m.TitleFR)
		}
	}
	if link := b.Value(fmt.Sprintf("#link-%d", open.ID)); !strings.Contains(link, "/register/inv_") {
		t.Errorf("registration link to share: %q", link)
	}
	if got := b.Text(fmt.Sprintf("#invitation-%d .seats-left", open.ID)); got != "2 sur 2" {
		t.Errorf("seats left on the invitations page: %q", got)
	}
	b.Screenshot("focal_invitations")

	// Nominate: the seats left go down.
	page := fmt.Sprintf("%s/meetings/%d/delegation", e.URL, open.ID)
	b.Do(chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#nominate")))
	if got := b.Text("#seats .seats-left"); got != "2 sur 2" {
		t.Errorf("seats left before nominating: %q", got)
	}
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Jeanne"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Martin"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "jeanne.martin@"),
		chromedp.Click(chromedp.CSS("input[name=funding_requested]")),
	)
	submit(b, "#nominate button[type=submit]")
	// A mistake comes back next to the field, announced, with what was typed.
	if msg := b.Text("#e-email"); !strings.Contains(msg, "adresse électronique") {
		t.Errorf("email error %q", msg)
	}
	if a := b.Attributes("#f-email"); a["aria-describedby"] != "e-email" || a["aria-invalid"] != "true" {
		t.Errorf("email input attributes %v", a)
	}
	if b.Value("#f-first_name") != "Jeanne" || b.Value("#f-last_name") != "Martin" {
		t.Errorf("typed values lost")
	}
	b.Screenshot("focal_nominate_error")
	b.Do(chromedp.SetValue(chromedp.CSS("#f-email"), "jeanne.martin@interieur.gouv.example"))
	submit(b, "#nominate button[type=submit]")
	if flash := b.Text(".flash"); !strings.Contains(flash, "Jeanne Martin") || !strings.Contains(flash, "confirmé") {
		t.Errorf("after nominating: %q", flash)
	}
	if got := b.Text("#seats .seats-left"); got != "1 sur 2" {
		t.Errorf("seats left after nominating: %q", got)
	}
	if got := b.Text("#seats .funded-left"); got != "0 sur 1" {
		t.Errorf("funded seats left after nominating: %q", got)
	}
	b.Screenshot("focal_delegation_nominated")

	// Replace the confirmed person.
	submit(b, "#people a.replace")
	if !strings.Contains(b.Text("h1"), "Jeanne Martin") {
		t.Fatalf("replace page heading %q", b.Text("h1"))
	}
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Paul"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Durand"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "paul.durand@interieur.gouv.example"),
	)
	b.Screenshot("focal_replace")
	submit(b, "#replace button[type=submit]")
	if flash := b.Text(".flash"); flash != "Paul Durand remplace Jeanne Martin." {
		t.Errorf("after replacing: %q", flash)
	}
	people := b.Text("#people")
	if !strings.Contains(people, "Paul Durand") || !strings.Contains(people, "confirmée") || !strings.Contains(people, "annulée") {
		t.Errorf("people after the replacement:\n%s", people)
	}
	if got := b.Text("#seats .seats-left"); got != "1 sur 2" {
		t.Errorf("seats left after replacing: %q", got)
	}

	// Approve a self-registered delegate; DE's is nowhere to be seen.
	vettedPage := fmt.Sprintf("%s/meetings/%d/delegation", e.URL, vetted.ID)
	b.Do(chromedp.Navigate(vettedPage), chromedp.WaitVisible(chromedp.CSS("#people")))
	if strings.Contains(b.HTML(), "Geheimnis") {
		t.Fatal("the FR delegation page shows a DE registration")
	}
	if got := b.Text(fmt.Sprintf("#reg-%d .status", own.ID)); got != "en attente d'approbation" {
		t.Errorf("status before approval: %q", got)
	}
	b.Screenshot("focal_delegation_pending")
	submit(b, fmt.Sprintf("#reg-%d button.approve", own.ID))
	if got := b.Text(fmt.Sprintf("#reg-%d .status", own.ID)); got != "confirmée" {
		t.Errorf("status after approval: %q (flash %q)", got, b.Text(".flash"))
	}
	b.Screenshot("focal_delegation_approved")

	// Another state's delegation: not found, and not a name of it.
	b.Do(markPage(), chromedp.Navigate(vettedPage+"?state=DE"), newPage())
	if h := b.Text("h1"); h != "Page introuvable" && h != "Not found" {
		t.Errorf("?state=DE for an FR focal point shows %q", h)
	}
	if html := b.HTML(); strings.Contains(html, "Geheimnis") || strings.Contains(html, "Dietrich") {
		t.Error("the refusal leaks a DE name")
	}
	b.Screenshot("focal_other_state_refused")
	// Actions on DE's registration, with a valid CSRF token taken from an FR page.
	for _, action := range []string{"approve", "decline", "cancel", "replace"} {
		b.Do(chromedp.Navigate(vettedPage), chromedp.WaitVisible(chromedp.CSS("#people")))
		forge := fmt.Sprintf(`(() => {
			const f = document.createElement("form");
			f.method = "post";
			f.action = "/meetings/%d/delegation/%d/%s";
			for (const [k, v] of [["csrf_token", document.querySelector("input[name=csrf_token]").value],
			                      ["first_name", "Eve"], ["last_name", "Intruder"], ["email", "eve@example.org"],
			                      ["delegation_role", "delegate"], ["language", "en"]]) {
				const i = document.createElement("input");
				i.type = "hidden"; i.name = k; i.value = v;
				f.appendChild(i);
			}
			document.body.appendChild(f);
			f.submit();
			return true;
		})()`, vetted.ID, other.ID, action)
		b.Do(markPage(), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](forge)(ctx, t)
			return err
		}), newPage())
		if html := b.HTML(); strings.Contains(html, "Geheimnis") || !strings.Contains(b.Text("h1"), "introuvable") {
			t.Errorf("%s on a DE registration: %q", action, b.Text("main"))
		}
	}
	var got registration.Registration
	e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", other.ID), "secretariat", nil, 200, &got)
	if got.Status != registration.StatusPending {
		t.Errorf("the DE registration changed to %s", got.Status)
	}
	var list struct {
		Registrations []registration.Row `json:"registrations"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/registrations?state=FR", vetted.ID), "secretariat", nil, 200, &list)
	for _, r := range list.Registrations {
		if r.Email == "eve@example.org" {
			t.Error("a forged replacement was registered")
		}
	}
}

func TestAdminPagesInTheBrowser(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	b := browsertest.New(t)
	signIn(b, e.URL, "admin@example.org", "/admin/users", "en")

	// Create an account: a mistake first, then right.
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Giulia Rossi"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "giulia.rossi@interno.example"),
		chromedp.SetValue(chromedp.CSS("#f-role"), "focal_point"),
		chromedp.SetValue(chromedp.CSS("#f-state"), "IT"),
		chromedp.Click(chromedp.CSS(`#create-user input[name=language][value=fr]`)),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "too short"),
	)
	submit(b, "#create-user button[type=submit]")
	if msg := b.Text("#e-password"); !strings.Contains(msg, "at least 12") {
		t.Errorf("password error %q", msg)
	}
	if b.Value("#f-name") != "Giulia Rossi" || b.Value("#f-state") != "IT" {
		t.Errorf("typed values lost: %q %q", b.Value("#f-name"), b.Value("#f-state"))
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword))
	submit(b, "#create-user button[type=submit]")
	if flash := b.Text(".flash"); !strings.Contains(flash, "Giulia Rossi") {
		t.Errorf("after creating: %q", flash)
	}
	if users := b.Text("#users"); !strings.Contains(users, "giulia.rossi@interno.example") || !strings.Contains(users, "IT") {
		t.Errorf("accounts after creating:\n%s", users)
	}
	b.Screenshot("admin_users")

	// The last admin cannot be demoted.
	submit(b, fmt.Sprintf(`#user-%d a`, e.Users["admin"].ID))
	b.Do(chromedp.SetValue(chromedp.CSS("#f-role"), "secretariat"))
	submit(b, "#change-user button[type=submit]")
	if msg := b.Text("#change-user .alert"); !strings.Contains(msg, "last administrator") {
		t.Errorf("demoting the last admin: %q", msg)
	}
	b.Screenshot("admin_last_admin")
	if n, _ := e.App.Auth.CountAdmins(context.Background()); n != 1 {
		t.Errorf("%d admins", n)
	}
	// Another account can be deleted.
	giulia, err := e.App.Auth.UserByEmail(context.Background(), "giulia.rossi@interno.example")
	if err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/admin/users/%d", e.URL, giulia.ID)), chromedp.WaitVisible(chromedp.CSS("#delete-user")))
	submit(b, "#delete-user button")
	if strings.Contains(b.Text("#users"), "giulia.rossi") || !strings.Contains(b.Text(".flash"), "Giulia Rossi") {
		t.Errorf("after deleting: %q", b.Text("main"))
	}

	// A state's French name, and the roster in French protocol order.
	b.Do(chromedp.Navigate(e.URL+"/admin/states/DE?lang=fr"), chromedp.WaitVisible(chromedp.CSS("#edit-state")))
	b.Do(chromedp.SetValue(chromedp.CSS("#f-name_fr"), "Émeraude"))
	submit(b, "#edit-state button[type=submit]")
	if flash := b.Text(".flash"); !strings.Contains(flash, "Émeraude") {
		t.Errorf("after saving a state: %q", flash)
	}
	inOrder(t, b.HTML(), ">Danemark<", ">Égypte<", ">Émeraude<", ">Espagne<", ">Estonie<")
	b.Screenshot("admin_states_fr")

	// Focal-point contacts: add, then remove.
	b.Do(chromedp.Navigate(e.URL+"/admin/states/DE/focal-points?lang=en"), chromedp.WaitVisible(chromedp.CSS("#add-focal-point")))
	b.Do(
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Hanna Schmidt"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "hanna.schmidt@bmg.example"),
	)
	submit(b, "#add-focal-point button[type=submit]")
	if got := b.Text("#focal-points"); !strings.Contains(got, "hanna.schmidt@bmg.example") {
		t.Errorf("focal points after adding: %q", got)
	}
	b.Screenshot("admin_focal_points")
	submit(b, "#focal-points button")
	if b.Count("#focal-points") != 0 || !strings.Contains(b.Text(".flash"), "Hanna Schmidt") {
		t.Errorf("after removing: %q", b.Text("main"))
	}

	// The mail check sends a test email and shows the server's verdict.
	b.Do(chromedp.Navigate(e.URL+"/admin/mail"), chromedp.WaitVisible(chromedp.CSS("#mail-check")))
	b.Do(chromedp.SetValue(chromedp.CSS("#f-to"), "postmaster@agora.example"))
	submit(b, "#mail-check button[type=submit]")
	if v := b.Text("#verdict"); !strings.Contains(v, "accepted") {
		t.Errorf("mail check verdict %q; steps %q", v, b.Text("#report"))
	}
	b.Screenshot("admin_mail_check")
	if _, err := mp.WaitCount(1, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, _ := mp.Messages()
	if len(msgs) != 1 || msgs[0].To[0].Address != "postmaster@agora.example" || !strings.HasPrefix(msgs[0].Subject, "Test message") {
		t.Errorf("test email: %+v", msgs)
	}
}
