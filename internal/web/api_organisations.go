package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/organisation"
)

// listOrganisations: GET /api/v1/organisations[?lang=fr] — public, in
// protocol order.
func (s *Server) listOrganisations(c *gin.Context) {
	lang := c.DefaultQuery("lang", "en")
	if lang != "en" && lang != "fr" {
		s.writeError(c, apperr.InvalidField("lang", apperr.M("err.lang_values")))
		return
	}
	orgs, err := s.deps.Organisations.Organisations(c.Request.Context(), lang)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"organisations": orgs})
}

// createOrganisation: POST /api/v1/organisations — admins and the
// secretariat add one to the roster.
func (s *Server) createOrganisation(c *gin.Context) {
	var in organisation.Fields
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	o, err := s.deps.Organisations.Create(c.Request.Context(), actorOf(c), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

// updateOrganisation: PUT /api/v1/organisations/{code} — an admin edits
// names, kind and status.
func (s *Server) updateOrganisation(c *gin.Context) {
	var in organisation.Fields
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	o, err := s.deps.Organisations.Update(c.Request.Context(), actorOf(c), strings.ToUpper(c.Param("code")), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// listOrganisationFocalPoints: GET /api/v1/organisations/{code}/focal-points,
// as for a state: the secretariat, and the organisation's own focal points.
func (s *Server) listOrganisationFocalPoints(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	code := strings.ToUpper(c.Param("code"))
	fps, err := s.deps.FocalPoints.List(ctx, a, code)
	if err == nil {
		_, err = s.deps.Organisations.Organisation(ctx, code) // a state's code is not found here
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"focal_points": fps})
}

// addOrganisationFocalPoint: POST /api/v1/organisations/{code}/focal-points.
func (s *Server) addOrganisationFocalPoint(c *gin.Context) {
	s.addFocalPointTo(c, func(ctx context.Context, code string) error {
		_, err := s.deps.Organisations.Organisation(ctx, code)
		return err
	})
}
