package postgres_test

import (
	"context"
	"testing"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/validate"
)

// Migration 00016 brings stored addresses to validate.NormalizeEmail's
// form where that is safe, and leaves twins that would collide alone.
func TestEmailNormalFormMigration(t *testing.T) {
	ctx := context.Background()
	db, _ := testdb.New(t)
	if err := postgres.MigrateDownTo(ctx, db, 15); err != nil {
		t.Fatal(err)
	}
	db.MustExec(`INSERT INTO states (code, name_en, name_fr, status) VALUES ('FR', 'France', 'France', 'member') ON CONFLICT DO NOTHING`)
	users := []string{"ｄｕｐ@example.org", "dup@example.org", "ｔｗｉｎ@example.org", "ｔｗｉｎ＠example.org",
		"d\u200bora@example.org", "ré@example.org", "plain@example.org"}
	for _, e := range users {
		db.MustExec(`INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'x', 'secretariat', 'x')`, e)
	}
	for _, e := range []string{"ｆｐ@example.org", "ｏｎｅ@example.org", "one@example.org"} {
		db.MustExec(`INSERT INTO focal_points (state_code, name, email, language) VALUES ('FR', 'x', $1, 'en')`, e)
	}
	db.MustExec(`INSERT INTO login_failures (email, address) VALUES ('ｇｕｅｓｓ@example.org', '192.0.2.1')`)
	if _, err := postgres.MigrateUp(ctx, db); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ｄｕｐ@example.org":        "ｄｕｐ@example.org", // its normal form is taken by another account
		"dup@example.org":        "dup@example.org",
		"ｔｗｉｎ@example.org":       "ｔｗｉｎ@example.org", // two twins that would become one: both left
		"ｔｗｉｎ＠example.org":       "ｔｗｉｎ＠example.org",
		"d\u200bora@example.org": "dora@example.org",
		"ré@example.org":         "ré@example.org",
		"plain@example.org":      "plain@example.org",
	}
	for i, e := range users {
		var got string
		if err := db.Get(&got, `SELECT email FROM users WHERE id = (SELECT min(id) FROM users) + $1`, i); err != nil {
			t.Fatal(err)
		}
		if got != want[e] {
			t.Errorf("account %q after the migration: %q, want %q", e, got, want[e])
		}
		if got == want[e] && got != e && got != validate.NormalizeEmail(e) {
			t.Errorf("the migration's form of %q, %q, is not the application's %q", e, got, validate.NormalizeEmail(e))
		}
	}
	var fps []string
	if err := db.Select(&fps, `SELECT email FROM focal_points ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(fps) != 3 || fps[0] != "fp@example.org" || fps[1] != "ｏｎｅ@example.org" || fps[2] != "one@example.org" {
		t.Errorf("focal points after the migration: %q", fps)
	}
	var failure string
	if err := db.Get(&failure, `SELECT email FROM login_failures`); err != nil || failure != "guess@example.org" {
		t.Errorf("login failure after the migration: %q %v", failure, err)
	}
}
