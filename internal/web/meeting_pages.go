package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/calendar"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/printout"
)

// meetingView is what the meeting pages show.
type meetingView struct {
	M     meeting.Meeting
	Loc   *time.Location
	Items []meeting.Item
	// States are the invited states, in protocol order for the page's language.
	States []invitee.Invitee
	// Docs are the documents the visitor may read, by agenda item.
	Docs *docsView
}

// meetingsPage lists upcoming meetings the visitor may see.
func (s *Server) meetingsPage(c *gin.Context) {
	lang := language(c)
	ms, _, err := s.deps.Meetings.Meetings(c.Request.Context(), actorOf(c), meeting.Filter{Upcoming: true, Limit: 200})
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	var views []meetingView
	for _, m := range ms {
		if m.Status == meeting.StatusDraft {
			continue
		}
		views = append(views, meetingView{M: m, Loc: m.Zone()})
	}
	s.render(c, http.StatusOK, "meetings", page{Lang: lang, Title: s.cat.T(lang, "meetings.title", nil), Data: views})
}

// pastPageSize is how many past meetings a page of the public list shows.
const pastPageSize = 20

// pastMeetingsView is a page of the public list of past meetings, the
// most recent first.
type pastMeetingsView struct {
	Meetings []meetingView
	// Next leads to older meetings, First back to the most recent ("" when
	// there is no such page).
	Next, First string
}

// pastMeetingsPage: GET /meetings/past[?cursor=] — the public meetings that
// took place (held, or held and archived), with their agendas one link
// away; public meetings only, whoever asks, since this is the public
// record. An address whose cursor means nothing shows the first page.
func (s *Server) pastMeetingsPage(c *gin.Context) {
	lang := language(c)
	f := meeting.Filter{Past: true, PublicRecord: true, Limit: pastPageSize, Cursor: c.Query("cursor")}
	ms, next, err := s.deps.Meetings.Meetings(c.Request.Context(), actorOf(c), f)
	if e, ok := apperr.As(err); ok && e.Fields["cursor"].Key != "" {
		f.Cursor = ""
		ms, next, err = s.deps.Meetings.Meetings(c.Request.Context(), actorOf(c), f)
	}
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := pastMeetingsView{}
	for _, m := range ms {
		v.Meetings = append(v.Meetings, meetingView{M: m, Loc: m.Zone()})
	}
	if next != "" {
		v.Next = "/meetings/past?" + url.Values{"cursor": {next}}.Encode()
	}
	if f.Cursor != "" {
		v.First = "/meetings/past"
	}
	s.render(c, http.StatusOK, "meetings_past", page{Lang: lang, Title: s.cat.T(lang, "meetings.past_title", nil), Data: v})
}

// loadMeetingView reads a meeting and its agenda as the visitor may see
// them, with the invited states in protocol order for lang.
func (s *Server) loadMeetingView(c *gin.Context, id int64, lang string) (meetingView, error) {
	m, err := s.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), id)
	if err != nil {
		return meetingView{}, err
	}
	items, err := s.deps.Meetings.AgendaOf(c.Request.Context(), m)
	if err != nil {
		return meetingView{}, err
	}
	states, err := s.deps.Meetings.Audience(c.Request.Context(), m, lang)
	if err != nil {
		return meetingView{}, err
	}
	docs, err := s.meetingDocuments(c.Request.Context(), document.Reader{Actor: actorOf(c)}, m, items, lang, "")
	if err != nil {
		return meetingView{}, err
	}
	return meetingView{M: m, Loc: m.Zone(), Items: items, States: states, Docs: docs}, nil
}

func (s *Server) meetingPage(c *gin.Context) {
	lang := language(c)
	err := s.publicRead(c, readPage, lang, func(id int64) (built, error) {
		v, err := s.loadMeetingView(c, id, lang)
		if err != nil {
			return built{}, err
		}
		b, err := s.renderPage(c, "meeting", page{Lang: lang, Title: v.M.Title(lang), Data: v})
		b.meeting = v.M
		return b, err
	})
	if err != nil {
		s.pageError(c, lang, err)
	}
}

func (s *Server) agendaPrintPage(c *gin.Context) {
	lang := language(c)
	err := s.publicRead(c, readPrint, lang, func(id int64) (built, error) {
		v, err := s.loadMeetingView(c, id, lang)
		if err != nil {
			return built{}, err
		}
		b, err := s.renderPage(c, "agenda_print", page{Lang: lang, Title: s.cat.T(lang, "agenda.title", nil) + " — " + v.M.Title(lang), Data: v})
		b.meeting = v.M
		return b, err
	})
	if err != nil {
		s.pageError(c, lang, err)
	}
}

func (s *Server) agendaPDF(c *gin.Context) {
	lang := language(c)
	id, err := idParam(c, "id")
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v, err := s.loadMeetingView(c, id, lang)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	labels := printout.Labels{
		Agenda:    s.cat.T(lang, "agenda.title", nil),
		Speakers:  s.cat.T(lang, "meeting.speakers", nil),
		TimesNote: s.cat.T(lang, "meeting.times_note", map[string]any{"Zone": v.M.TimeZone}),
		Printed:   s.cat.T(lang, "agenda.printed", map[string]any{"Date": i18n.Date(time.Now().In(v.Loc), lang)}),
		Documents: s.cat.T(lang, "meeting.documents", nil),
	}
	labels.ItemDocuments, labels.General = pdfDocumentLines(v.Docs)
	pdf, err := printout.AgendaPDF(v.M, v.Items, lang, labels)
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="agenda-%d-%s.pdf"`, v.M.ID, lang))
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// calendarICS: GET /meetings/{id}/calendar.ics[?lang=fr] — the meeting as
// an iCalendar file, visible to whoever may see the meeting.
func (s *Server) calendarICS(c *gin.Context) {
	lang := i18n.Lang(c.Query("lang"))
	err := s.publicRead(c, readCalendar, lang, func(id int64) (built, error) {
		m, err := s.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), id)
		if err != nil {
			return built{}, err
		}
		ics, err := calendar.Render(meeting.CalendarEvent(m, lang, s.cfg.BaseURL), calendar.MethodPublish)
		return built{contentType: "text/calendar; charset=utf-8", body: ics, meeting: m, header: [][2]string{
			{"Content-Disposition", fmt.Sprintf(`attachment; filename="meeting-%d.ics"`, m.ID)},
			{"Vary", "Authorization, Cookie"}}}, err
	})
	if err != nil {
		s.writeError(c, err)
	}
}
