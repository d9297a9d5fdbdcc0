package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/registration"
)

// Personal invitations (guests) and the secretariat's funding decisions.

func (s *Server) inviteGuest(c *gin.Context) {
	s.withID(c, http.StatusCreated, func(id int64) (any, error) {
		var in registration.GuestInput
		if err := s.decodeJSON(c, &in); err != nil {
			return nil, err
		}
		return s.deps.Registrations.InviteGuest(c.Request.Context(), actorOf(c), id, in)
	})
}

func (s *Server) listGuests(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		gs, err := s.deps.Registrations.Guests(c.Request.Context(), actorOf(c), id)
		return gin.H{"guests": gs}, err
	})
}

func (s *Server) resendGuest(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		return s.deps.Registrations.ResendGuest(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) revokeGuest(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		return s.deps.Registrations.RevokeGuest(c.Request.Context(), actorOf(c), id)
	})
}

// fundingInput is the secretariat's decision: {"funded": true|false}.
type fundingInput struct {
	Funded *bool `json:"funded"`
}

func (s *Server) decideFunding(c *gin.Context) {
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		var in fundingInput
		if err := s.decodeJSON(c, &in); err != nil {
			return registration.Registration{}, err
		}
		return s.deps.Registrations.DecideFunding(c.Request.Context(), actorOf(c), id, in.Funded)
	})
}

// setAttendance: POST /api/v1/registrations/{id}/attendance {"attendance": "in_person"|"online"}.
func (s *Server) setAttendance(c *gin.Context) {
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		var in struct {
			Attendance string `json:"attendance"`
		}
		if err := s.decodeJSON(c, &in); err != nil {
			return registration.Registration{}, err
		}
		return s.deps.Registrations.SetAttendance(c.Request.Context(), actorOf(c), id, in.Attendance)
	})
}
