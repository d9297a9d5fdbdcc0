package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/mail"
)

// listMail: GET /api/v1/mail — the mail log, newest first.
func (s *Server) listMail(c *gin.Context) {
	errs := apperr.Fields{}
	f := mail.Filter{Status: c.Query("status"), To: c.Query("to"), Cursor: c.Query("cursor"), Limit: queryLimit(c, errs)}
	if v := c.Query("meeting_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("meeting_id", apperr.M("err.meeting_id"))
		}
		f.MeetingID = id
	}
	if err := errs.Err(); err != nil {
		s.writeError(c, err)
		return
	}
	msgs, next, err := s.deps.Outbox.List(c.Request.Context(), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"messages": nonNil(msgs), "next": nullable(next)})
}

// resendMail: POST /api/v1/mail/{id}/resend — queue a failed (or sent) email again.
func (s *Server) resendMail(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	m, err := s.deps.Outbox.Resend(c.Request.Context(), actorOf(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// releaseMail: POST /api/v1/mail/release — send what was withheld while
// no SMTP server was configured.
func (s *Server) releaseMail(c *gin.Context) {
	if !s.cfg.SMTPConfigured {
		s.writeError(c, apperr.New(apperr.Conflict, apperr.M("err.no_smtp")))
		return
	}
	n, err := s.deps.Outbox.Release(c.Request.Context(), actorOf(c))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"released": n})
}
