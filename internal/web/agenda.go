package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/meeting"
)

func (s *Server) getAgenda(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	items, err := s.deps.Meetings.Agenda(c.Request.Context(), actorOf(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": nonNil(items)})
}

func (s *Server) addAgendaItem(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := meeting.ItemFields{Speakers: meeting.Speakers{}}
	if err := s.decodeJSON(c, &f); err != nil {
		s.writeError(c, err)
		return
	}
	it, err := s.deps.Meetings.AddItem(c.Request.Context(), actorOf(c), id, f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, it)
}

func (s *Server) updateAgendaItem(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	body, err := s.readBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	it, err := s.deps.Meetings.UpdateItem(c.Request.Context(), actorOf(c), id, patchOnto[meeting.ItemFields](body))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

func (s *Server) deleteAgendaItem(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.deps.Meetings.DeleteItem(c.Request.Context(), actorOf(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) reorderAgenda(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	var in struct {
		IDs []int64 `json:"ids"`
	}
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	items, err := s.deps.Meetings.Reorder(c.Request.Context(), actorOf(c), id, in.IDs)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": nonNil(items)})
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
