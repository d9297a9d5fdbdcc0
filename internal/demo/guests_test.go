package demo_test

import (
	"context"
	"testing"

	"github.com/coe-agora/agora/internal/demo"
)

// The demo invites experts in their own name to the plenary, whose
// funding the secretariat decides, and leaves one funding request waiting.
func TestSeedInvitesGuests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _ := openApp(t)
	if _, err := demo.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
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
