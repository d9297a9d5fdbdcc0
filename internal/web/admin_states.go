package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/state"
)

// stateStatuses are the statuses a state can have, for the edit form.
var stateStatuses = []string{state.StatusMember, state.StatusPartner, state.StatusObserver, state.StatusInactive}

// stateFields are the fields of the form that edits a state.
var stateFields = []string{"name_en", "name_fr", "status"}

// focalPointFields are the fields of the form that adds a focal point.
var focalPointFields = []string{"name", "email", "language"}

// statesView is the roster, or one state with its form and focal points.
type statesView struct {
	States   []state.State // the roster in protocol order for the page's language
	State    state.State
	Statuses []string
	Form     *form
	Focal    []invitation.FocalPoint
}

// adminStatesPage: GET /admin/states — the roster in protocol order.
func (s *Server) adminStatesPage(c *gin.Context) {
	lang := language(c)
	states, err := s.deps.States.States(c.Request.Context(), lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.render(c, http.StatusOK, "admin_states", page{Lang: lang, Title: s.cat.T(lang, "adm.states.title", nil), Data: statesView{States: states}})
}

func (s *Server) stateParam(c *gin.Context) (state.State, error) {
	return s.deps.States.State(c.Request.Context(), strings.ToUpper(c.Param("code")))
}

// adminStatePage: GET /admin/states/{code} — edit the names and status.
func (s *Server) adminStatePage(c *gin.Context) {
	lang := language(c)
	st, err := s.stateParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(map[string]string{"name_en": st.NameEN, "name_fr": st.NameFR, "status": st.Status})
	s.renderState(c, http.StatusOK, lang, st, f)
}

func (s *Server) renderState(c *gin.Context, status int, lang string, st state.State, f *form) {
	v := statesView{State: st, Statuses: stateStatuses, Form: f}
	s.render(c, status, "admin_state", page{Lang: lang, Title: st.Name(lang) + " — " + s.cat.T(lang, "adm.states.title", nil), Data: v})
}

// adminUpdateState: POST /admin/states/{code}.
func (s *Server) adminUpdateState(c *gin.Context) {
	lang := language(c)
	st, err := s.stateParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(formValues(c.PostForm, stateFields...))
	saved, err := s.deps.States.UpdateState(c.Request.Context(), actorOf(c), st.Code, state.Update{NameEN: f.V("name_en"), NameFR: f.V("name_fr"), Status: f.V("status")})
	if err != nil {
		if !s.failForm(f, err, lang, stateFields...) {
			s.pageError(c, lang, err)
			return
		}
		s.renderState(c, statusOf(apperr.CodeOf(err)), lang, st, f)
		return
	}
	s.redirectBack(c, "/admin/states#state-"+saved.Code, s.cat.T(lang, "adm.states.saved", map[string]any{"State": saved.Name(lang)}))
}

// adminFocalPointsPage: GET /admin/states/{code}/focal-points — the
// contacts who receive the state's invitations.
func (s *Server) adminFocalPointsPage(c *gin.Context) {
	lang := language(c)
	st, err := s.stateParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.renderFocalPoints(c, http.StatusOK, lang, st, newForm(map[string]string{"language": lang}))
}

func (s *Server) renderFocalPoints(c *gin.Context, status int, lang string, st state.State, f *form) {
	fps, err := s.deps.FocalPoints.List(c.Request.Context(), actorOf(c), st.Code)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := statesView{State: st, Form: f, Focal: fps}
	s.render(c, status, "admin_focal_points", page{Lang: lang, Title: s.cat.T(lang, "adm.fps.title", map[string]any{"State": st.Name(lang)}), Data: v})
}

// adminAddFocalPoint: POST /admin/states/{code}/focal-points.
func (s *Server) adminAddFocalPoint(c *gin.Context) {
	lang := language(c)
	st, err := s.stateParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.addFocalPointPage(c, lang, st.Code, "/admin/states/"+st.Code+"/focal-points", func(status int, f *form) {
		s.renderFocalPoints(c, status, lang, st, f)
	})
}

// adminDeleteFocalPoint: POST /admin/states/{code}/focal-points/{id}/delete.
// The contact must be one of the state's: an id alone grants nothing.
func (s *Server) adminDeleteFocalPoint(c *gin.Context) {
	lang := language(c)
	st, err := s.stateParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.deleteFocalPointPage(c, lang, st.Code, "/admin/states/"+st.Code+"/focal-points")
}

// addFocalPointPage adds the focal point of the posted form to the state or
// organisation code and goes back to its page; a form error renders the
// page again through rerender.
func (s *Server) addFocalPointPage(c *gin.Context, lang, code, back string, rerender func(status int, f *form)) {
	f := newForm(formValues(c.PostForm, focalPointFields...))
	fp, err := s.deps.FocalPoints.Add(c.Request.Context(), actorOf(c), code,
		invitation.NewFocalPoint{Name: f.V("name"), Email: f.V("email"), Language: f.V("language")})
	if err != nil {
		if !s.failForm(f, err, lang, focalPointFields...) {
			s.pageError(c, lang, err)
			return
		}
		rerender(statusOf(apperr.CodeOf(err)), f)
		return
	}
	s.redirectBack(c, back, s.cat.T(lang, "adm.fps.added", map[string]any{"Name": fp.Name}))
}

// deleteFocalPointPage removes the focal point :fid, which must be one of the
// state's or organisation's (code): an id alone grants nothing.
func (s *Server) deleteFocalPointPage(c *gin.Context, lang, code, back string) {
	ctx, a := c.Request.Context(), actorOf(c)
	id, _ := strconv.ParseInt(c.Param("fid"), 10, 64)
	fps, err := s.deps.FocalPoints.List(ctx, a, code)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	for _, fp := range fps {
		if fp.ID == id {
			if err := s.deps.FocalPoints.Delete(ctx, a, id); err != nil {
				s.pageError(c, lang, err)
				return
			}
			s.redirectBack(c, back, s.cat.T(lang, "adm.fps.removed", map[string]any{"Name": fp.Name}))
			return
		}
	}
	s.pageError(c, lang, apperr.New(apperr.NotFound, apperr.M("err.no_focal_point_of", "Code", code)))
}
