package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
)

func (s *Server) listFocalPoints(c *gin.Context) {
	fps, err := s.deps.FocalPoints.List(c.Request.Context(), actorOf(c), c.Param("code"))
	if err == nil {
		_, err = s.deps.States.State(c.Request.Context(), strings.ToUpper(c.Param("code"))) // an organisation's code is not found here
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"focal_points": fps})
}

// addFocalPoint: POST /api/v1/states/{code}/focal-points — a state's
// only: an organisation's code is not found here, as on GET.
func (s *Server) addFocalPoint(c *gin.Context) {
	s.addFocalPointTo(c, func(ctx context.Context, code string) error {
		_, err := s.deps.States.State(ctx, code)
		return err
	})
}

// addFocalPointTo adds a focal point to the invitee of the route's code
// once exists has found it among the invitees the route serves (states or
// organisations). Only the secretariat is told that a code does not
// exist; others get the service's 401 or 403 first.
func (s *Server) addFocalPointTo(c *gin.Context, exists func(ctx context.Context, code string) error) {
	var in invitation.NewFocalPoint
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	code := strings.ToUpper(c.Param("code"))
	if a.Is(auth.RoleSecretariat) {
		if err := exists(ctx, code); err != nil {
			s.writeError(c, err)
			return
		}
	}
	fp, err := s.deps.FocalPoints.Add(ctx, a, code, in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, fp)
}

func (s *Server) deleteFocalPoint(c *gin.Context) {
	s.withID(c, http.StatusNoContent, func(id int64) (any, error) {
		return nil, s.deps.FocalPoints.Delete(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) invite(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		var req invitation.Request
		if c.Request.ContentLength != 0 {
			if err := s.decodeJSON(c, &req); err != nil {
				return nil, err
			}
		}
		return s.deps.Invitations.Invite(c.Request.Context(), actorOf(c), id, req)
	})
}

func (s *Server) listInvitations(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		invs, err := s.deps.Invitations.Invitations(c.Request.Context(), actorOf(c), id)
		return gin.H{"invitations": invs}, err
	})
}

func (s *Server) revokeInvitation(c *gin.Context) {
	s.withID(c, http.StatusNoContent, func(id int64) (any, error) {
		return nil, s.deps.Invitations.Revoke(c.Request.Context(), actorOf(c), id, c.Param("code"))
	})
}

func (s *Server) remind(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		n, err := s.deps.Invitations.Remind(c.Request.Context(), actorOf(c), id)
		return gin.H{"emails_queued": n}, err
	})
}
