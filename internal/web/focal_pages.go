package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// focalRoutes lists the focal pages: a focal point's invitations, and the
// delegation of one state at one meeting, which the secretariat reaches
// too (for any state, with ?state=XX).
func (s *Server) focalRoutes(r *gin.Engine) {
	focal := s.requirePage(auth.RoleFocalPoint)
	team := s.requirePage(auth.RoleFocalPoint, auth.RoleSecretariat)
	r.GET("/delegation", focal, s.focalInvitationsPage)
	r.GET("/meetings/:id/delegation", team, s.delegationPage)
	r.POST("/meetings/:id/delegation", team, s.delegationNominate)
	r.GET("/meetings/:id/delegation/:rid/replace", team, s.delegationReplacePage)
	r.POST("/meetings/:id/delegation/:rid/replace", team, s.delegationReplace)
	r.POST("/meetings/:id/delegation/:rid/approve", team, s.delegationApprove)
	r.POST("/meetings/:id/delegation/:rid/decline", team, s.delegationDecline)
	r.POST("/meetings/:id/delegation/:rid/cancel", team, s.delegationCancel)
	r.POST("/meetings/:id/delegation/:rid/attendance", team, s.delegationAttendance)
}

// invitationRow is one meeting the focal point's state is invited to.
type invitationRow struct {
	M     meeting.Meeting
	Loc   *time.Location
	Inv   invitation.Invitation
	Seats registration.StateCount
}

// invitationsView is the focal point's home: their state's invitations.
type invitationsView struct {
	State string // the state's name in the page's language
	Rows  []invitationRow
}

// focalInvitationsPage: GET /delegation — the meetings the focal point's
// state is invited to (upcoming ones), with the registration link to pass
// on to delegates and the seats left.
func (s *Server) focalInvitationsPage(c *gin.Context) {
	lang := language(c)
	ctx, a := c.Request.Context(), actorOf(c)
	code := a.FocalPointInvitee() // requirePage admitted a focal point, who always has a state or an organisation
	ms, _, err := s.deps.Meetings.Meetings(ctx, a, meeting.Filter{Upcoming: true, Limit: meeting.MaxLimit})
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := invitationsView{State: s.stateName(c, code, lang)}
	for _, m := range ms {
		invs, err := s.deps.Invitations.Invitations(ctx, a, m.ID)
		if err != nil {
			s.pageError(c, lang, err)
			return
		}
		if len(invs) == 0 {
			continue // not invited (yet)
		}
		seats, err := s.stateSeats(c, m, code, lang)
		if err != nil {
			s.pageError(c, lang, err)
			return
		}
		v.Rows = append(v.Rows, invitationRow{M: m, Loc: m.Zone(), Inv: invs[0], Seats: seats})
	}
	s.render(c, http.StatusOK, "focal_invitations", page{Lang: lang, Title: s.cat.T(lang, "fp.invitations.title", nil), Data: v})
}

// stateSeats returns one state's counts at a meeting; a state with nobody
// registered yet has every seat left.
func (s *Server) stateSeats(c *gin.Context, m meeting.Meeting, code, lang string) (registration.StateCount, error) {
	counts, err := s.deps.Registrations.Counts(c.Request.Context(), actorOf(c), m.ID, lang)
	if err != nil {
		return registration.StateCount{}, err
	}
	for _, sc := range counts {
		if sc.State == code {
			return sc, nil
		}
	}
	return registration.StateCount{State: code, SeatsLeft: m.SeatsFor(code), FundedSeatsLeft: m.FundedSeatsFor(code)}, nil
}
