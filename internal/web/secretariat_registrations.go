package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/organisation"
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
	// Organisations are offered by the filter after the states.
	Organisations []organisation.Organisation
	// Page is where the rows stand in the filtered list.
	Page secRegPage
	// Back is the query string of the filters and the page, which every
	// row's forms carry so that the table comes back as it was.
	Back string
	// ExportCSV and ExportXLSX are the API's exports, filtered the same
	// way, in the page's language.
	ExportCSV, ExportXLSX string
	Problem               string
	// Register is true while the secretariat can still register someone
	// for a state (the delegation page's form, linked per state).
	Register bool
}

// secRegPageSize is how many registrations the table shows at a time: a
// page the browser renders at once, forms and all, whatever the meeting.
const secRegPageSize = 100

// secRegPage is the table's place in the filtered list ("101–200 of
// 5,000"; From and To 0 when the page has no rows) and the links to move
// in it. The pages go forward with the list's keyset cursor (Next) and
// back to the start (First), not back one page: a cursor leads only
// forward, and a stack of them in the address would grow by a hundred
// characters a page.
type secRegPage struct {
	From, To, Total int
	// Next and First are addresses, "" when there is no such page (First
	// on the first page).
	Next, First string
}

// secRegFilter reads the filters of the table and its page.
func secRegFilter(get func(string) string, lang string) registration.Filter {
	return registration.Filter{State: strings.ToUpper(get("state")), Status: get("status"), Role: get("role"), Lang: lang,
		Limit: secRegPageSize, Cursor: get("cursor")}
}

// secFilterQuery is the query string of f's filters, without its page.
func secFilterQuery(f registration.Filter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"state": f.State, "status": f.Status, "role": f.Role} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// secPageQuery is the query string of f's filters and page.
func secPageQuery(f registration.Filter) url.Values {
	q := secFilterQuery(f)
	if f.Cursor != "" {
		q.Set("cursor", f.Cursor)
	}
	return q
}

// registrationsPage: GET /secretariat/meetings/{id}/registrations[?state=&status=&role=&cursor=].
func (h *secretariat) registrationsPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "registrations")
	if !ok {
		return
	}
	h.renderRegistrations(c, http.StatusOK, head, secRegFilter(c.Query, language(c)), "")
}

func (h *secretariat) renderRegistrations(c *gin.Context, status int, head secHead, f registration.Filter, problem string) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	v := secRegistrationsView{secHead: head, Filter: f, Statuses: registration.Statuses, Roles: registration.Roles, Problem: problem,
		Register: canNominate(a, head.M)}
	list := func() ([]registration.Row, string, error) {
		return h.deps.Registrations.Registrations(ctx, a, head.M.ID, v.Filter)
	}
	rows, next, err := list()
	if e, ok := apperr.As(err); ok && e.Fields["cursor"].Key != "" {
		// An address whose page no longer means anything (edited, or from
		// another version): the first page, with the filters, and why.
		v.Problem, v.Filter.Cursor = h.cat.T(lang, "sec.reg.bad_cursor", nil), ""
		status = http.StatusUnprocessableEntity
		rows, next, err = list()
	}
	if err != nil {
		// A filter that is not one of the choices: show the first page of
		// everything and say so.
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		v.Problem, v.Filter = msg, registration.Filter{Lang: lang, Limit: secRegPageSize}
		if rows, next, err = list(); err != nil {
			h.failed(c, err)
			return
		}
		status = http.StatusUnprocessableEntity
	}
	v.Rows = rows
	pos, err := h.deps.Registrations.ListPosition(ctx, a, head.M.ID, v.Filter)
	if err != nil {
		h.failed(c, err)
		return
	}
	if v.States, err = h.deps.States.States(ctx, lang); err != nil {
		h.failed(c, err)
		return
	}
	if v.Organisations, err = h.deps.Organisations.Organisations(ctx, lang); err != nil {
		h.failed(c, err)
		return
	}
	if v.Counts, err = h.stateRows(c, head.M, lang, v.States); err != nil {
		h.failed(c, err)
		return
	}
	v.Total = secTotal(v.Counts)
	v.Page = secRegPaging(secMeetingPath(head.M.ID, "/registrations"), v.Filter, next, pos, len(rows))
	v.Back = secPageQuery(v.Filter).Encode()
	q := secFilterQuery(v.Filter)
	q.Set("lang", lang)
	export := "/api/v1/meetings/" + strconv.FormatInt(head.M.ID, 10) + "/registrations"
	v.ExportCSV, v.ExportXLSX = export+".csv?"+q.Encode(), export+".xlsx?"+q.Encode()
	h.renderPage(c, status, "secretariat_registrations", lang, h.title(lang, "sec.tab.registrations", head.M), v)
}

// secRegPaging places a page of n rows of the list f, whose next page
// starts after next ("" at the end), and links its neighbours.
func secRegPaging(path string, f registration.Filter, next string, pos registration.Position, n int) secRegPage {
	p := secRegPage{Total: pos.Total}
	if n > 0 {
		p.From, p.To = pos.Before+1, pos.Before+n
	}
	link := func(cursor string) string {
		to := f
		to.Cursor = cursor
		if q := secPageQuery(to).Encode(); q != "" {
			return path + "?" + q
		}
		return path
	}
	if next != "" {
		p.Next = link(next)
	}
	if f.Cursor != "" {
		p.First = link("")
	}
	return p
}

// registrationAction runs one row's form and comes back to the table,
// filtered and on the page it was; a refusal is shown above the table.
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
	h.done(c, secBackTo(secMeetingPath(head.M.ID, "/registrations"), secPageQuery(back).Encode(), "state", "status", "role", "cursor"),
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
		r, err := h.deps.Registrations.Decline(c.Request.Context(), actorOf(c), id,
			formReason(c))
		return r, "sec.flash.reg_status", err
	})
}

// attendanceForm: POST …/registrations/{reg}/attendance — in person or
// online, at a hybrid meeting.
func (h *secretariat) attendanceForm(c *gin.Context) {
	h.registrationAction(c, func(id int64) (registration.Registration, string, error) {
		r, err := h.deps.Registrations.SetAttendance(c.Request.Context(), actorOf(c), id, c.PostForm("attendance"))
		return r, "sec.flash.attends_" + r.Attendance, err
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
