package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
)

// secMailStatuses are the statuses of the mail log, in the order of a
// message's life.
var secMailStatuses = []string{mail.StatusQueued, mail.StatusSending, mail.StatusRetrying, mail.StatusSent,
	mail.StatusFailed, mail.StatusWithheld}

// secMail is a line of the mail log, with its meeting's title.
type secMail struct {
	mail.Mail
	Meeting string
}

// secMailView is the mail log with its filters.
type secMailView struct {
	Mails    []secMail
	Loc      *time.Location // the secretariat's time zone
	Meeting  string         // filters as typed
	Status   string
	To       string
	Meetings []meeting.Meeting
	Statuses []string
	// Back is the query string of the filters; Older the address of the
	// next page, when there is one.
	Back    string
	Older   string
	Problem string
}

// mailPage: GET /secretariat/mail[?meeting=&status=&to=&cursor=].
func (h *secretariat) mailPage(c *gin.Context) {
	h.renderMail(c, http.StatusOK, c.Query, "")
}

func (h *secretariat) renderMail(c *gin.Context, status int, get func(string) string, problem string) {
	lang, ctx := language(c), c.Request.Context()
	v := secMailView{Meeting: get("meeting"), Status: get("status"), To: get("to"), Statuses: secMailStatuses,
		Loc: meeting.Fields{TimeZone: meeting.DefaultTimeZone}.Zone(), Problem: problem}
	titles := map[int64]string{}
	ms, _, err := h.deps.Meetings.Meetings(ctx, actorOf(c), meeting.Filter{Limit: meeting.MaxLimit})
	if err != nil {
		h.failed(c, err)
		return
	}
	// The most recent meetings first: that is what the secretariat looks for.
	for i := len(ms) - 1; i >= 0; i-- {
		v.Meetings = append(v.Meetings, ms[i])
		titles[ms[i].ID] = ms[i].Title(lang)
	}
	f := mail.Filter{Status: v.Status, To: v.To, Cursor: get("cursor")}
	if v.Meeting != "" {
		if f.MeetingID, err = strconv.ParseInt(v.Meeting, 10, 64); err != nil {
			f.MeetingID = -1 // refused by the filter, with its message
		}
	}
	q := url.Values{}
	for k, val := range map[string]string{"meeting": v.Meeting, "status": v.Status, "to": v.To} {
		if val != "" {
			q.Set(k, val)
		}
	}
	v.Back = q.Encode()
	mails, next, err := h.deps.Outbox.List(ctx, f)
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		v.Problem, status = msg, http.StatusUnprocessableEntity
	}
	for _, m := range mails {
		row := secMail{Mail: m}
		if m.MeetingID != nil {
			row.Meeting = titles[*m.MeetingID]
		}
		v.Mails = append(v.Mails, row)
	}
	if next != "" {
		q.Set("cursor", next)
		v.Older = "/secretariat/mail?" + q.Encode()
	}
	h.renderPage(c, status, "secretariat_mail", lang, h.cat.T(lang, "sec.mail.title", nil), v)
}

// resendForm: POST /secretariat/mail/{id}/resend — a failed email queued
// again; the log comes back filtered as it was.
func (h *secretariat) resendForm(c *gin.Context) {
	lang := language(c)
	back, _ := url.ParseQuery(c.PostForm("back"))
	id, err := idParam(c, "id")
	var m mail.Mail
	if err == nil {
		m, err = h.deps.Outbox.Resend(c.Request.Context(), actorOf(c), id)
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderMail(c, secStatusFor(err), back.Get, msg)
		return
	}
	h.done(c, secBackTo("/secretariat/mail", c.PostForm("back"), "meeting", "status", "to"), lang, "sec.flash.resent",
		map[string]any{"To": m.To})
}

// queueOf counts a meeting's emails by status. The log is read a page at
// a time; a meeting has at most a few thousand emails.
func (h *secretariat) queueOf(c *gin.Context, meetingID int64) (secQueue, error) {
	q := secQueue{Counts: map[string]int{}, At: time.Now()}
	cursor := ""
	for range 40 {
		mails, next, err := h.deps.Outbox.List(c.Request.Context(), mail.Filter{MeetingID: meetingID, Limit: mail.MaxListLimit, Cursor: cursor})
		if err != nil {
			return q, err
		}
		for _, m := range mails {
			q.Counts[m.Status]++
			q.Total++
			switch m.Status {
			case mail.StatusQueued, mail.StatusSending, mail.StatusRetrying:
				q.Pending++
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return q, nil
}
