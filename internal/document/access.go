package document

import (
	"context"
	"slices"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/meeting"
)

// Level tells what r may read of the meeting's documents. A meeting the
// reader may not see is not found.
//
//   - the secretariat reads everything;
//   - a confirmed participant, through their manage link, and the focal
//     points of whoever the meeting invites read public and participants'
//     documents;
//   - anyone else who may see the meeting reads its public documents.
func (s *Service) Level(ctx context.Context, r Reader, meetingID int64) (meeting.Meeting, Level, error) {
	if r.Link != nil {
		if r.Link.MeetingID != meetingID {
			return meeting.Meeting{}, None, apperr.New(apperr.NotFound, apperr.M("err.no_meeting"))
		}
		m, err := s.meetings.MeetingForLink(ctx, meetingID)
		if err != nil {
			return meeting.Meeting{}, None, err
		}
		if r.Link.Confirmed {
			return m, ReadParticipants, nil
		}
		return m, ReadPublic, nil
	}
	m, err := s.meetings.Meeting(ctx, r.Actor, meetingID)
	if err != nil {
		return meeting.Meeting{}, None, err
	}
	if meeting.CanManage(r.Actor) {
		return m, ReadAll, nil
	}
	invited, err := s.speaksForInvited(ctx, r.Actor, m)
	if err != nil {
		return meeting.Meeting{}, None, err
	}
	if invited {
		return m, ReadParticipants, nil
	}
	return m, ReadPublic, nil
}

// speaksForInvited reports whether the account is a focal point of someone
// the meeting invites. It is the one place that says so: the focal points
// of an invited state or of an invited organisation.
func (s *Service) speaksForInvited(ctx context.Context, a auth.Actor, m meeting.Meeting) (bool, error) {
	code := a.FocalPointInvitee()
	if code == "" {
		return false, nil
	}
	invited, err := s.meetings.Audience(ctx, m, "en")
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(invited, func(iv invitee.Invitee) bool { return iv.Code == code }), nil
}
