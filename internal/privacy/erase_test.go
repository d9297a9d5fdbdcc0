package privacy_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/privacy"
)

func TestEraseLeavesNoTraceAndKeepsStatistics(t *testing.T) {
	f := setup(t)
	before := f.statistics()
	report, err := f.svc.Export(f.ctx, auth.SystemActor("test"), ysoldeMail)
	if err != nil {
		t.Fatal(err)
	}
	mails := f.count(`SELECT count(*) FROM outgoing_mail`)
	if found := f.tracesOf(traces...); len(found) == 0 {
		t.Fatal("the scan finds nothing before erasure: it cannot prove anything after")
	}

	sum, err := f.svc.Erase(f.ctx, auth.SystemActor("test"), "  Ysolde.Brennecke@EXAMPLE.org")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %s", sum)
	want := privacy.Summary{Registrations: 2, Emails: len(report.Emails), EmailsAbout: 1, FocalPoints: 1, LoginFailures: 1,
		Speakers: 2, History: sum.History, Account: sum.Account, Tokens: 1, PasswordResets: 1}
	if sum != want || sum.History < 2 || (sum.Account != "deleted" && sum.Account != "anonymised") {
		t.Errorf("summary: %+v (%s)", sum, sum)
	}

	if found := f.tracesOf(traces...); len(found) > 0 {
		t.Errorf("traces left after erasure:\n%s", strings.Join(found, "\n"))
	}
	if after := f.statistics(); !reflect.DeepEqual(after, before) {
		t.Errorf("statistics changed:\nbefore %v\nafter  %v", before, after)
	}
	if n := f.count(`SELECT count(*) FROM outgoing_mail`); n != mails {
		t.Errorf("the mail log lost rows: %d, was %d", n, mails)
	}
	// Sent mail stays sent; mail still waiting is stopped.
	if n := f.count(`SELECT count(*) FROM outgoing_mail WHERE kind = 'meeting_cancelled' AND status = 'sent' AND sent_at IS NOT NULL`); n != 1 {
		t.Errorf("the sent email lost its status")
	}
	if n := f.count(`SELECT count(*) FROM outgoing_mail WHERE subject = '[erased]' AND status IN ('queued', 'withheld', 'retrying', 'sending')`); n != 0 {
		t.Errorf("%d erased emails would still be sent", n)
	}

	var a struct {
		Email   string `db:"email"`
		Status  string `db:"status"`
		Funded  bool   `db:"funded"`
		Checked bool   `db:"checked"`
		Done    bool   `db:"done"`
	}
	err = f.db.GetContext(f.ctx, &a, `SELECT email, status, funded, checked_in_at IS NOT NULL AS checked, anonymised_at IS NOT NULL AS done
		FROM registrations WHERE id = $1`, f.regA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Email, "erased-") || !strings.HasSuffix(a.Email, "@invalid") || a.Status != "confirmed" || !a.Funded || !a.Checked || !a.Done {
		t.Errorf("registration at A after erasure: %+v", a)
	}
	token := f.regA.ManageURL[strings.LastIndex(f.regA.ManageURL, "/")+1:]
	if _, _, err := f.e.App.Registrations.ByManageToken(f.ctx, token); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the manage link still opens the registration: %v", err)
	}
	// Others are untouched: Oskar's registration and speaker entry.
	if n := f.count(`SELECT count(*) FROM registrations WHERE id = $1 AND first_name = 'Oskar' AND email = 'oskar@example.org'`, f.oskarA.ID); n != 1 {
		t.Error("Oskar's registration changed")
	}
	if n := f.count(`SELECT count(*) FROM agenda_items WHERE speakers @> '[{"name": "Oskar Lindqvist", "function": "Rapporteur"}]'`); n != 1 {
		t.Error("Oskar's speaker entry changed")
	}

	after, err := f.svc.Export(f.ctx, auth.SystemActor("test"), ysoldeMail)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Accounts)+len(after.FocalPoints)+len(after.Registrations)+len(after.Emails)+len(after.SpeakerMentions)+len(after.LoginFailures) != 0 {
		t.Errorf("export after erasure: %+v", after)
	}
	if again, err := f.svc.Erase(f.ctx, auth.SystemActor("test"), ysoldeMail); err != nil || !again.Empty() {
		t.Errorf("erasing again: %+v, %v", again, err)
	}
	// Last, as a failed sign-in is recorded with the address it tried.
	if _, err := f.e.App.Auth.Login(f.ctx, ysoldeMail, "a long enough passphrase", "192.0.2.8"); err == nil {
		t.Error("she can still sign in")
	}
}

// An account that meetings name as their author is kept, anonymised: the
// history still tells who did what, without saying who that was.
func TestEraseAnonymisesAnAccountHistoryNames(t *testing.T) {
	f := setup(t)
	sum, err := f.svc.Erase(f.ctx, auth.SystemActor("test"), "Secretariat@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Account != "anonymised" || sum.Tokens != 1 {
		t.Fatalf("summary: %+v", sum)
	}
	admin := f.e.Users["admin"]
	history, err := f.e.App.Meetings.History(f.ctx, auth.Actor{User: &admin}, f.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) == 0 || history[0].By == nil || history[0].By.Name != "Erased user" || history[0].By.ID != f.sec.User.ID {
		t.Errorf("history author: %+v", history[0].By)
	}
	if _, err := f.e.App.Auth.Authenticate(f.ctx, f.e.Tokens["secretariat"]); err == nil {
		t.Error("the erased account's API token still works")
	}
	if found := f.tracesOf("sam secretariat", "secretariat@example.org"); len(found) > 0 {
		t.Errorf("traces of the account:\n%s", strings.Join(found, "\n"))
	}
	if _, err := f.e.App.Auth.Login(f.ctx, "secretariat@example.org", "a long enough passphrase", "192.0.2.9"); err == nil {
		t.Error("the erased account can still sign in")
	}
}

func TestEraseRefusesTheLastAdmin(t *testing.T) {
	f := setup(t)
	admin := f.e.Users["admin"]
	if _, err := f.e.App.FocalPoints.Add(f.ctx, f.sec, "DE", invitation.NewFocalPoint{Name: admin.Name, Email: admin.Email, Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.App.Auth.Login(f.ctx, admin.Email, "not the passphrase", "192.0.2.10"); err == nil {
		t.Fatal("a wrong password signed in")
	}
	snapshot := func() [4]int {
		return [4]int{
			f.count(`SELECT count(*) FROM users WHERE role = 'admin' AND email = $1 AND name = $2`, admin.Email, admin.Name),
			f.count(`SELECT count(*) FROM api_tokens WHERE user_id = $1`, admin.ID),
			f.count(`SELECT count(*) FROM focal_points WHERE email = $1`, admin.Email),
			f.count(`SELECT count(*) FROM login_failures WHERE email = $1`, admin.Email),
		}
	}
	before := snapshot()

	_, err := f.svc.Erase(f.ctx, auth.SystemActor("test"), "ADMIN@example.org")
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), "last administrator") {
		t.Fatalf("erasing the last admin: %v", err)
	}
	if after := snapshot(); after != before || before != [4]int{1, 1, 1, 1} {
		t.Errorf("a refused erasure changed something: %v, was %v", after, before)
	}
	if _, err := f.e.App.Auth.Authenticate(f.ctx, f.e.Tokens["admin"]); err != nil {
		t.Errorf("the admin's token stopped working: %v", err)
	}

	// With a second admin, the first may go, and leaves one admin.
	if _, err := f.e.App.Auth.CreateUser(f.ctx, auth.NewUser{Email: "second.admin@example.org", Name: "Second Admin",
		Role: auth.RoleAdmin, Language: "en", Password: "a long enough passphrase"}); err != nil {
		t.Fatal(err)
	}
	sum, err := f.svc.Erase(f.ctx, auth.SystemActor("test"), "ADMIN@example.org")
	if err != nil || sum.FocalPoints != 1 || sum.LoginFailures != 1 || sum.Account == "" {
		t.Fatalf("erasing an admin who is not the last: %+v, %v", sum, err)
	}
	if n, err := f.e.App.Auth.CountAdmins(f.ctx); err != nil || n != 1 {
		t.Errorf("admins left: %d, %v", n, err)
	}
}
