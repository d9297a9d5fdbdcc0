package demo_test

import (
	"context"
	"testing"

	"github.com/coe-agora/agora/internal/app"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/demo"
)

// The demo, seeded once: experts invited in their own name to the
// plenary, whose funding the secretariat decides, one funding request
// left waiting; and two visa requests on the plenary's visa page, from
// the Moroccan delegation: one approved, its letter (a PDF) in the mail
// log, one waiting for the secretariat.
func TestSeedInvitesGuestsAndAsksForVisaLetters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _ := openApp(t)
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	t.Run("guests", func(t *testing.T) { checkGuests(t, a) })
	t.Run("visa letters", func(t *testing.T) { checkVisaLetters(t, a) })
}

func checkGuests(t *testing.T, a *app.App) {
	ctx := context.Background()
	var got struct {
		Guests     int `db:"guests"`
		Registered int `db:"registered"`
		Waiting    int `db:"waiting"`
	}
	err := a.DB.GetContext(ctx, &got, `
		SELECT (SELECT count(*) FROM guests g JOIN meetings m ON m.id = g.meeting_id WHERE m.funding_decision = 'secretariat') AS guests,
		       (SELECT count(*) FROM registrations WHERE guest_id IS NOT NULL AND status = 'confirmed') AS registered,
		       (SELECT count(*) FROM registrations WHERE guest_id IS NOT NULL AND funding_requested AND NOT funded AND funding_decision IS NULL
		          AND meeting_id IN (SELECT id FROM meetings WHERE funding_decision = 'secretariat')) AS waiting`)
	if err != nil {
		t.Fatal(err)
	}
	if got.Guests != 3 || got.Registered != 2 || got.Waiting != 1 {
		t.Errorf("demo guests: %+v, want 3 invited, 2 registered, 1 funding request waiting", got)
	}
}

func checkVisaLetters(t *testing.T, a *app.App) {
	ctx := context.Background()
	var plenary int64
	if err := a.DB.GetContext(ctx, &plenary, `SELECT id FROM meetings WHERE kind = 'plenary' AND starts_at > now() ORDER BY starts_at LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	reqs, err := a.Registrations.VisaRequests(ctx, auth.SystemActor("test"), plenary, "en")
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, v := range reqs {
		status[v.Name()+" ("+v.State+")"] = v.Status
	}
	want := map[string]string{"Mariam Benali (MA)": "approved", "Youssef El Amrani (MA)": "requested"}
	if len(status) != len(want) || status["Mariam Benali (MA)"] != "approved" || status["Youssef El Amrani (MA)"] != "requested" {
		t.Errorf("visa requests of the plenary: %v, want %v", status, want)
	}
	var letters int
	err = a.DB.GetContext(ctx, &letters, `SELECT count(*) FROM outgoing_mail m JOIN mail_attachments f ON f.id = m.attachment_id
		WHERE m.kind = 'visa_letter' AND m.meeting_id = $1 AND f.content_type = 'application/pdf' AND substring(f.content for 5) = '%PDF-'`, plenary)
	if err != nil || letters != 1 {
		t.Errorf("%d visa letters (PDF) in the mail log (%v), want 1", letters, err)
	}
}
