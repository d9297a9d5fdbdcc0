package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/state"
)

// userView is one account's page: change its role, state and language, or
// delete it.
type userView struct {
	U      auth.User
	States []state.State
	Roles  []string
	Form   *form
	Me     bool // the admin is looking at their own account

	// Organisations a focal point may be bound to instead of a state.
	Organisations []organisation.Organisation
}

// changeFields are the fields of the form that changes an account.
var changeFields = []string{"role", "state", "language"}

func (s *Server) accountParam(c *gin.Context) (auth.User, error) {
	id, err := strconv.ParseInt(c.Param("uid"), 10, 64)
	if err != nil || id <= 0 {
		return auth.User{}, apperr.New(apperr.NotFound, apperr.M("err.no_account"))
	}
	return s.deps.Auth.UserByID(c.Request.Context(), id)
}

// adminUserPage: GET /admin/users/{id}.
func (s *Server) adminUserPage(c *gin.Context) {
	lang := language(c)
	u, err := s.accountParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	st := ""
	if u.Invitee != nil {
		st = *u.Invitee
	}
	s.renderUser(c, http.StatusOK, lang, u, newForm(map[string]string{"role": u.Role, "state": st, "language": u.Language}))
}

func (s *Server) renderUser(c *gin.Context, status int, lang string, u auth.User, f *form) {
	states, err := s.deps.States.States(c.Request.Context(), lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	orgs, err := s.deps.Organisations.Organisations(c.Request.Context(), lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := userView{U: u, States: states, Roles: auth.Roles, Form: f, Me: u.ID == actorOf(c).ID(), Organisations: orgs}
	s.render(c, status, "admin_user", page{Lang: lang, Title: u.Name + " — " + s.cat.T(lang, "adm.users.title", nil), Data: v})
}

// adminChangeUser: POST /admin/users/{id} — role, state, language. The
// last admin cannot be demoted: the page says so next to the form.
func (s *Server) adminChangeUser(c *gin.Context) {
	lang := language(c)
	u, err := s.accountParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(formValues(c.PostForm, changeFields...))
	changed, err := s.deps.Auth.ChangeUser(c.Request.Context(), actorOf(c), u.ID,
		auth.UserChange{Role: f.V("role"), State: f.V("state"), Language: f.V("language")})
	if err != nil {
		if !s.failForm(f, err, lang, changeFields...) || apperr.Is(err, apperr.Forbidden) {
			s.pageError(c, lang, err)
			return
		}
		s.renderUser(c, statusOf(apperr.CodeOf(err)), lang, u, f)
		return
	}
	s.redirectBack(c, "/admin/users", s.cat.T(lang, "adm.users.changed", map[string]any{"Name": changed.Name}))
}

// adminDeleteUser: POST /admin/users/{id}/delete.
func (s *Server) adminDeleteUser(c *gin.Context) {
	lang := language(c)
	u, err := s.accountParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	if err := s.deps.Auth.DeleteUser(c.Request.Context(), actorOf(c), u.ID); err != nil {
		f := newForm(nil)
		if !s.failForm(f, err, lang) || apperr.Is(err, apperr.Forbidden) {
			s.pageError(c, lang, err)
			return
		}
		st := ""
		if u.Invitee != nil {
			st = *u.Invitee
		}
		f.Values = map[string]string{"role": u.Role, "state": st, "language": u.Language}
		s.renderUser(c, statusOf(apperr.CodeOf(err)), lang, u, f)
		return
	}
	s.redirectBack(c, "/admin/users", s.cat.T(lang, "adm.users.deleted", map[string]any{"Name": u.Name}))
}
