package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/registration"
)

// The check-in page at the door, for the secretariat on a phone or a
// tablet: a field that takes a badge's code from a scanner (which types it
// and presses Enter) or from a person, a search by name that ignores case
// and accents, the person found with their invitee and status, check-in
// and undo per day, and the day's counts. It works with plain forms; the
// page's own script (static/door.js) adds the camera where the browser
// has barcode detection, and keeps the counts live.

// secDoorView is what the page shows.
type secDoorView struct {
	secHead
	Counts registration.DoorCounts
	// Q is the search, Found its results (nil when there was none).
	Q     string
	Found []registration.Arrival
	// Person is the person just scanned or checked in (?person=).
	Person  *registration.Arrival
	Problem string
	// Code is a scanned code shown again with its problem.
	Code string
}

// doorPath is the page's address with its day, search and person.
func doorPath(id int64, day, q string, person int64) string {
	v := url.Values{}
	if day != "" {
		v.Set("day", day)
	}
	if q != "" {
		v.Set("q", q)
	}
	if person != 0 {
		v.Set("person", strconv.FormatInt(person, 10))
	}
	p := secMeetingPath(id, "/check-in")
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	return p
}

// doorPage: GET /secretariat/meetings/{id}/check-in[?day=][&q=][&person=].
func (h *secretariat) doorPage(c *gin.Context) {
	h.renderDoor(c, http.StatusOK, c.Query("day"), c.Query("q"), "", "")
}

func (h *secretariat) renderDoor(c *gin.Context, status int, day, q, code, problem string) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	head, ok := h.meetingOf(c, "registrations")
	if !ok {
		return
	}
	m, counts, err := h.deps.Registrations.Door(ctx, a, head.M.ID, day)
	if err != nil {
		// A day that is not the meeting's: today's, and say so.
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		problem, day = msg, ""
		status = http.StatusUnprocessableEntity
		if m, counts, err = h.deps.Registrations.Door(ctx, a, head.M.ID, ""); err != nil {
			h.failed(c, err)
			return
		}
	}
	head.M = m
	v := secDoorView{secHead: head, Counts: counts, Q: q, Problem: problem, Code: code}
	if q != "" {
		found, _, err := h.deps.Registrations.FindAtDoor(ctx, a, m.ID, q, counts.Day, lang)
		if err != nil {
			msg, ok := h.problem(err, lang)
			if !ok {
				h.failed(c, err)
				return
			}
			v.Problem = msg
		}
		v.Found = found
		if v.Found == nil {
			v.Found = []registration.Arrival{}
		}
	}
	if id, err := strconv.ParseInt(c.Query("person"), 10, 64); err == nil && id > 0 {
		if p, err := h.deps.Registrations.ArrivalOf(ctx, a, m.ID, id, counts.Day, lang); err == nil {
			v.Person = &p
		}
	}
	h.renderPage(c, status, "secretariat_door", lang, h.title(lang, "door.title", m), v)
}

// doorScanForm: POST /secretariat/meetings/{id}/check-in with code and day.
func (h *secretariat) doorScanForm(c *gin.Context) {
	lang := language(c)
	id, err := idParam(c, "id")
	if err != nil {
		h.failed(c, err)
		return
	}
	day, code := c.PostForm("day"), c.PostForm("code")
	p, err := h.deps.Registrations.CheckInByCode(c.Request.Context(), actorOf(c), id, code, day, lang)
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderDoor(c, secStatusFor(err), day, "", code, msg)
		return
	}
	h.done(c, doorPath(id, day, "", p.ID), lang, h.arrivalFlash(p, false), h.arrivalData(c, p))
}

// doorPersonForm: POST /secretariat/meetings/{id}/check-in/{reg} with day,
// undo=1 to undo, and q, the search to come back to.
func (h *secretariat) doorPersonForm(c *gin.Context) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	id, err := idParam(c, "id")
	var reg int64
	if err == nil {
		reg, err = idParam(c, "reg")
	}
	if err != nil {
		h.failed(c, err)
		return
	}
	day, q, undo := c.PostForm("day"), c.PostForm("q"), c.PostForm("undo") == "1"
	var p registration.Arrival
	if undo {
		p, err = h.deps.Registrations.UndoCheckIn(ctx, a, id, reg, day, lang)
	} else {
		p, err = h.deps.Registrations.CheckInPerson(ctx, a, id, reg, day, lang)
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderDoor(c, secStatusFor(err), day, q, "", msg)
		return
	}
	h.done(c, doorPath(id, day, q, p.ID), lang, h.arrivalFlash(p, undo), h.arrivalData(c, p))
}

// arrivalFlash is the catalog key of the message after an action.
func (h *secretariat) arrivalFlash(p registration.Arrival, undo bool) string {
	switch {
	case undo:
		return "door.flash.undone"
	case p.AlreadyCheckedIn:
		return "door.flash.already"
	default:
		return "door.flash.checked_in"
	}
}

func (h *secretariat) arrivalData(c *gin.Context, p registration.Arrival) map[string]any {
	data := map[string]any{"Name": p.Name(), "Invitee": p.InviteeName}
	if p.DayCheckedInAt != nil {
		loc := time.UTC
		if m, err := h.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), p.MeetingID); err == nil {
			loc = m.Zone()
		}
		data["Time"] = i18n.Clock(p.DayCheckedInAt.In(loc))
	}
	return data
}

// DayName is a day of the meeting (YYYY-MM-DD) as the page writes dates.
func (v secDoorView) DayName(day, lang string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return i18n.Date(d, lang)
}

// secVisaView is the page of a meeting's visa letter requests.
type secVisaView struct {
	secHead
	Requests []registration.VisaRequest
	Problem  string
}

// visaPage: GET /secretariat/meetings/{id}/visa — the visa letter
// requests with their passport data, each approvable.
func (h *secretariat) visaPage(c *gin.Context) {
	h.renderVisa(c, http.StatusOK, "")
}

func (h *secretariat) renderVisa(c *gin.Context, status int, problem string) {
	lang := language(c)
	head, ok := h.meetingOf(c, "registrations")
	if !ok {
		return
	}
	list, err := h.deps.Registrations.VisaRequests(c.Request.Context(), actorOf(c), head.M.ID, lang)
	if err != nil {
		h.failed(c, err)
		return
	}
	h.renderPage(c, status, "secretariat_visa", lang, h.title(lang, "visa.title", head.M), secVisaView{secHead: head, Requests: list, Problem: problem})
}

// visaApproveForm: POST /secretariat/meetings/{id}/visa/{reg}/approve.
func (h *secretariat) visaApproveForm(c *gin.Context) {
	lang := language(c)
	id, err := idParam(c, "id")
	var reg int64
	if err == nil {
		reg, err = idParam(c, "reg")
	}
	if err != nil {
		h.failed(c, err)
		return
	}
	v, err := h.deps.Registrations.ApproveVisaLetter(c.Request.Context(), actorOf(c), reg)
	if err == nil && v.MeetingID != id {
		err = apperr.New(apperr.NotFound, apperr.M("err.no_visa_request"))
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderVisa(c, secStatusFor(err), msg)
		return
	}
	h.done(c, secMeetingPath(id, "/visa"), lang, "visa.flash.approved", map[string]any{"Name": v.Name()})
}
