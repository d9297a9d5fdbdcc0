package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/state"
)

// adminRoutes lists the admin pages: accounts, the member-state roster and
// its focal-point contacts, and the mail check.
func (s *Server) adminRoutes(r *gin.Engine) {
	admin := r.Group("/admin", s.requirePage(auth.RoleAdmin))
	admin.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin/users") })
	admin.GET("/users", s.adminUsersPage)
	admin.POST("/users", s.adminCreateUser)
	admin.GET("/users/:uid", s.adminUserPage)
	admin.POST("/users/:uid", s.adminChangeUser)
	admin.POST("/users/:uid/delete", s.adminDeleteUser)
	admin.GET("/states", s.adminStatesPage)
	admin.GET("/states/:code", s.adminStatePage)
	admin.POST("/states/:code", s.adminUpdateState)
	admin.GET("/states/:code/focal-points", s.adminFocalPointsPage)
	admin.POST("/states/:code/focal-points", s.adminAddFocalPoint)
	admin.POST("/states/:code/focal-points/:fid/delete", s.adminDeleteFocalPoint)
	admin.GET("/organisations", s.adminOrganisationsPage)
	admin.POST("/organisations", s.adminCreateOrganisation)
	admin.GET("/organisations/:code", s.adminOrganisationPage)
	admin.POST("/organisations/:code", s.adminUpdateOrganisation)
	admin.GET("/organisations/:code/focal-points", s.adminOrgFocalPointsPage)
	admin.POST("/organisations/:code/focal-points", s.adminAddOrgFocalPoint)
	admin.POST("/organisations/:code/focal-points/:fid/delete", s.adminDeleteOrgFocalPoint)
	admin.GET("/mail", s.adminMailPage)
	admin.POST("/mail", s.adminMailCheck)
}

// userFields are the fields of the account forms.
var userFields = []string{"email", "name", "role", "state", "language", "password"}

// usersView is the list of accounts with the form that creates one.
type usersView struct {
	Users  []auth.User
	States []state.State // for the state of a focal point, in protocol order
	Roles  []string
	Form   *form
	Me     int64

	// Organisations a focal point may be bound to instead of a state.
	Organisations []organisation.Organisation
}

// adminUsersPage: GET /admin/users.
func (s *Server) adminUsersPage(c *gin.Context) {
	lang := language(c)
	s.renderUsers(c, http.StatusOK, lang, newForm(map[string]string{"role": auth.RoleSecretariat, "language": lang}))
}

func (s *Server) renderUsers(c *gin.Context, status int, lang string, f *form) {
	ctx := c.Request.Context()
	users, err := s.deps.Auth.Users(ctx)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	states, err := s.deps.States.States(ctx, lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	orgs, err := s.deps.Organisations.Organisations(ctx, lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := usersView{Users: users, States: states, Roles: auth.Roles, Form: f, Me: actorOf(c).ID(), Organisations: orgs}
	s.render(c, status, "admin_users", page{Lang: lang, Title: s.cat.T(lang, "adm.users.title", nil), Data: v})
}

// adminCreateUser: POST /admin/users — a new account with an initial
// password the admin passes on (the person can change it through
// "forgotten password").
func (s *Server) adminCreateUser(c *gin.Context) {
	lang := language(c)
	f := newForm(formValues(c.PostForm, userFields...))
	f.Values["password"] = c.PostForm("password") // kept as typed, and never shown again
	st := f.V("state")
	if f.V("role") != auth.RoleFocalPoint {
		st = ""
	}
	u, err := s.deps.Auth.AddUser(c.Request.Context(), actorOf(c), auth.NewUser{Email: f.V("email"), Name: f.V("name"),
		Role: f.V("role"), State: st, Language: f.V("language"), Password: f.Values["password"]})
	if err != nil {
		if !s.failForm(f, err, lang, userFields...) {
			s.pageError(c, lang, err)
			return
		}
		if isDuplicateAccount(err) {
			f.Errors["email"], f.Problem = f.Problem, ""
		}
		f.Values["password"] = ""
		s.renderUsers(c, http.StatusUnprocessableEntity, lang, f)
		return
	}
	s.redirectBack(c, "/admin/users", s.cat.T(lang, "adm.users.created", map[string]any{"Name": u.Name, "Email": u.Email}))
}

// isDuplicateAccount reports whether err says the email has an account:
// that message belongs next to the email field.
func isDuplicateAccount(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Code == apperr.Conflict && e.Msg.Key == "err.account_exists"
}
