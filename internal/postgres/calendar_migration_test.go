package postgres_test

import (
	"context"
	"testing"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

// Migration 00037 turns the stored calendars into text, the same
// characters, and drops from its row a calendar that is not UTF-8 (with
// its method) instead of failing; going back down gives the bytes back.
func TestCalendarTextMigration(t *testing.T) {
	ctx := context.Background()
	db, _ := testdb.New(t)
	if err := postgres.MigrateDownTo(ctx, db, 36); err != nil {
		t.Fatal(err)
	}
	cal := "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Réunion plénière · Łódź\r\nEND:VCALENDAR\r\n"
	insert := `INSERT INTO outgoing_mail (kind, to_address, language, subject, text_body, html_body,
		calendar, calendar_method, dedupe_key, message_id, status)
		VALUES ('invitation', 'a@example.org', 'fr', 's', 't', 'h', $1, $2, $3, $3, 'sent')`
	db.MustExec(insert, []byte(cal), "REQUEST", "good")
	db.MustExec(insert, []byte("BEGIN:VCALENDAR\r\nX:\xff\r\n"), "REQUEST", "latin1")
	db.MustExec(insert, []byte("BEGIN:VCALENDAR\r\nX:\x00\r\n"), "PUBLISH", "nul")
	db.MustExec(insert, nil, nil, "none")
	if _, err := postgres.MigrateUp(ctx, db); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Calendar *string `db:"calendar"`
		Method   *string `db:"calendar_method"`
	}
	get := func(key string) row {
		var r row
		if err := db.Get(&r, `SELECT calendar, calendar_method FROM outgoing_mail WHERE dedupe_key = $1`, key); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := get("good"); r.Calendar == nil || *r.Calendar != cal || r.Method == nil || *r.Method != "REQUEST" {
		t.Errorf("a calendar after the migration: %+v, want %q", r, cal)
	}
	for _, key := range []string{"latin1", "nul", "none"} {
		if r := get(key); r.Calendar != nil || r.Method != nil {
			t.Errorf("%s: %+v after the migration, want neither calendar nor method", key, r)
		}
	}
	var kind string
	if err := db.Get(&kind, `SELECT data_type FROM information_schema.columns
		WHERE table_name = 'outgoing_mail' AND column_name = 'calendar'`); err != nil || kind != "text" {
		t.Errorf("calendar is %q (%v), want text", kind, err)
	}

	if err := postgres.MigrateDownTo(ctx, db, 36); err != nil {
		t.Fatal(err)
	}
	var back []byte
	if err := db.Get(&back, `SELECT calendar FROM outgoing_mail WHERE dedupe_key = 'good'`); err != nil || string(back) != cal {
		t.Errorf("the calendar after going back: %q (%v), want %q", back, err, cal)
	}
}
