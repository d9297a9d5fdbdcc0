package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

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

func (s *Server) addFocalPoint(c *gin.Context) {
	var in invitation.NewFocalPoint
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	fp, err := s.deps.FocalPoints.Add(c.Request.Context(), actorOf(c), c.Param("code"), in)
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
