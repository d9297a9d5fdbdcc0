package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// reminders: GET /api/v1/meetings/{id}/reminders — where the meeting's
// automatic reminders stand (secretariat).
func (s *Server) reminders(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		rs, err := s.deps.Invitations.Reminders(c.Request.Context(), actorOf(c), id)
		return gin.H{"reminders": rs}, err
	})
}
