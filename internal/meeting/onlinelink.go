package meeting

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/auth"
)

// The online link of a meeting (online_url) lets whoever holds it into
// the meeting, so it is shown only to those who take part in it: the
// secretariat, the focal points of the states invited, and confirmed
// participants (through their own manage link, emails and calendar file,
// which read the meeting through the link, not as an actor). Every read of
// a meeting on behalf of an actor (Meeting, Meetings) drops it for anyone
// else, so no page, calendar file, API answer or cached copy built for a
// visitor holds it.

// WithoutOnlineLink returns the meeting with its online link removed, for
// someone who may not see it.
func (m Meeting) WithoutOnlineLink() Meeting {
	m.OnlineURL = ""
	return m
}

// hideOnlineLinks removes the online link from the meetings the actor may
// not see it for: all of them for visitors and accounts that are neither
// the secretariat nor a focal point, and for a focal point those to which
// their state is not invited (in the audience, or holding an active
// invitation: the same rule as registering for it).
func (s *Service) hideOnlineLinks(ctx context.Context, a auth.Actor, ms []Meeting) error {
	if CanManage(a) {
		return nil
	}
	invited := map[int64]bool{}
	var ids []int64 // the meetings that have a link to hide
	for _, m := range ms {
		if m.OnlineURL != "" {
			ids = append(ids, m.ID)
		}
	}
	if code := focalState(a); code != "" && len(ids) > 0 {
		var rows []int64
		err := s.db.SelectContext(ctx, &rows, `
			SELECT m.id FROM meetings m
			WHERE m.id = ANY($1) AND (
				EXISTS (SELECT 1 FROM invitations i
					WHERE i.meeting_id = m.id AND i.invitee = $2 AND i.status = 'active')
				OR EXISTS (SELECT 1 FROM meeting_organisations mo JOIN organisations o ON o.code = mo.organisation_code
					WHERE mo.meeting_id = m.id AND mo.organisation_code = $2 AND o.status = 'active')
				OR EXISTS (SELECT 1 FROM states s WHERE s.code = $2 AND s.status <> 'inactive' AND CASE m.audience
					WHEN 'members' THEN s.status = 'member'
					WHEN 'members_and_partners' THEN s.status IN ('member', 'partner')
					ELSE EXISTS (SELECT 1 FROM meeting_states ms WHERE ms.meeting_id = m.id AND ms.state_code = s.code)
					END))`, pq.Array(ids), code)
		if err != nil {
			return fmt.Errorf("meeting: states invited: %w", err)
		}
		for _, id := range rows {
			invited[id] = true
		}
	}
	for i := range ms {
		if !invited[ms[i].ID] {
			ms[i] = ms[i].WithoutOnlineLink()
		}
	}
	return nil
}

// focalState is the state of a focal point, "" for anyone else.
func focalState(a auth.Actor) string {
	return a.FocalPointInvitee()
}
