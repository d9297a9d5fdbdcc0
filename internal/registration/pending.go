package registration

import (
	"context"
	"fmt"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

// PendingByMeeting counts the registrations awaiting approval per meeting,
// among the meetings that have not ended: every state's for the
// secretariat, their own state's for a focal point. One query, so that a
// page (the home page) can say what waits for someone without reading
// every meeting's counts.
func (s *Service) PendingByMeeting(ctx context.Context, a auth.Actor) (map[int64]int, error) {
	state := ""
	switch {
	case a.Is(auth.RoleSecretariat):
	case a.FocalPointInvitee() != "":
		state = a.FocalPointInvitee()
	default:
		return nil, apperr.New(apperr.Forbidden, apperr.M("err.role_forbids"))
	}
	var rows []struct {
		MeetingID int64 `db:"meeting_id"`
		Pending   int   `db:"pending"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT r.meeting_id, count(*) AS pending
		FROM registrations r JOIN meetings m ON m.id = r.meeting_id
		WHERE r.status = 'pending' AND m.ends_at > now() AND m.lifecycle = 'published' AND ($1 = '' OR r.invitee = $1)
		GROUP BY r.meeting_id`, state)
	if err != nil {
		return nil, fmt.Errorf("registration: pending per meeting: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.MeetingID] = r.Pending
	}
	return out, nil
}
