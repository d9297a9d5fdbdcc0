package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/organisation"
)

// orgFields are the fields of the forms that add and edit an organisation.
var orgFields = []string{"code", "name_en", "name_fr", "kind", "status"}

// orgsView is the list of organisations with the form that adds one, or
// one organisation with its form and its focal points.
type orgsView struct {
	Organisations []organisation.Organisation
	Org           organisation.Organisation
	Kinds         []string
	Statuses      []string
	Form          *form
	Focal         []invitation.FocalPoint
}

func (s *Server) orgsView(v orgsView) orgsView {
	v.Kinds, v.Statuses = organisation.Kinds, []string{organisation.StatusActive, organisation.StatusInactive}
	return v
}

// adminOrganisationsPage: GET /admin/organisations — the organisations in
// protocol order, and a form to add one.
func (s *Server) adminOrganisationsPage(c *gin.Context) {
	s.renderOrganisations(c, http.StatusOK, newForm(map[string]string{"kind": "international", "status": organisation.StatusActive}))
}

func (s *Server) renderOrganisations(c *gin.Context, status int, f *form) {
	lang := language(c)
	orgs, err := s.deps.Organisations.Organisations(c.Request.Context(), lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.render(c, status, "admin_organisations", page{Lang: lang, Title: s.cat.T(lang, "adm.orgs.title", nil),
		Data: s.orgsView(orgsView{Organisations: orgs, Form: f})})
}

// adminCreateOrganisation: POST /admin/organisations.
func (s *Server) adminCreateOrganisation(c *gin.Context) {
	lang := language(c)
	f := newForm(formValues(c.PostForm, orgFields...))
	o, err := s.deps.Organisations.Create(c.Request.Context(), actorOf(c), organisation.Fields{Code: f.V("code"),
		NameEN: f.V("name_en"), NameFR: f.V("name_fr"), Kind: f.V("kind"), Status: f.V("status")})
	if err != nil {
		if !s.failForm(f, err, lang, orgFields...) {
			s.pageError(c, lang, err)
			return
		}
		s.renderOrganisations(c, statusOf(apperr.CodeOf(err)), f)
		return
	}
	s.redirectBack(c, "/admin/organisations#org-"+o.Code, s.cat.T(lang, "adm.orgs.created", map[string]any{"Name": o.Name(lang)}))
}

func (s *Server) orgParam(c *gin.Context) (organisation.Organisation, error) {
	return s.deps.Organisations.Organisation(c.Request.Context(), strings.ToUpper(c.Param("code")))
}

// adminOrganisationPage: GET /admin/organisations/{code} — edit names, kind, status.
func (s *Server) adminOrganisationPage(c *gin.Context) {
	lang := language(c)
	o, err := s.orgParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(map[string]string{"name_en": o.NameEN, "name_fr": o.NameFR, "kind": o.Kind, "status": o.Status})
	s.renderOrganisation(c, http.StatusOK, lang, o, f)
}

func (s *Server) renderOrganisation(c *gin.Context, status int, lang string, o organisation.Organisation, f *form) {
	s.render(c, status, "admin_organisation", page{Lang: lang, Title: o.Name(lang) + " — " + s.cat.T(lang, "adm.orgs.title", nil),
		Data: s.orgsView(orgsView{Org: o, Form: f})})
}

// adminUpdateOrganisation: POST /admin/organisations/{code}.
func (s *Server) adminUpdateOrganisation(c *gin.Context) {
	lang := language(c)
	o, err := s.orgParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	f := newForm(formValues(c.PostForm, orgFields...))
	saved, err := s.deps.Organisations.Update(c.Request.Context(), actorOf(c), o.Code, organisation.Fields{NameEN: f.V("name_en"),
		NameFR: f.V("name_fr"), Kind: f.V("kind"), Status: f.V("status")})
	if err != nil {
		if !s.failForm(f, err, lang, orgFields...) {
			s.pageError(c, lang, err)
			return
		}
		s.renderOrganisation(c, statusOf(apperr.CodeOf(err)), lang, o, f)
		return
	}
	s.redirectBack(c, "/admin/organisations#org-"+saved.Code, s.cat.T(lang, "adm.states.saved", map[string]any{"State": saved.Name(lang)}))
}

// adminOrgFocalPointsPage: GET /admin/organisations/{code}/focal-points.
func (s *Server) adminOrgFocalPointsPage(c *gin.Context) {
	lang := language(c)
	o, err := s.orgParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.renderOrgFocalPoints(c, http.StatusOK, lang, o, newForm(map[string]string{"language": lang}))
}

func (s *Server) renderOrgFocalPoints(c *gin.Context, status int, lang string, o organisation.Organisation, f *form) {
	fps, err := s.deps.FocalPoints.List(c.Request.Context(), actorOf(c), o.Code)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.render(c, status, "admin_organisation_focal_points", page{Lang: lang, Title: s.cat.T(lang, "adm.fps.title", map[string]any{"State": o.Name(lang)}),
		Data: s.orgsView(orgsView{Org: o, Form: f, Focal: fps})})
}

// adminAddOrgFocalPoint: POST /admin/organisations/{code}/focal-points.
func (s *Server) adminAddOrgFocalPoint(c *gin.Context) {
	lang := language(c)
	o, err := s.orgParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.addFocalPointPage(c, lang, o.Code, "/admin/organisations/"+o.Code+"/focal-points", func(status int, f *form) {
		s.renderOrgFocalPoints(c, status, lang, o, f)
	})
}

// adminDeleteOrgFocalPoint: POST /admin/organisations/{code}/focal-points/{id}/delete.
// The contact must be one of the organisation's: an id alone grants nothing.
func (s *Server) adminDeleteOrgFocalPoint(c *gin.Context) {
	lang := language(c)
	o, err := s.orgParam(c)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	s.deleteFocalPointPage(c, lang, o.Code, "/admin/organisations/"+o.Code+"/focal-points")
}
