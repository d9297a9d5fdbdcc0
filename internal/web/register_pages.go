package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// detailFields are the form fields of a person's details.
var detailFields = []string{"first_name", "last_name", "email", "function", "organisation", "delegation_role",
	"language", "funding_requested", "dietary", "accessibility", "list_consent", "attendance", "gender"}

// registerView is the registration form reached from an invitation link,
// and the manage page of a registration.
type registerView struct {
	M     meeting.Meeting
	Loc   *time.Location
	State string // the state's name in the page's language
	// Code is the code of the state or organisation.
	Code   string
	Form   *form
	Roles  []string
	Reg    *registration.Registration
	Token  string
	Open   bool // details can still be changed
	Status string
	// Docs are the meeting's documents the link holder may read (manage page).
	Docs *docsView
	// Visa is the person's visa letter request (nil: none), VisaForm the
	// form to ask for one, shown while it can be (VisaOpen).
	Visa     *registration.VisaStatus
	VisaForm *form
	VisaOpen bool
	// Guest is the personal invitation of the link (nil: a state's or an
	// organisation's link).
	Guest *registration.Guest
}

// FundingOffered reports whether the form lets the person ask for funding:
// the invitee has funded seats, or the guest was offered funding.
func (v registerView) FundingOffered() bool {
	if v.Guest != nil {
		return v.Guest.FundingOffered
	}
	return v.M.FundedSeatsFor(v.Code) > 0
}

// GuestRole names the guest's role in lang.
func (v registerView) GuestRole(lang string) string {
	if v.Guest == nil {
		return ""
	}
	return registration.RoleLabel(v.Guest.Role, lang)
}

func detailsFrom(f *form) registration.Details {
	return registration.Details{
		FirstName: f.V("first_name"), LastName: f.V("last_name"), Email: f.V("email"),
		Function: f.V("function"), Organisation: f.V("organisation"), DelegationRole: f.V("delegation_role"),
		Language: f.V("language"), FundingRequested: f.Checked("funding_requested"),
		Dietary: f.V("dietary"), Accessibility: f.V("accessibility"), ListConsent: f.Checked("list_consent"),
		Attendance: f.V("attendance"), Gender: f.V("gender"),
	}
}

func detailsForm(d registration.Details) *form {
	yes := func(b bool) string {
		if b {
			return "on"
		}
		return ""
	}
	return newForm(map[string]string{
		"first_name": d.FirstName, "last_name": d.LastName, "email": d.Email, "function": d.Function,
		"organisation": d.Organisation, "delegation_role": d.DelegationRole, "language": d.Language,
		"funding_requested": yes(d.FundingRequested), "dietary": d.Dietary, "accessibility": d.Accessibility,
		"list_consent": yes(d.ListConsent), "attendance": d.Attendance, "gender": d.Gender,
	})
}

func (s *Server) stateName(c *gin.Context, code, lang string) string {
	if code == "" { // a guest's registration has no invitee
		return s.cat.T(lang, "register.guest_invitee", nil)
	}
	st, err := invitee.Lookup(c.Request.Context(), s.deps.DB, code)
	if err != nil {
		return code
	}
	return st.Name(lang)
}

// registerPage: GET /register/{token} — the form of the invitation link.
func (s *Server) registerPage(c *gin.Context) {
	lang := language(c)
	if strings.HasPrefix(c.Param("token"), registration.GuestTokenPrefix) {
		g, m, err := s.deps.Registrations.GuestByToken(c.Request.Context(), c.Param("token"))
		if err != nil {
			s.pageError(c, lang, err)
			return
		}
		// The form comes filled in with what the secretariat knows.
		f := newForm(map[string]string{"language": g.Language, "delegation_role": g.Role, "first_name": g.FirstName,
			"last_name": g.LastName, "email": g.Email})
		s.renderRegister(c, http.StatusOK, lang, registerView{M: m, State: s.stateName(c, "", lang), Form: f, Guest: &g})
		return
	}
	inv, m, err := s.deps.Invitations.ByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(map[string]string{"language": lang, "delegation_role": "delegate"})
	s.renderRegister(c, http.StatusOK, lang, registerView{M: m, State: s.stateName(c, inv.State, lang), Code: inv.State, Form: f})
}

func (s *Server) renderRegister(c *gin.Context, status int, lang string, v registerView) {
	v.Loc, v.Roles = v.M.Zone(), registration.Roles
	if v.Guest != nil {
		v.Roles = []string{v.Guest.Role}
	}
	s.render(c, status, "register", page{Lang: lang, Title: s.cat.T(lang, "register.title", nil) + " — " + v.M.Title(lang), Data: v})
}

// register: POST /register/{token}.
func (s *Server) registerForm(c *gin.Context) {
	lang := language(c)
	token := c.Param("token")
	if strings.HasPrefix(token, registration.GuestTokenPrefix) {
		s.registerGuestForm(c, lang, token)
		return
	}
	inv, m, err := s.deps.Invitations.ByToken(c.Request.Context(), token)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(formValues(c.PostForm, detailFields...))
	res, err := s.deps.Registrations.Register(c.Request.Context(), auth.Actor{}, m.ID,
		registration.Input{InvitationToken: token, Details: detailsFrom(f)})
	if err != nil {
		if !f.fail(s.cat, err, lang) {
			s.pageError(c, lang, err)
			return
		}
		s.renderRegister(c, http.StatusUnprocessableEntity, lang, registerView{M: m, State: s.stateName(c, inv.State, lang), Code: inv.State, Form: f})
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "register.done."+res.Status, map[string]any{"Email": res.Email}))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/registrations/manage/%s", manageToken(res.ManageURL)))
}

func manageToken(url string) string {
	for i := len(url) - 1; i >= 0; i-- {
		if url[i] == '/' {
			return url[i+1:]
		}
	}
	return url
}

// managePage: GET /registrations/manage/{token} — see, edit, cancel.
func (s *Server) managePage(c *gin.Context) {
	lang := language(c)
	r, m, err := s.deps.Registrations.ByManageToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.renderManage(c, http.StatusOK, lang, r, m, detailsForm(r.Details))
}

func (s *Server) renderManage(c *gin.Context, status int, lang string, r registration.Registration, m meeting.Meeting, f *form) {
	m = forParticipant(m, r)
	roles := registration.Roles
	g, err := s.deps.Registrations.GuestOf(c.Request.Context(), r)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	if g != nil {
		roles = []string{r.DelegationRole} // fixed by the personal invitation
	}
	v := registerView{M: m, Loc: m.Zone(), State: s.stateName(c, r.State, lang), Code: r.State, Form: f, Roles: roles,
		Reg: &r, Token: c.Param("token"), Guest: g, Open: r.Active() && m.Status == meeting.StatusRegistrationOpen,
		Status: registration.StatusLabel(r.Status, lang)}
	reader := document.Reader{Link: &document.LinkHolder{MeetingID: m.ID, Confirmed: r.Status == registration.StatusConfirmed}}
	docs, err := s.meetingDocuments(c.Request.Context(), reader, m, nil, lang, c.Param("token"))
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v.Docs = docs
	s.addVisa(c, &v, r, m, nil)
	s.render(c, status, "manage", page{Lang: lang, Title: s.cat.T(lang, "manage.title", nil), Data: v})
}

// manageForm: POST /registrations/manage/{token} — save edited details.
func (s *Server) manageForm(c *gin.Context) {
	lang := language(c)
	f := newForm(formValues(c.PostForm, detailFields...))
	d := detailsFrom(f)
	_, err := s.deps.Registrations.UpdateOwn(c.Request.Context(), c.Param("token"), func(cur *registration.Details) error {
		*cur = d
		return nil
	})
	if err != nil {
		cur, m, err2 := s.deps.Registrations.ByManageToken(c.Request.Context(), c.Param("token"))
		if err2 != nil || !f.fail(s.cat, err, lang) {
			s.pageError(c, lang, err)
			return
		}
		s.renderManage(c, http.StatusUnprocessableEntity, lang, cur, m, f)
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "manage.saved", nil))
	c.Redirect(http.StatusSeeOther, "/registrations/manage/"+c.Param("token"))
}

// manageCancel: POST /registrations/manage/{token}/cancel.
func (s *Server) manageCancel(c *gin.Context) {
	lang := language(c)
	_, err := s.deps.Registrations.CancelOwn(c.Request.Context(), c.Param("token"))
	if apperr.Is(err, apperr.Conflict) {
		// Sent twice, the form finds the registration cancelled: say so.
		// Any other refusal (the meeting is over) is shown as it is.
		if r, _, err2 := s.deps.Registrations.ByManageToken(c.Request.Context(), c.Param("token")); err2 == nil && r.Active() {
			f := newForm(nil)
			f.fail(s.cat, err, lang)
			s.redirectBack(c, "/registrations/manage/"+c.Param("token"), f.Problem)
			return
		}
		err = nil
	}
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "manage.cancelled", nil))
	c.Redirect(http.StatusSeeOther, "/registrations/manage/"+c.Param("token"))
}

// manageWithdrawConsent: POST /registrations/manage/{token}/consent/withdraw
// — off the public list of participants, at any time (the edit form, which
// can also give consent, is there only while registration is open).
func (s *Server) manageWithdrawConsent(c *gin.Context) {
	lang := language(c)
	if _, err := s.deps.Registrations.WithdrawConsent(c.Request.Context(), c.Param("token")); err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "manage.consent_withdrawn", nil))
	c.Redirect(http.StatusSeeOther, "/registrations/manage/"+c.Param("token"))
}

// manageCalendar: GET /registrations/manage/{token}/calendar.ics — the
// meeting for the person's calendar, even when the meeting is not public.
func (s *Server) manageCalendar(c *gin.Context) {
	r, m, err := s.deps.Registrations.ByManageToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ev := meeting.CalendarEvent(forParticipant(m, r), r.Language, s.cfg.BaseURL)
	if !r.Active() {
		ev.Cancelled = true
	}
	ics, err := calendar.Render(ev, calendar.MethodPublish)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="meeting-%d.ics"`, m.ID))
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", ics)
}

// forParticipant returns the meeting as the holder of a registration's
// manage link sees it: the online link only once they hold a seat
// (meeting.Meeting.WithoutOnlineLink says why).
func forParticipant(m meeting.Meeting, r registration.Registration) meeting.Meeting {
	if r.Status != registration.StatusConfirmed {
		return m.WithoutOnlineLink()
	}
	return m
}

// registerGuestForm: POST /register/{token} of a guest's personal link.
func (s *Server) registerGuestForm(c *gin.Context, lang, token string) {
	g, m, err := s.deps.Registrations.GuestByToken(c.Request.Context(), token)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(formValues(c.PostForm, detailFields...))
	f.Values["delegation_role"] = g.Role
	res, err := s.deps.Registrations.Register(c.Request.Context(), auth.Actor{}, m.ID,
		registration.Input{InvitationToken: token, Details: detailsFrom(f)})
	if err != nil {
		if !f.fail(s.cat, err, lang) {
			s.pageError(c, lang, err)
			return
		}
		s.renderRegister(c, http.StatusUnprocessableEntity, lang, registerView{M: m, State: s.stateName(c, "", lang), Form: f, Guest: &g})
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "register.done."+res.Status, map[string]any{"Email": res.Email}))
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/registrations/manage/%s", manageToken(res.ManageURL)))
}
