package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/registration"
)

// replaceView is the form that gives a confirmed person's seat to someone else.
type replaceView struct {
	M     delegationView
	Old   registration.Registration
	Form  *form
	Roles []string
}

// delegationPerson reads the registration of the URL, refusing one the
// actor may not manage (the service's policy, as in the API) or one of
// another meeting. Either way the answer is "not found", with no name.
func (s *Server) delegationPerson(c *gin.Context) (registration.Registration, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return registration.Registration{}, err
	}
	rid, err := idParam(c, "rid")
	if err != nil {
		return registration.Registration{}, err
	}
	r, err := s.deps.Registrations.Get(c.Request.Context(), actorOf(c), rid)
	if err != nil {
		return registration.Registration{}, err
	}
	if r.MeetingID != id {
		return registration.Registration{}, apperr.New(apperr.NotFound, apperr.M("err.no_registration_here"))
	}
	return r, nil
}

// delegationReplacePage: GET /meetings/{id}/delegation/{rid}/replace.
func (s *Server) delegationReplacePage(c *gin.Context) {
	lang := language(c)
	r, err := s.delegationPerson(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(map[string]string{"language": r.Language, "delegation_role": r.DelegationRole})
	s.renderReplace(c, http.StatusOK, lang, r, f)
}

func (s *Server) renderReplace(c *gin.Context, status int, lang string, r registration.Registration, f *form) {
	m, err := s.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), r.MeetingID)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := replaceView{M: delegationView{M: m, Loc: m.Zone(), State: r.State, StateName: s.stateName(c, r.State, lang),
		Query: delegationQuery(c, r.State)}, Old: r, Form: f, Roles: registration.Roles}
	s.render(c, status, "focal_replace", page{Lang: lang, Title: s.cat.T(lang, "fp.replace.title", map[string]any{"Name": r.Name()}), Data: v})
}

// delegationReplace: POST /meetings/{id}/delegation/{rid}/replace.
func (s *Server) delegationReplace(c *gin.Context) {
	lang := language(c)
	r, err := s.delegationPerson(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(formValues(c.PostForm, detailFields...))
	res, err := s.deps.Registrations.Replace(c.Request.Context(), actorOf(c), r.ID, detailsFrom(f))
	if err != nil {
		if !s.failForm(f, err, lang, detailFields...) {
			s.pageError(c, lang, err)
			return
		}
		s.renderReplace(c, http.StatusUnprocessableEntity, lang, r, f)
		return
	}
	s.redirectBack(c, delegationURL(c, r.MeetingID, r.State),
		s.cat.T(lang, "fp.done.replaced", map[string]any{"New": res.Name(), "Old": r.Name()}))
}

// delegationApprove: POST /meetings/{id}/delegation/{rid}/approve.
func (s *Server) delegationApprove(c *gin.Context) {
	s.delegationAct(c, func(r registration.Registration) (registration.Registration, error) {
		return s.deps.Registrations.Approve(c.Request.Context(), actorOf(c), r.ID)
	}, doneAs("fp.done.approved."))
}

// delegationDecline: POST /meetings/{id}/delegation/{rid}/decline, with an
// optional reason.
func (s *Server) delegationDecline(c *gin.Context) {
	s.delegationAct(c, func(r registration.Registration) (registration.Registration, error) {
		return s.deps.Registrations.Decline(c.Request.Context(), actorOf(c), r.ID,
			formReason(c))
	}, doneAs("fp.done."))
}

// delegationCancel: POST /meetings/{id}/delegation/{rid}/cancel — withdraw
// a person from the delegation.
func (s *Server) delegationCancel(c *gin.Context) {
	s.delegationAct(c, func(r registration.Registration) (registration.Registration, error) {
		return s.deps.Registrations.Cancel(c.Request.Context(), actorOf(c), r.ID)
	}, doneAs("fp.done."))
}

// delegationAct runs one action on a registration and returns to the
// delegation with a message: the outcome (done names its message), or
// why it could not be done. A registration the actor may not
// manage is "not found".
func (s *Server) delegationAct(c *gin.Context, act func(registration.Registration) (registration.Registration, error),
	done func(out registration.Registration) string) {
	lang := language(c)
	r, err := s.delegationPerson(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	back := delegationURL(c, r.MeetingID, r.State)
	out, err := act(r)
	if err != nil {
		f := newForm(nil)
		if !s.failForm(f, err, lang) || apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound) {
			s.pageError(c, lang, err)
			return
		}
		s.redirectBack(c, back, f.Problem)
		return
	}
	s.redirectBack(c, back, s.cat.T(lang, done(out), map[string]any{"Name": out.Name()}))
}

// doneAs names the message of an action's outcome: prefix and the
// registration's new status.
func doneAs(prefix string) func(out registration.Registration) string {
	return func(out registration.Registration) string { return prefix + out.Status }
}

// delegationAttendance: POST /meetings/{id}/delegation/{rid}/attendance —
// how a person of the delegation attends a hybrid meeting.
func (s *Server) delegationAttendance(c *gin.Context) {
	s.delegationAct(c, func(r registration.Registration) (registration.Registration, error) {
		return s.deps.Registrations.SetAttendance(c.Request.Context(), actorOf(c), r.ID, c.PostForm("attendance"))
	}, func(out registration.Registration) string { return "fp.done.attendance." + out.Attendance })
}
