package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type emailBody struct {
	Email string `json:"email"`
}

// privacyExport: POST /api/v1/privacy/export — everything held about an
// address (admin). POST, so that the address stays out of URLs and logs.
func (s *Server) privacyExport(c *gin.Context) {
	var in emailBody
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	report, err := s.deps.Privacy.Export(c.Request.Context(), actorOf(c), in.Email)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, report)
}

// privacyErase: POST /api/v1/privacy/erase — erase an address (admin).
func (s *Server) privacyErase(c *gin.Context) {
	var in emailBody
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	sum, err := s.deps.Privacy.Erase(c.Request.Context(), actorOf(c), in.Email)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}
