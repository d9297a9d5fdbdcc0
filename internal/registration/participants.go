package registration

import (
	"context"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/state"
)

// Groups of delegations on the list of participants, in protocol order:
// member states, then partner states, then observers (and states since
// made inactive). Organisations will be one more group; a group is named
// by its key in the catalogs ("participants.group.<key>").
const (
	GroupMembers   = "member"
	GroupPartners  = "partner"
	GroupObservers = "observer"
	GroupOthers    = "inactive"
	// GroupOrganisations holds the delegates of organisations.
	GroupOrganisations = "organisation"
	// GroupGuests holds the people invited in their own name ("Experts
	// and guests").
	GroupGuests = "guest"
)

// groupOrder is the order of the groups on the list.
var groupOrder = []string{GroupMembers, GroupPartners, GroupObservers, GroupOthers, GroupOrganisations, GroupGuests}

// groupOf says which group a participant's delegation belongs to.
func groupOf(p Participant) string {
	switch p.StateStatus {
	case state.StatusMember:
		return GroupMembers
	case state.StatusPartner:
		return GroupPartners
	case state.StatusObserver:
		return GroupObservers
	case GroupOrganisations: // an organisation's delegate (see participants)
		return GroupOrganisations
	case GroupGuests: // a guest (see participants)
		return GroupGuests
	default:
		return GroupOthers
	}
}

// Delegation is one state's people on the list of participants.
type Delegation struct {
	Code, Name string
	People     []Participant
}

// DelegationGroup is a group of delegations (member states…), in
// protocol order.
type DelegationGroup struct {
	Key         string
	Delegations []Delegation
}

// ParticipantList is the list of participants of a meeting as a page or a
// document shows it.
type ParticipantList struct {
	Meeting meeting.Meeting
	Groups  []DelegationGroup
	// Count is the number of people listed.
	Count int
	// Over says the meeting has taken place, so that the list may be
	// narrowed to those who attended; AttendedOnly says it is.
	Over, AttendedOnly bool
}

// ParticipantList returns the list of participants of a meeting the caller
// may see (a hidden one is not found): the confirmed people who consented
// to appear, grouped by delegation in protocol order for lang. After the
// meeting, attendedOnly keeps those who were checked in; before it, there
// is no attendance yet and attendedOnly is ignored.
func (s *Service) ParticipantList(ctx context.Context, a auth.Actor, meetingID int64, lang string, attendedOnly bool) (ParticipantList, error) {
	m, err := s.meetings.Meeting(ctx, a, meetingID)
	if err != nil {
		return ParticipantList{}, err
	}
	l := ParticipantList{Meeting: m, Over: m.Over()}
	l.AttendedOnly = attendedOnly && l.Over
	people, err := s.participants(ctx, meetingID, lang, l.AttendedOnly)
	if err != nil {
		return ParticipantList{}, err
	}
	l.Count = len(people)
	l.Groups = groupDelegations(people)
	return l, nil
}

// groupDelegations splits people, already in protocol order, into
// delegations and the delegations into groups, leaving out empty groups.
func groupDelegations(people []Participant) []DelegationGroup {
	byGroup := map[string][]Delegation{}
	for _, p := range people {
		g := groupOf(p)
		ds := byGroup[g]
		if n := len(ds); n == 0 || ds[n-1].Code != p.State {
			ds = append(ds, Delegation{Code: p.State, Name: p.StateName})
		}
		ds[len(ds)-1].People = append(ds[len(ds)-1].People, p)
		byGroup[g] = ds
	}
	var out []DelegationGroup
	for _, key := range groupOrder {
		if ds := byGroup[key]; len(ds) > 0 {
			out = append(out, DelegationGroup{Key: key, Delegations: ds})
		}
	}
	return out
}
