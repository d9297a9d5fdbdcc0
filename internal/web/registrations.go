package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/registration"
)

func (s *Server) register(c *gin.Context) {
	s.withID(c, http.StatusCreated, func(id int64) (any, error) {
		var in registration.Input
		if err := s.decodeJSON(c, &in); err != nil {
			return nil, err
		}
		return s.deps.Registrations.Register(c.Request.Context(), actorOf(c), id, in)
	})
}

func (s *Server) registrationFilter(c *gin.Context) (registration.Filter, error) {
	fields := apperr.Fields{}
	f := registration.Filter{State: c.Query("state"), Status: c.Query("status"), Role: c.Query("role"),
		Lang: i18n.Lang(c.Query("lang")), Cursor: c.Query("cursor")}
	f.Limit = queryLimit(c, fields)
	if f.Limit == 0 {
		f.Limit = 50
	}
	return f, fields.Err()
}

func (s *Server) listRegistrations(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		f, err := s.registrationFilter(c)
		if err != nil {
			return nil, err
		}
		rows, next, err := s.deps.Registrations.Registrations(c.Request.Context(), actorOf(c), id, f)
		return gin.H{"registrations": nonNil(rows), "next": nullable(next)}, err
	})
}

func (s *Server) attendance(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		counts, err := s.deps.Registrations.Counts(c.Request.Context(), actorOf(c), id, i18n.Lang(c.Query("lang")))
		return gin.H{"states": nonNil(counts)}, err
	})
}

func (s *Server) publicParticipants(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		ps, err := s.deps.Registrations.PublicParticipants(c.Request.Context(), actorOf(c), id, i18n.Lang(c.Query("lang")))
		return gin.H{"participants": nonNil(ps)}, err
	})
}

func (s *Server) getRegistration(c *gin.Context) {
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		return s.deps.Registrations.Get(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) approveRegistration(c *gin.Context) {
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		return s.deps.Registrations.Approve(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) cancelRegistration(c *gin.Context) {
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		return s.deps.Registrations.Cancel(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) declineRegistration(c *gin.Context) {
	var in reasonInput
	if c.Request.ContentLength != 0 {
		if err := s.decodeJSON(c, &in); err != nil {
			s.writeError(c, err)
			return
		}
	}
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		return s.deps.Registrations.Decline(c.Request.Context(), actorOf(c), id, in.reason())
	})
}

func (s *Server) checkIn(c *gin.Context) {
	var in struct {
		Undo bool `json:"undo"`
	}
	if c.Request.ContentLength != 0 {
		if err := s.decodeJSON(c, &in); err != nil {
			s.writeError(c, err)
			return
		}
	}
	s.registrationAction(c, func(id int64) (registration.Registration, error) {
		return s.deps.Registrations.CheckIn(c.Request.Context(), actorOf(c), id, in.Undo)
	})
}

func (s *Server) replaceRegistration(c *gin.Context) {
	s.withID(c, http.StatusCreated, func(id int64) (any, error) {
		var d registration.Details
		if err := s.decodeJSON(c, &d); err != nil {
			return nil, err
		}
		return s.deps.Registrations.Replace(c.Request.Context(), actorOf(c), id, d)
	})
}

func (s *Server) registrationAction(c *gin.Context, act func(id int64) (registration.Registration, error)) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) { return act(id) })
}

// The manage link's JSON side: GET/PATCH /api/v1/manage/{token}, POST …/cancel.

func (s *Server) getOwnRegistration(c *gin.Context) {
	r, _, err := s.deps.Registrations.ByManageToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	docs, err := s.manageDocuments(c, r)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, struct {
		registration.Registration
		Documents []document.Document `json:"documents"`
	}{r, docs})
}

// manageDocuments lists the meeting's documents as the person holding the
// manage link reads them, with download addresses through that link.
func (s *Server) manageDocuments(c *gin.Context, r registration.Registration) ([]document.Document, error) {
	reader := document.Reader{Link: &document.LinkHolder{MeetingID: r.MeetingID, Confirmed: r.Status == registration.StatusConfirmed}}
	ds, _, err := s.deps.Documents.Documents(c.Request.Context(), reader, r.MeetingID)
	if err != nil {
		return nil, err
	}
	return withURLs(ds, c.Param("token")), nil
}

func (s *Server) updateOwnRegistration(c *gin.Context) {
	body, err := s.readBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	r, err := s.deps.Registrations.UpdateOwn(c.Request.Context(), c.Param("token"), patchOnto[registration.Details](body))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) cancelOwnRegistration(c *gin.Context) {
	r, err := s.deps.Registrations.CancelOwn(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// exportRegistrations: GET …/registrations.csv and .xlsx — the whole list
// (with the same filters) in protocol order for ?lang=.
func (s *Server) exportRegistrations(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := idParam(c, "id")
		if err != nil {
			s.writeError(c, err)
			return
		}
		f, err := s.registrationFilter(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		f.Limit, f.Cursor = 0, ""
		rows, _, err := s.deps.Registrations.Registrations(c.Request.Context(), actorOf(c), id, f)
		if err != nil {
			s.writeError(c, err)
			return
		}
		m, err := s.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		name := fmt.Sprintf("participants-%d-%s.%s", id, f.Lang, format)
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
		if format == "csv" {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			err = registration.WriteCSV(c.Writer, rows, f.Lang)
		} else {
			c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			err = registration.WriteXLSX(c.Writer, rows, f.Lang, m.Title(f.Lang))
		}
		if err != nil {
			s.log.ErrorContext(c.Request.Context(), "export failed", "error", err, "request_id", requestID(c))
		}
	}
}
