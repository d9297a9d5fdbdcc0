package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/audit"
)

// listAudit: GET /api/v1/audit — the audit trail, newest first, per
// meeting, per account (what they did) or per registration (a person).
func (s *Server) listAudit(c *gin.Context) {
	errs := apperr.Fields{}
	f := audit.Filter{Cursor: c.Query("cursor"), Limit: queryLimit(c, errs)}
	for name, dst := range map[string]*int64{"meeting_id": &f.MeetingID, "user_id": &f.UserID, "registration_id": &f.SubjectID} {
		if v := c.Query(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				errs.Add(name, apperr.M("err.id"))
			}
			*dst = n
		}
	}
	if f.SubjectID != 0 {
		f.SubjectType = "registration"
	}
	if err := errs.Err(); err != nil {
		s.writeError(c, err)
		return
	}
	entries, next, err := s.deps.Audit.List(c.Request.Context(), actorOf(c), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": entries, "next": nullable(next)})
}
