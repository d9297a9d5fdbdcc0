package web

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/meeting"
)

func (s *Server) getAgenda(c *gin.Context) {
	err := s.publicRead(c, readAgenda, "", func(id int64) (built, error) {
		m, err := s.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), id)
		if err != nil {
			return built{}, err
		}
		items, err := s.deps.Meetings.AgendaOf(c.Request.Context(), m)
		if err != nil {
			return built{}, err
		}
		body, err := json.Marshal(gin.H{"items": nonNil(items)})
		return built{contentType: "application/json; charset=utf-8", body: body, meeting: m,
			header: [][2]string{{"Vary", "Authorization, Cookie"}}}, err
	})
	if err != nil {
		s.writeError(c, err)
	}
}

func (s *Server) addAgendaItem(c *gin.Context) {
	s.withID(c, http.StatusCreated, func(id int64) (any, error) {
		f := meeting.ItemFields{Speakers: meeting.Speakers{}}
		if err := s.decodeJSON(c, &f); err != nil {
			return nil, err
		}
		return s.deps.Meetings.AddItem(c.Request.Context(), actorOf(c), id, f)
	})
}

func (s *Server) updateAgendaItem(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		body, err := s.readBody(c)
		if err != nil {
			return nil, err
		}
		return s.deps.Meetings.UpdateItem(c.Request.Context(), actorOf(c), id, patchOnto[meeting.ItemFields](body))
	})
}

func (s *Server) deleteAgendaItem(c *gin.Context) {
	s.withID(c, http.StatusNoContent, func(id int64) (any, error) {
		return nil, s.deps.Meetings.DeleteItem(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) reorderAgenda(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		var in struct {
			IDs []int64 `json:"ids"`
		}
		if err := s.decodeJSON(c, &in); err != nil {
			return nil, err
		}
		items, err := s.deps.Meetings.Reorder(c.Request.Context(), actorOf(c), id, in.IDs)
		return gin.H{"items": nonNil(items)}, err
	})
}

// withID runs the handler body of a route with an :id: a malformed id is
// not found, an error gets the error body, a result is written with status
// (no body for 204).
func (s *Server) withID(c *gin.Context, status int, fn func(id int64) (any, error)) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	v, err := fn(id)
	switch {
	case err != nil:
		s.writeError(c, err)
	case status == http.StatusNoContent:
		c.Status(status)
	default:
		c.JSON(status, v)
	}
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
