package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
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
	st, err := s.deps.States.UpdateState(c.Request.Context(), code, in, func(ctx context.Context, q sqlx.ExecerContext) error {
		return audit.Record(ctx, q, actorOf(c), audit.Event{Action: "state.update", State: code, SubjectType: "state",
			Details: map[string]any{"status": in.Status}})
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}
