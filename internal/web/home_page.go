package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
)

// homeUpcoming is how many upcoming public meetings the home page shows.
const homeUpcoming = 5

// homeTask is a meeting that waits for the signed-in person, and why.
type homeTask struct {
	M   meeting.Meeting
	Loc *time.Location
	// Pending is how many registrations await approval (for the
	// secretariat: every state's; for a focal point: their state's).
	Pending int
	// Draft: not yet published (secretariat). Archive: held, to archive
	// (secretariat). Invited: the focal point's state is invited and
	// registration is open.
	Draft, Archive, Invited bool
}

// homeView is the home page: the next public meetings, and for someone
// signed in what waits for them.
type homeView struct {
	Upcoming []meetingView
	// Role is "secretariat" (admins too), "focal_point" or "" (visitors).
	Role  string
	Tasks []homeTask
}

// homePage: GET / — the next public meetings for everyone; the meetings
// needing the secretariat's action (approvals, drafts, meetings to
// archive); a focal point's open invitations and approvals.
func (s *Server) homePage(c *gin.Context) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	ms, _, err := s.deps.Meetings.Meetings(ctx, a, meeting.Filter{Upcoming: true, PublicRecord: true, Limit: homeUpcoming})
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := homeView{}
	for _, m := range ms {
		v.Upcoming = append(v.Upcoming, meetingView{M: m, Loc: m.Zone()})
	}
	switch {
	case a.Is(auth.RoleSecretariat):
		v.Role = "secretariat"
		v.Tasks, err = s.secretariatTasks(c)
	case a.Is(auth.RoleFocalPoint):
		v.Role = "focal_point"
		v.Tasks, err = s.focalTasks(c)
	}
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.render(c, http.StatusOK, "home", page{Lang: lang, Title: s.cat.T(lang, "home.title", nil), Data: v})
}

// secretariatTasks lists the meetings that need the secretariat, in date
// order: upcoming ones with registrations to approve or still drafts, then
// held ones to archive.
func (s *Server) secretariatTasks(c *gin.Context) ([]homeTask, error) {
	ctx, a := c.Request.Context(), actorOf(c)
	pending, err := s.deps.Registrations.PendingByMeeting(ctx, a)
	if err != nil {
		return nil, err
	}
	upcoming, _, err := s.deps.Meetings.Meetings(ctx, a, meeting.Filter{Upcoming: true, Limit: meeting.MaxLimit})
	if err != nil {
		return nil, err
	}
	var tasks []homeTask
	for _, m := range upcoming {
		t := homeTask{M: m, Loc: m.Zone(), Pending: pending[m.ID], Draft: m.Status == meeting.StatusDraft}
		if t.Pending > 0 || t.Draft {
			tasks = append(tasks, t)
		}
	}
	held, _, err := s.deps.Meetings.Meetings(ctx, a, meeting.Filter{Status: meeting.StatusHeld, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, m := range held {
		tasks = append(tasks, homeTask{M: m, Loc: m.Zone(), Archive: true})
	}
	return tasks, nil
}

// focalTasks lists the meetings that need a focal point, in date order:
// those their state is invited to while registration is open, and those
// where people of their state await approval.
func (s *Server) focalTasks(c *gin.Context) ([]homeTask, error) {
	ctx, a := c.Request.Context(), actorOf(c)
	pending, err := s.deps.Registrations.PendingByMeeting(ctx, a)
	if err != nil {
		return nil, err
	}
	upcoming, _, err := s.deps.Meetings.Meetings(ctx, a, meeting.Filter{Upcoming: true, Limit: meeting.MaxLimit})
	if err != nil {
		return nil, err
	}
	var tasks []homeTask
	for _, m := range upcoming {
		t := homeTask{M: m, Loc: m.Zone(), Pending: pending[m.ID]}
		if m.Status == meeting.StatusRegistrationOpen {
			invs, err := s.deps.Invitations.Invitations(ctx, a, m.ID) // the focal point's state's only
			if err != nil {
				return nil, err
			}
			for _, inv := range invs {
				t.Invited = t.Invited || inv.Status == "active"
			}
		}
		if t.Invited || t.Pending > 0 {
			tasks = append(tasks, t)
		}
	}
	return tasks, nil
}
