package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
)

// copyForm: POST /secretariat/meetings/{id}/copy — a new draft with the
// meeting's settings and agenda, starting at the time typed (in the
// meeting's time zone); the secretariat goes on editing it.
func (h *secretariat) copyForm(c *gin.Context) {
	head, ok := h.meetingOf(c, "overview")
	if !ok {
		return
	}
	lang := language(c)
	f := newForm(formValues(c.PostForm, "starts_at"))
	var err error
	var start time.Time
	if v := f.V("starts_at"); v == "" {
		err = apperr.InvalidField("starts_at", apperr.M("err.required"))
	} else if start, ok = secParseLocal(v, head.Loc); !ok {
		err = apperr.InvalidField("starts_at", apperr.M("err.datetime"))
	}
	var m meeting.Meeting
	if err == nil {
		m, err = h.deps.Meetings.Copy(c.Request.Context(), actorOf(c), head.M.ID, start)
	}
	if err == nil {
		h.done(c, secMeetingPath(m.ID, "/edit"), lang, "sec.flash.copied", nil)
		return
	}
	if !h.fail(f, err, lang, "starts_at") {
		h.failed(c, err)
		return
	}
	h.showOverview(c, secStatusFor(err), secOverviewView{secHead: head, Copy: f})
}

// deleteForm: POST /secretariat/meetings/{id}/delete — a draft only. The
// first press asks for confirmation (the overview again, with a second
// button that sends confirm=yes); nothing is deleted until then.
func (h *secretariat) deleteForm(c *gin.Context) {
	head, ok := h.meetingOf(c, "overview")
	if !ok {
		return
	}
	lang := language(c)
	if c.PostForm("confirm") != "yes" {
		h.showOverview(c, http.StatusOK, secOverviewView{secHead: head, ConfirmDelete: true})
		return
	}
	err := h.deps.Meetings.Delete(c.Request.Context(), actorOf(c), head.M.ID)
	if err == nil {
		h.done(c, "/secretariat", lang, "sec.flash.deleted", map[string]any{"Title": head.M.Title(lang)})
		return
	}
	msg, ok := h.problem(err, lang)
	if !ok {
		h.failed(c, err)
		return
	}
	h.showOverview(c, secStatusFor(err), secOverviewView{secHead: head, Problems: []string{msg}})
}
