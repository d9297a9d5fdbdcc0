package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/state"
)

// listStates: GET /api/v1/states[?lang=fr] — the roster in protocol order.
func (s *Server) listStates(c *gin.Context) {
	lang := c.DefaultQuery("lang", "en")
	if lang != "en" && lang != "fr" {
		s.writeError(c, apperr.InvalidField("lang", apperr.M("err.lang_values")))
		return
	}
	states, err := s.deps.States.States(c.Request.Context(), lang)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"states": states})
}

// updateState: PUT /api/v1/states/{code} — an admin edits names and status.
func (s *Server) updateState(c *gin.Context) {
	code := strings.ToUpper(c.Param("code"))
	var in state.Update
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	st, err := s.deps.States.UpdateState(c.Request.Context(), actorOf(c), code, in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}
