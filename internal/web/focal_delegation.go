package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// personRow is one person of a delegation, with labels in the page's language.
type personRow struct {
	registration.Row
	StatusLabel string
	RoleLabel   string
}

// delegationView is one state's delegation to one meeting.
type delegationView struct {
	M         meeting.Meeting
	Loc       *time.Location
	State     string // the state's code; "" when the secretariat has not chosen one
	StateName string
	People    []personRow
	Seats     registration.StateCount
	Form      *form // the nomination form
	Roles     []string
	// Open is true while people can be nominated.
	Open bool
	// Changeable is true while people can be approved, declined and
	// replaced: until the meeting is held or cancelled.
	Changeable bool
	// Invited is false when the state is neither in the meeting's audience
	// nor holds an invitation: nobody can be nominated for it.
	Invited bool
	// Query is "?state=XX" for the secretariat (who may act for any state),
	// "" for a focal point (whose state is implied).
	Query string
	// States lets the secretariat pick a state when none is chosen.
	States []registration.StateCount
}

// delegationState works out whose delegation a request is about: the focal
// point's own state, or the state the secretariat chose with ?state=. The
// policy is registration.CanManageState, as in the API: a focal point who
// asks for another state's delegation gets "not found", and nothing of it.
func delegationState(c *gin.Context) (string, error) {
	a := actorOf(c)
	code := strings.ToUpper(strings.TrimSpace(c.Query("state")))
	if code == "" {
		code = a.FocalPointInvitee()
	}
	if code == "" && a.Is(auth.RoleSecretariat) {
		return "", nil // the secretariat picks a state first
	}
	if !invitee.ValidCode(code) || !registration.CanManageState(a, code) {
		return "", apperr.New(apperr.Forbidden, apperr.M("err.own_state_delegation"))
	}
	return code, nil
}

// delegationURL is the page of a state's delegation, where actions return.
func delegationURL(c *gin.Context, meetingID int64, code string) string {
	return fmt.Sprintf("/meetings/%d/delegation%s", meetingID, delegationQuery(c, code))
}

func delegationQuery(c *gin.Context, code string) string {
	if actorOf(c).User.Role == auth.RoleFocalPoint {
		return ""
	}
	return "?state=" + url.QueryEscape(code)
}

// canNominate mirrors the registration rules, to offer the forms only when
// they can work: a focal point while registration is open, the
// secretariat also before it opens and after it closes.
func canNominate(a auth.Actor, m meeting.Meeting) bool {
	switch m.Status {
	case meeting.StatusRegistrationOpen:
		return true
	case meeting.StatusPublished, meeting.StatusRegistrationClosed:
		return a.Is(auth.RoleSecretariat)
	}
	return false
}

// loadDelegation reads the meeting, the state's people and its seats.
func (s *Server) loadDelegation(c *gin.Context, lang string) (delegationView, error) {
	code, err := delegationState(c)
	if err != nil {
		return delegationView{}, err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return delegationView{}, err
	}
	ctx, a := c.Request.Context(), actorOf(c)
	m, err := s.deps.Meetings.Meeting(ctx, a, id)
	if err != nil {
		return delegationView{}, err
	}
	v := delegationView{M: m, Loc: m.Zone(), State: code, Roles: registration.Roles, Open: canNominate(a, m),
		Changeable: m.Status == meeting.StatusPublished || m.Status == meeting.StatusRegistrationOpen || m.Status == meeting.StatusRegistrationClosed}
	if code == "" {
		v.States, err = s.deps.Registrations.Counts(ctx, a, id, lang)
		return v, err
	}
	v.StateName, v.Query = s.stateName(c, code, lang), delegationQuery(c, code)
	rows, _, err := s.deps.Registrations.Registrations(ctx, a, id, registration.Filter{State: code, Lang: lang})
	if err != nil {
		return delegationView{}, err
	}
	for _, r := range rows {
		v.People = append(v.People, personRow{Row: r, StatusLabel: registration.StatusLabel(r.Status, lang),
			RoleLabel: registration.RoleLabel(r.DelegationRole, lang)})
	}
	if v.Invited, err = s.stateInvited(c, m, code); err != nil {
		return delegationView{}, err
	}
	v.Open = v.Open && v.Invited
	v.Seats, err = s.stateSeats(c, m, code, lang)
	return v, err
}

// stateInvited reports whether a state is in the meeting's audience or
// holds an active invitation to it (the rule registration applies).
func (s *Server) stateInvited(c *gin.Context, m meeting.Meeting, code string) (bool, error) {
	ctx := c.Request.Context()
	audience, err := s.deps.Meetings.Audience(ctx, m, "en")
	if err != nil {
		return false, err
	}
	for _, st := range audience {
		if st.Code == code {
			return true, nil
		}
	}
	invs, err := s.deps.Invitations.Invitations(ctx, actorOf(c), m.ID)
	if err != nil {
		return false, err
	}
	for _, inv := range invs {
		if inv.State == code && inv.Status == "active" {
			return true, nil
		}
	}
	return false, nil
}

func (s *Server) renderDelegation(c *gin.Context, status int, lang string, v delegationView) {
	title := s.cat.T(lang, "fp.delegation.title", nil)
	if v.StateName != "" {
		title = s.cat.T(lang, "fp.delegation.title_of", map[string]any{"State": v.StateName})
	}
	s.render(c, status, "focal_delegation", page{Lang: lang, Title: title + " — " + v.M.Title(lang), Data: v})
}

// delegationPage: GET /meetings/{id}/delegation[?state=XX].
func (s *Server) delegationPage(c *gin.Context) {
	lang := language(c)
	v, err := s.loadDelegation(c, lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v.Form = newForm(map[string]string{"language": lang, "delegation_role": "delegate"})
	s.renderDelegation(c, http.StatusOK, lang, v)
}

// delegationNominate: POST /meetings/{id}/delegation — register a person
// for the state; the form comes back with its errors when that fails.
func (s *Server) delegationNominate(c *gin.Context) {
	lang := language(c)
	v, err := s.loadDelegation(c, lang)
	if err != nil || v.State == "" {
		s.pageError(c, lang, orNotFound(err))
		return
	}
	f := newForm(formValues(c.PostForm, detailFields...))
	res, err := s.deps.Registrations.Register(c.Request.Context(), actorOf(c), v.M.ID,
		registration.Input{State: v.State, Details: detailsFrom(f)})
	if err != nil {
		if !s.failForm(f, err, lang, detailFields...) {
			s.pageError(c, lang, err)
			return
		}
		v.Form = f
		s.renderDelegation(c, http.StatusUnprocessableEntity, lang, v)
		return
	}
	s.redirectBack(c, delegationURL(c, v.M.ID, v.State),
		s.cat.T(lang, "fp.done.nominated."+res.Status, map[string]any{"Name": res.Name()}))
}

// orNotFound stands for a missing state choice where one is needed.
func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return apperr.New(apperr.NotFound, apperr.M("err.choose_state"))
}
