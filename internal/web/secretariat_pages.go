package web

import (
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/templates"
)

// secretariat serves the secretariat's pages. It embeds the Server for
// rendering and the services, and adds what only these pages need.
type secretariat struct {
	*Server
	// emails renders the invitation preview. web.Deps carries no mail
	// renderer, so the pages build their own from the embedded templates
	// on first use.
	emails func() (*mail.Renderer, error)
}

// secPlatformName is what {{platform}} shows in previews when the server
// was built without the application's renderer (tests of the web package).
const secPlatformName = "Agora — drug policy cooperation platform, Council of Europe"

// secretariatRoutes lists the secretariat pages. Every one needs the
// secretariat role (admins pass too); every action is a POST form that
// redirects back with a message.
func (s *Server) secretariatRoutes(r *gin.Engine) {
	h := &secretariat{Server: s, emails: sync.OnceValues(func() (*mail.Renderer, error) {
		if s.deps.Renderer != nil {
			return s.deps.Renderer, nil
		}
		sub, err := fs.Sub(templates.FS, "email")
		if err != nil {
			return nil, err
		}
		return mail.NewRenderer(sub, secPlatformName)
	})}
	g := r.Group("/secretariat", s.requirePage(auth.RoleSecretariat))
	g.GET("", h.dashboard)
	g.GET("/archive", h.archivePage)
	g.GET("/meetings/new", h.newMeetingPage)
	g.POST("/meetings/new", h.createMeetingForm)
	g.GET("/meetings/:id", h.overviewPage)
	g.GET("/meetings/:id/edit", h.editMeetingPage)
	g.POST("/meetings/:id/edit", h.saveMeetingForm)
	g.POST("/meetings/:id/publish", h.publishForm)
	g.POST("/meetings/:id/cancel", h.cancelForm)
	g.POST("/meetings/:id/archive", h.archiveForm)
	g.POST("/meetings/:id/copy", h.copyForm)
	g.POST("/meetings/:id/delete", h.deleteForm)
	g.GET("/meetings/:id/history", h.historyPage)
	g.GET("/meetings/:id/agenda", h.agendaPage)
	g.POST("/meetings/:id/agenda", h.addItemForm)
	g.POST("/meetings/:id/agenda/:item", h.updateItemForm)
	g.POST("/meetings/:id/agenda/:item/delete", h.deleteItemForm)
	g.POST("/meetings/:id/agenda/:item/move", h.moveItemForm)
	g.GET("/meetings/:id/documents", h.documentsPage)
	g.POST("/meetings/:id/documents/upload", h.uploadDocumentsForm)
	g.POST("/meetings/:id/documents/:doc", h.saveDocumentForm)
	g.POST("/meetings/:id/documents/:doc/withdraw", h.withdrawDocumentForm)
	g.POST("/meetings/:id/documents/:doc/move", h.moveDocumentForm)
	g.GET("/meetings/:id/invitations", h.invitationsPage)
	g.POST("/meetings/:id/invitations", h.sendInvitationsForm)
	g.POST("/meetings/:id/invitations/remind", h.remindForm)
	g.GET("/meetings/:id/registrations", h.registrationsPage)
	g.POST("/meetings/:id/registrations/:reg/approve", h.approveForm)
	g.POST("/meetings/:id/registrations/:reg/decline", h.declineForm)
	g.POST("/meetings/:id/registrations/:reg/check-in", h.checkInForm)
	g.POST("/meetings/:id/registrations/:reg/attendance", h.attendanceForm)
	g.GET("/meetings/:id/check-in", h.doorPage)
	g.POST("/meetings/:id/check-in", h.doorScanForm)
	g.POST("/meetings/:id/check-in/:reg", h.doorPersonForm)
	g.GET("/meetings/:id/visa", h.visaPage)
	g.POST("/meetings/:id/visa/:reg/approve", h.visaApproveForm)
	g.GET("/meetings/:id/guests", h.guestsPage)
	g.POST("/meetings/:id/guests", h.inviteGuestForm)
	g.POST("/meetings/:id/guests/:guest/resend", h.guestActionForm(true))
	g.POST("/meetings/:id/guests/:guest/revoke", h.guestActionForm(false))
	g.GET("/meetings/:id/funding", h.fundingPage)
	g.POST("/meetings/:id/funding/:reg", h.fundingForm)
	g.GET("/mail", h.mailPage)
	g.POST("/mail/:id/resend", h.resendForm)
	g.GET("/statistics", h.statisticsPage)
	g.GET("/people", h.peoplePage)
	g.GET("/people/:id", h.personPage)
}

// secHead is what every page about one meeting shows at its top: the
// meeting, its zone, and which tab is open.
type secHead struct {
	M   meeting.Meeting
	Loc *time.Location
	Tab string
}

// meetingOf reads the meeting named in the path. On failure it has
// already answered (a "not found" page) and returns false.
func (h *secretariat) meetingOf(c *gin.Context, tab string) (secHead, bool) {
	id, err := idParam(c, "id")
	if err == nil {
		var m meeting.Meeting
		if m, err = h.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), id); err == nil {
			return secHead{M: m, Loc: m.Zone(), Tab: tab}, true
		}
	}
	h.pageError(c, language(c), err)
	return secHead{}, false
}

// title is "<page> — <meeting title>" in lang.
func (h *secretariat) title(lang, id string, m meeting.Meeting) string {
	return h.cat.T(lang, id, nil) + " — " + m.Title(lang)
}

// secMeetingPath is the address of a meeting's secretariat page (suffix "",
// "/agenda" …).
func secMeetingPath(id int64, suffix string) string {
	return "/secretariat/meetings/" + strconv.FormatInt(id, 10) + suffix
}

// done redirects to a page with a message from the catalog.
func (h *secretariat) done(c *gin.Context, to, lang, id string, data map[string]any) {
	h.redirectBack(c, to, h.cat.T(lang, id, data))
}

// problem turns an error of an action into a message for the page, in
// lang. It reports false for errors that are not the user's (those are
// answered as errors by the caller).
func (h *secretariat) problem(err error, lang string) (string, bool) {
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal || e.Code == apperr.Unavailable {
		return "", false
	}
	if e.Code == apperr.Invalid && len(e.Fields) > 0 {
		var lines []string
		for _, field := range secSortedKeys(e.Fields) {
			lines = append(lines, h.fieldProblem(lang, field, e.Fields[field]))
		}
		return strings.Join(lines, " "), true
	}
	return h.message(e.Msg, lang), true
}

// fail records err on f like form.fail, but with the secretariat's own
// translations, and folds into Problem the errors of fields that the form
// does not show (shown lists the fields it does).
func (h *secretariat) fail(f *form, err error, lang string, shown ...string) bool {
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal || e.Code == apperr.Unavailable {
		return false
	}
	visible := map[string]bool{}
	for _, name := range shown {
		visible[name] = true
	}
	for field, msg := range e.Fields {
		name := secFieldName(field)
		switch {
		case visible[name]:
			if f.Errors[name] == "" {
				f.Errors[name] = h.message(msg, lang)
			}
		default:
			f.Problem = h.fieldProblem(lang, name, msg)
		}
	}
	if len(e.Fields) == 0 || e.Code != apperr.Invalid {
		f.Problem = h.message(e.Msg, lang)
	}
	return true
}

// secFieldError is one line of a form's error summary, linking to the field.
type secFieldError struct {
	Name, Label, Message string
}

// summary lists f's field errors in the order of fields, for the box at
// the top of a form.
func (h *secretariat) summary(f *form, lang string, fields []string) []secFieldError {
	var out []secFieldError
	for _, name := range fields {
		if msg := f.E(name); msg != "" {
			out = append(out, secFieldError{Name: name, Label: h.fieldLabel(lang, name), Message: msg})
		}
	}
	return out
}

// secBackTo rebuilds a page address from a form's "back" field, keeping only
// the given query parameters, so a redirect never leaves the page it
// names.
func secBackTo(path, back string, keep ...string) string {
	q, err := url.ParseQuery(back)
	if err != nil {
		return path
	}
	out := url.Values{}
	for _, k := range keep {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	if len(out) == 0 {
		return path
	}
	return path + "?" + out.Encode()
}

// failed answers an error that is not the user's (or a page that cannot
// be shown): the not-found page or the generic error.
func (h *secretariat) failed(c *gin.Context, err error) {
	h.pageError(c, language(c), err)
}

// renderPage renders one of the secretariat's templates.
func (h *secretariat) renderPage(c *gin.Context, status int, name, lang, title string, data any) {
	h.render(c, status, name, page{Lang: lang, Title: title, Data: data})
}

// secStatusFor is the HTTP status of a page shown again after err.
func secStatusFor(err error) int {
	if e, ok := apperr.As(err); ok {
		return statusOf(e.Code)
	}
	return http.StatusUnprocessableEntity
}

// secSortedKeys lists a map's keys in order, so messages come out the
// same way every time.
func secSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
