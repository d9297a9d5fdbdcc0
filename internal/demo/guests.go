package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// guests invites experts in their own name to the plenary, whose funding
// requests the secretariat decides: a researcher offered funding who
// registered and asked for it (waiting for a decision on the funding
// page), a speaker who registered, and a rapporteur who has not yet.
func (s *seeder) guests(ctx context.Context) error {
	var id int64
	if err := s.a.DB.GetContext(ctx, &id, `SELECT id FROM meetings WHERE kind = 'plenary' AND starts_at > now() ORDER BY starts_at LIMIT 1`); err != nil {
		return fmt.Errorf("demo: the plenary: %w", err)
	}
	m, err := s.a.Meetings.Update(ctx, s.secretariat, id, func(f *meeting.Fields) error {
		f.FundingDecision = meeting.FundingSecretariat
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: funding decided by the secretariat: %w", err)
	}
	for _, g := range []struct {
		in       registration.GuestInput
		register bool
		function string
	}{
		{registration.GuestInput{FirstName: "Amélie", LastName: "Rousseau", Email: "amelie.rousseau@univ-lyon.example", Language: "fr",
			Role: "expert", FundingOffered: true}, true, "Researcher in public health"},
		{registration.GuestInput{FirstName: "Jonas", LastName: "Lindqvist", Email: "jonas.lindqvist@ki.example", Language: "en",
			Role: "speaker"}, true, "Professor of addiction medicine"},
		{registration.GuestInput{FirstName: "Sofia", LastName: "Marques", Email: "sofia.marques@ulisboa.example", Language: "en",
			Role: "rapporteur", FundingOffered: true}, false, ""},
	} {
		guest, err := s.a.Registrations.InviteGuest(ctx, s.secretariat, m.ID, g.in)
		if err != nil {
			return fmt.Errorf("demo: invite %s: %w", g.in.Email, err)
		}
		if !g.register {
			continue
		}
		token := guest.RegistrationURL[strings.LastIndex(guest.RegistrationURL, "/")+1:]
		_, err = s.a.Registrations.Register(ctx, auth.Actor{}, m.ID, registration.Input{InvitationToken: token,
			Details: registration.Details{FirstName: g.in.FirstName, LastName: g.in.LastName, Email: g.in.Email,
				Function: g.function, Language: g.in.Language, FundingRequested: g.in.FundingOffered, ListConsent: true}})
		if err != nil {
			return fmt.Errorf("demo: register %s: %w", g.in.Email, err)
		}
	}
	return nil
}
