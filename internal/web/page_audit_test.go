package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
)

// The pages that once left no audit entry (the roster, accounts, the
// password reset, the mail log's resend) leave one, naming who did it:
// read back from the trail itself.
func TestPageActionsAreAudited(t *testing.T) {
	e := apptest.Start(t)
	ctx := context.Background()
	admin := signInHTTP(t, e, "admin@example.org")
	do := func(c *pageClient, page, action string, v url.Values) {
		t.Helper()
		_, html := c.get(page)
		if code, body := c.post(action, html, v); code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %.300s", action, code, body)
		}
	}
	do(admin, "/admin/states/MT", "/admin/states/MT", url.Values{"name_en": {"Malta"}, "name_fr": {"Malte"}, "status": {"partner"}})
	do(admin, "/admin/organisations", "/admin/organisations", url.Values{"code": {"EMCDDA-OLD"}, "name_en": {"Old agency"},
		"name_fr": {"Ancienne agence"}, "kind": {"international"}, "status": {"inactive"}})
	do(admin, "/admin/organisations/EMCDDA-OLD", "/admin/organisations/EMCDDA-OLD", url.Values{"name_en": {"Old agency"},
		"name_fr": {"Ancienne agence"}, "kind": {"other"}, "status": {"inactive"}})
	do(admin, "/admin/users", "/admin/users", url.Values{"email": {"new.person@example.org"}, "name": {"New Person"},
		"role": {"secretariat"}, "language": {"en"}, "password": {testPassword}})
	var uid int64
	if err := e.App.DB.Get(&uid, `SELECT id FROM users WHERE email = 'new.person@example.org'`); err != nil {
		t.Fatal(err)
	}
	userPage := fmt.Sprintf("/admin/users/%d", uid)
	do(admin, userPage, userPage, url.Values{"role": {"focal_point"}, "state": {"DE"}, "language": {"fr"}})

	secret, _, _, err := e.App.Auth.StartReset(ctx, "new.person@example.org")
	if err != nil {
		t.Fatal(err)
	}
	do(signInHTTP(t, e, ""), "/password/reset/"+secret, "/password/reset/"+secret,
		url.Values{"password": {"another long passphrase"}, "confirm": {"another long passphrase"}})
	do(admin, userPage, userPage+"/delete", url.Values{})

	if err := e.App.Accounts.RequestReset(ctx, "secretariat@example.org"); err != nil {
		t.Fatal(err)
	}
	var mailID int64
	if err := e.App.DB.Get(&mailID, `UPDATE outgoing_mail SET status = 'failed', last_error = '550 no such mailbox'
		WHERE kind = 'password_reset' RETURNING id`); err != nil {
		t.Fatal(err)
	}
	do(signInHTTP(t, e, "secretariat@example.org"), "/secretariat/mail", fmt.Sprintf("/secretariat/mail/%d/resend", mailID), url.Values{})

	var trail []string
	if err := e.App.DB.Select(&trail, `SELECT actor || ' ' || coalesce(user_id, 0) || ' ' || action || ' ' || subject_type || ' ' || coalesce(subject_id, 0)
		FROM audit_log WHERE actor <> 'system' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	adminID, secID := e.Users["admin"].ID, e.Users["secretariat"].ID
	want := []string{
		fmt.Sprintf("user %d state.update state 0", adminID),
		fmt.Sprintf("user %d organisation.create organisation 0", adminID),
		fmt.Sprintf("user %d organisation.update organisation 0", adminID),
		fmt.Sprintf("user %d user.create user %d", adminID, uid),
		fmt.Sprintf("user %d user.update user %d", adminID, uid),
		fmt.Sprintf("link 0 user.password_reset user %d", uid),
		fmt.Sprintf("user %d user.delete user %d", adminID, uid),
		fmt.Sprintf("user %d mail.resend mail %d", secID, mailID),
	}
	if !slices.Equal(trail, want) {
		t.Errorf("audit trail of the pages:\n got %q\nwant %q", trail, want)
	}
}
