package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/state"
)

// secRegistrationsView is the registrations table of a meeting, with its
// filters, the attendance per state and the export links.
type secRegistrationsView struct {
	secHead
	Rows     []registration.Row
	Filter   registration.Filter
	States   []state.State
	Statuses []string
	Roles    []string
	Counts   []secRow
	Total    secRow
	// Back is the query string of the filters, which every row's forms
	// carry so that the table comes back filtered the same way.
	Back string
	// ExportCSV and ExportXLSX are the API's exports, filtered the same
	// way, in the page's language.
	ExportCSV, ExportXLSX string
	Problem               string
}

// secRegFilter reads the filters of the table.
func secRegFilter(get func(string) string, lang string) registration.Filter {
	return registration.Filter{State: strings.ToUpper(get("state")), Status: get("status"), Role: get("role"), Lang: lang}
}

func secFilterQuery(f registration.Filter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"state": f.State, "status": f.Status, "role": f.Role} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// registrationsPage: GET /secretariat/meetings/{id}/registrations[?state=&status=&role=].
func (h *secretariat) registrationsPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "registrations")
	if !ok {
		return
	}
	h.renderRegistrations(c, http.StatusOK, head, secRegFilter(c.Query, language(c)), "")
}

func (h *secretariat) renderRegistrations(c *gin.Context, status int, head secHead, f registration.Filter, problem string) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	v := secRegistrationsView{secHead: head, Filter: f, Statuses: registration.Statuses, Roles: registration.Roles, Problem: problem}
	rows, _, err := h.deps.Registrations.Registrations(ctx, a, head.M.ID, f)
	if err != nil {
		// A filter that is not one of the choices: show everything and say so.
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		v.Problem, v.Filter = msg, registration.Filter{Lang: lang}
		if rows, _, err = h.deps.Registrations.Registrations(ctx, a, head.M.ID, v.Filter); err != nil {
			h.failed(c, err)
			return
		}
		status = http.StatusUnprocessableEntity
	}
	v.Rows = rows
	if v.Counts, err = h.stateRows(c, head.M, lang); err != nil {
		h.failed(c, err)
		return
	}
	v.Total = secTotal(v.Counts)
	if v.States, err = h.deps.States.States(ctx, lang); err != nil {
		h.failed(c, err)
		return
	}
	q := secFilterQuery(v.Filter)
	v.Back = q.Encode()
	q.Set("lang", lang)
	export := "/api/v1/meetings/" + strconv.FormatInt(head.M.ID, 10) + "/registrations"
	v.ExportCSV, v.ExportXLSX = export+".csv?"+q.Encode(), export+".xlsx?"+q.Encode()
	h.renderPage(c, status, "secretariat_registrations", lang, h.title(lang, "sec.tab.registrations", head.M), v)
}

// registrationAction runs one row's form and comes back to the table,
// filtered as it was; a refusal is shown above the table.
func (h *secretariat) registrationAction(c *gin.Context, act func(id int64) (registration.Registration, string, error)) {
	lang := language(c)
	head, ok := h.meetingOf(c, "registrations")
	if !ok {
		return
	}
	q, _ := url.ParseQuery(c.PostForm("back"))
	back := secRegFilter(q.Get, lang)
	id, err := idParam(c, "reg")
	var r registration.Registration
	var flash string
	if err == nil {
		r, flash, err = act(id)
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderRegistrations(c, secStatusFor(err), head, back, msg)
		return
	}
	h.done(c, secBackTo(secMeetingPath(head.M.ID, "/registrations"), secFilterQuery(back).Encode(), "state", "status", "role"),
		lang, flash, map[string]any{"Name": r.Name(), "Status": registration.StatusLabel(r.Status, lang)})
}

// approveForm: POST …/registrations/{reg}/approve — confirmed, or
// waitlisted when the state's seats are taken.
func (h *secretariat) approveForm(c *gin.Context) {
	h.registrationAction(c, func(id int64) (registration.Registration, string, error) {
		r, err := h.deps.Registrations.Approve(c.Request.Context(), actorOf(c), id)
		return r, "sec.flash.reg_status", err
	})
}

// declineForm: POST …/registrations/{reg}/decline with an optional reason.
func (h *secretariat) declineForm(c *gin.Context) {
	h.registrationAction(c, func(id int64) (registration.Registration, string, error) {
		r, err := h.deps.Registrations.Decline(c.Request.Context(), actorOf(c), id, c.PostForm("reason"))
		return r, "sec.flash.reg_status", err
	})
}

// checkInForm: POST …/registrations/{reg}/check-in (undo=1 to undo).
func (h *secretariat) checkInForm(c *gin.Context) {
	h.registrationAction(c, func(id int64) (registration.Registration, string, error) {
		undo := c.PostForm("undo") == "1"
		r, err := h.deps.Registrations.CheckIn(c.Request.Context(), actorOf(c), id, undo)
		if undo {
			return r, "sec.flash.check_in_undone", err
		}
		return r, "sec.flash.checked_in", err
	})
}
