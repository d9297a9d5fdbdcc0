package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/printout"
	"github.com/coe-agora/agora/internal/registration"
)

// The list of participants: GET /meetings/{id}/participants and
// …/participants.pdf[?lang=fr][&attended=1], visible as the meeting is
// (a hidden meeting is not found). Not kept in the response cache: the
// list changes with registrations, which do not touch the meeting.

// participantList reads the list the visitor may see in lang.
func (s *Server) participantList(c *gin.Context, lang string) (registration.ParticipantList, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return registration.ParticipantList{}, err
	}
	attended := c.Query("attended") == "1" || c.Query("attended") == "true"
	return s.deps.Registrations.ParticipantList(c.Request.Context(), actorOf(c), id, lang, attended)
}

func (s *Server) participantsPage(c *gin.Context) {
	lang := language(c)
	list, err := s.participantList(c, lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	title := s.cat.T(lang, "participants.title", nil) + " — " + list.Meeting.Title(lang)
	s.render(c, http.StatusOK, "participants", page{Lang: lang, Title: title, Data: list})
}

func (s *Server) participantsPDF(c *gin.Context) {
	lang := language(c)
	list, err := s.participantList(c, lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	l := printout.ParticipantLabels{
		Title:        s.cat.T(lang, "participants.title", nil),
		Printed:      s.cat.T(lang, "agenda.printed", map[string]any{"Date": i18n.Date(time.Now().In(list.Meeting.Zone()), lang)}),
		None:         s.cat.T(lang, "participants.none", nil),
		AttendedOnly: s.cat.T(lang, "participants.attended_note", nil),
		Groups:       map[string]string{},
		Roles:        map[string]string{},
	}
	for _, g := range list.Groups {
		l.Groups[g.Key] = s.cat.T(lang, "participants.group."+g.Key, nil)
	}
	for _, r := range append(registration.Roles, registration.GuestRoles...) {
		l.Roles[r] = s.cat.T(lang, "role."+r, nil)
	}
	pdf, err := printout.ParticipantsPDF(list, lang, l)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="participants-%d-%s.pdf"`, list.Meeting.ID, lang))
	c.Data(http.StatusOK, "application/pdf", pdf)
}
