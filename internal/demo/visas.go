package demo

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// visas has the two Moroccan delegates to the plenary in Strasbourg ask
// for visa support letters through their manage links: the secretariat
// has approved the first (her letter went out by email), the second waits
// on the meeting's visa page.
func (s *seeder) visas(ctx context.Context, m meeting.Meeting, regs registrations) error {
	for i, v := range []registration.VisaInput{
		{PassportNumber: "TK4819276", Nationality: "Marocaine", DateOfBirth: "1979-04-12"},
		{PassportNumber: "UB2093481", Nationality: "Marocaine", DateOfBirth: "1986-11-03"},
	} {
		r, err := regs.get("MA", i)
		if err != nil {
			return err
		}
		v.PassportExpires = m.EndsAt.AddDate(4, 2, 0).Format(time.DateOnly)
		if _, err := s.a.Registrations.RequestVisaLetter(ctx, path.Base(r.ManageURL), v); err != nil {
			return fmt.Errorf("demo: visa request of %s: %w", key("MA", i), err)
		}
		if i == 0 {
			if _, err := s.a.Registrations.ApproveVisaLetter(ctx, s.secretariat, r.ID); err != nil {
				return fmt.Errorf("demo: approve the visa letter of %s: %w", key("MA", i), err)
			}
		}
	}
	return nil
}
