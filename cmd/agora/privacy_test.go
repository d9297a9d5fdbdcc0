package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/testdb"
)

func TestPrivacyCommands(t *testing.T) {
	db, dsn := testdb.New(t)
	env := []string{"DATABASE_URL=" + dsn, "AGORA_LOG_LEVEL=warn"}
	r := agora(t, env, "a long enough passphrase\n", "user", "add", "--email", "erase.me@example.org", "--name", "Erika Mustermann",
		"--role", "secretariat", "--password-stdin")
	if r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	if r = agora(t, env, "a long enough passphrase\n", "user", "add", "--email", "root@example.org", "--name", "Root",
		"--role", "admin", "--password-stdin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	r = agora(t, env, "", "privacy", "erase", "--email", "root@example.org", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "last administrator") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("erasing the last admin: %+v", r)
	}

	r = agora(t, env, "", "privacy", "export", "--email", "Erase.Me@EXAMPLE.org")
	var report struct {
		Accounts []struct {
			Name string `json:"name"`
		} `json:"accounts"`
		Registrations []any `json:"registrations"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &report) != nil || len(report.Accounts) != 1 ||
		report.Accounts[0].Name != "Erika Mustermann" || report.Registrations == nil {
		t.Fatalf("export: %+v", r)
	}

	if r = agora(t, env, "", "privacy", "erase", "--email", "erase.me@example.org"); r.code != 2 || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("erase without --yes: %+v", r)
	}
	if r = agora(t, env, "", "privacy", "erase", "--yes"); r.code != 2 || !strings.Contains(r.stderr, "--email") {
		t.Errorf("erase without an address: %+v", r)
	}
	r = agora(t, env, "", "privacy", "erase", "--email", "ERASE.ME@example.org", "--yes")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "account deleted") {
		t.Errorf("erase: %+v", r)
	}
	if r = agora(t, env, "", "privacy", "export", "--email", "erase.me@example.org"); r.code != 0 || strings.Contains(r.stdout, "Erika") {
		t.Errorf("export after erasure: %+v", r)
	}
	if r = agora(t, env, "", "mail", "release"); r.code == 0 {
		t.Errorf("mail release with no SMTP server: %+v", r)
	}
	if r = agora(t, env, "", "mail", "release", "--smtp-url-ignored"); r.code == 0 {
		t.Errorf("mail release with an argument: %+v", r)
	}
	smtpEnv := append([]string{"AGORA_SMTP_URL=smtp://127.0.0.1:1"}, env...)
	if r = agora(t, smtpEnv, "", "mail", "release"); r.code != 0 || !strings.HasPrefix(r.stdout, "0 withheld email(s) queued") {
		t.Errorf("mail release: %+v", r)
	}
	// What the operator did is in the audit trail, as system entries
	// marked "cli"; the refused erasure and the refused releases are not.
	var trail []string
	if err := db.Select(&trail, `SELECT actor || ' ' || action || ' ' || coalesce(details->>'via', '-')
		FROM audit_log WHERE action NOT LIKE 'user.%' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"system privacy.export cli", "system privacy.erase cli", "system privacy.export cli", "system mail.release cli"}
	if strings.Join(trail, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit trail of the commands:\n%q\nwant\n%q", trail, want)
	}

	if r = agora(t, env, "", "privacy", "retention"); r.code != 0 || !strings.HasPrefix(r.stdout, "0 registration(s) anonymised") {
		t.Errorf("retention: %+v", r)
	}
	if r = agora(t, env, "", "privacy", "retention", "--months", "0"); r.code != 2 {
		t.Errorf("retention with 0 months: %+v", r)
	}
	if r = agora(t, env, "", "privacy", "forget"); r.code != 2 {
		t.Errorf("unknown privacy command: %+v", r)
	}
}
