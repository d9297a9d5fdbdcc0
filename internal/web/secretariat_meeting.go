package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/state"
)

// secZones are offered as suggestions for the time zone; any IANA zone
// may be typed.
var secZones = []string{"Europe/Paris", "Europe/Brussels", "Europe/London", "Europe/Lisbon", "Europe/Athens",
	"Europe/Istanbul", "Europe/Kyiv", "Europe/Chisinau", "Africa/Casablanca", "Africa/Tunis", "Asia/Beirut",
	"Asia/Jerusalem", "Africa/Cairo", "America/New_York", "UTC"}

// secMeetingFormView is the meeting editor, for a new meeting (M.ID 0) or
// an existing one.
type secMeetingFormView struct {
	secHead
	Form      secMeetingForm
	Summary   []secFieldError
	Kinds     []string
	Formats   []string
	Audiences []string
	// States are the states that may be invited, in protocol order.
	States []state.State
	Zones  []string
	// Organisations are the organisations that may be invited.
	Organisations []organisation.Organisation
	// Reason is the cancellation form shown under the editor.
	Reason *form
}

// renderEditor shows the editor; head.M.ID is 0 for a new meeting.
func (h *secretariat) renderEditor(c *gin.Context, status int, head secHead, f secMeetingForm) {
	lang := language(c)
	roster, err := h.deps.States.States(c.Request.Context(), lang)
	if err != nil {
		h.failed(c, err)
		return
	}
	var states []state.State
	for _, st := range roster {
		if st.Status != state.StatusInactive || f.Invited[st.Code] {
			states = append(states, st)
		}
	}
	orgs, err := h.deps.Organisations.Organisations(c.Request.Context(), lang)
	if err != nil {
		h.failed(c, err)
		return
	}
	v := secMeetingFormView{secHead: head, Form: f, Summary: h.summary(f.form, lang, secMeetingFields),
		Organisations: invitableOrganisations(orgs, f.OrgInvited),
		Kinds:         meeting.Kinds, Formats: []string{"in_person", "online", "hybrid"},
		Audiences: []string{meeting.AudienceMembers, meeting.AudienceMembersAndPartners, meeting.AudienceCustom}, States: states, Zones: secZones,
		Reason: newForm(nil)}
	title := h.cat.T(lang, "sec.editor.new", nil)
	if head.M.ID != 0 {
		title = h.title(lang, "sec.editor.edit", head.M)
	}
	h.renderPage(c, status, "secretariat_meeting_form", lang, title, v)
}

// newMeetingPage: GET /secretariat/meetings/new.
func (h *secretariat) newMeetingPage(c *gin.Context) {
	h.renderEditor(c, http.StatusOK, secHead{Tab: "edit"}, secMeetingFormOf(meeting.DefaultFields()))
}

// editMeetingPage: GET /secretariat/meetings/{id}/edit.
func (h *secretariat) editMeetingPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "edit")
	if !ok {
		return
	}
	h.renderEditor(c, http.StatusOK, head, secMeetingFormOf(head.M.Fields))
}

// createMeetingForm: POST /secretariat/meetings/new — a draft, published
// at once when the "save and publish" button was used.
func (h *secretariat) createMeetingForm(c *gin.Context) {
	h.saveMeeting(c, secHead{Tab: "edit"})
}

// saveMeetingForm: POST /secretariat/meetings/{id}/edit.
func (h *secretariat) saveMeetingForm(c *gin.Context) {
	head, ok := h.meetingOf(c, "edit")
	if !ok {
		return
	}
	h.saveMeeting(c, head)
}

func (h *secretariat) saveMeeting(c *gin.Context, head secHead) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	f := secReadMeetingForm(c)
	fields, errs := f.fields()
	if len(errs) > 0 {
		h.fail(f.form, errs.Err(), lang, secMeetingFields...)
		h.renderEditor(c, http.StatusUnprocessableEntity, head, f)
		return
	}
	var m meeting.Meeting
	var err error
	if head.M.ID == 0 {
		m, err = h.deps.Meetings.Create(ctx, a, fields)
	} else {
		m, err = h.deps.Meetings.Update(ctx, a, head.M.ID, func(cur *meeting.Fields) error {
			*cur = fields
			return nil
		})
	}
	saved := err == nil
	if saved && c.PostForm("then") == "publish" {
		head = secHead{M: m, Loc: m.Zone(), Tab: "edit"}
		if m, err = h.deps.Meetings.Publish(ctx, a, m.ID); err == nil {
			h.done(c, secMeetingPath(m.ID, ""), lang, "sec.flash.published", nil)
			return
		}
	}
	if err != nil {
		if !h.fail(f.form, err, lang, secMeetingFields...) {
			h.failed(c, err)
			return
		}
		if saved { // saved, but publishing was refused
			f.Problem = strings.TrimSpace(h.cat.T(lang, "sec.editor.saved_not_published", nil) + " " + f.Problem)
		}
		h.renderEditor(c, secStatusFor(err), head, f)
		return
	}
	h.done(c, secMeetingPath(m.ID, ""), lang, "sec.flash.saved", nil)
}

// secOverviewView is a meeting's home in the secretariat: its facts, its
// sections, and the lifecycle actions.
type secOverviewView struct {
	secHead
	Reason   *form
	Problems []string
	Items    int
	Totals   secRow
	// Copy is the form that copies the meeting into a new draft.
	Copy *form
	// ConfirmDelete asks whether to delete the draft, once the delete
	// button has been pressed.
	ConfirmDelete bool
	// Reminders are where the meeting's automatic reminders stand.
	Reminders []invitation.ReminderStatus
}

// overviewPage: GET /secretariat/meetings/{id}.
func (h *secretariat) overviewPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "overview")
	if !ok {
		return
	}
	h.renderOverview(c, http.StatusOK, head, newForm(nil), nil)
}

func (h *secretariat) renderOverview(c *gin.Context, status int, head secHead, reason *form, problems []string) {
	h.showOverview(c, status, secOverviewView{secHead: head, Reason: reason, Problems: problems})
}

// showOverview shows the overview v, with its counts filled in and, when
// v has no copy form yet, one that proposes the same dates a year later.
func (h *secretariat) showOverview(c *gin.Context, status int, v secOverviewView) {
	lang, ctx, head := language(c), c.Request.Context(), v.secHead
	if v.Reason == nil {
		v.Reason = newForm(nil)
	}
	if v.Copy == nil {
		v.Copy = newForm(map[string]string{"starts_at": head.M.StartsAt.AddDate(1, 0, 0).In(head.Loc).Format(secLocalLayout)})
	}
	items, err := h.deps.Meetings.AgendaOf(ctx, head.M)
	if err != nil {
		h.failed(c, err)
		return
	}
	roster, err := h.deps.States.States(ctx, lang)
	if err != nil {
		h.failed(c, err)
		return
	}
	rows, err := h.stateRows(c, head.M, lang, roster)
	if err != nil {
		h.failed(c, err)
		return
	}
	v.Items, v.Totals = len(items), secTotal(rows)
	if v.Reminders, err = h.deps.Invitations.Reminders(ctx, actorOf(c), head.M.ID); err != nil {
		h.failed(c, err)
		return
	}
	h.renderPage(c, status, "secretariat_meeting", lang, head.M.Title(lang), v)
}

// lifecycle runs a change of status and shows the overview again, with
// the reason why when the change is refused.
func (h *secretariat) lifecycle(c *gin.Context, flash string, act func(head secHead) (meeting.Meeting, error)) {
	lang := language(c)
	head, ok := h.meetingOf(c, "overview")
	if !ok {
		return
	}
	_, err := act(head)
	if err == nil {
		h.done(c, secMeetingPath(head.M.ID, ""), lang, flash, nil)
		return
	}
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal || e.Code == apperr.Unavailable {
		h.failed(c, err)
		return
	}
	reason := newForm(formValues(c.PostForm, "reason_en", "reason_fr"))
	var problems []string
	if e.Code != apperr.Invalid || len(e.Fields) == 0 {
		problems = append(problems, h.message(e.Msg, lang))
	}
	for _, name := range secSortedKeys(e.Fields) {
		switch name {
		case "reason", "reason_en":
			// No reason at all is told at the first of the two fields.
			reason.Errors["reason_en"] = h.message(e.Fields[name], lang)
		case "reason_fr":
			reason.Errors[name] = h.message(e.Fields[name], lang)
		default:
			problems = append(problems, h.fieldProblem(lang, name, e.Fields[name]))
		}
	}
	h.renderOverview(c, secStatusFor(err), head, reason, problems)
}

// publishForm: POST /secretariat/meetings/{id}/publish.
func (h *secretariat) publishForm(c *gin.Context) {
	h.lifecycle(c, "sec.flash.published", func(head secHead) (meeting.Meeting, error) {
		return h.deps.Meetings.Publish(c.Request.Context(), actorOf(c), head.M.ID)
	})
}

// cancelForm: POST /secretariat/meetings/{id}/cancel — with a reason in
// English and French, which goes to everyone invited or registered, each
// in their language.
func (h *secretariat) cancelForm(c *gin.Context) {
	h.lifecycle(c, "sec.flash.cancelled", func(head secHead) (meeting.Meeting, error) {
		return h.deps.Meetings.Cancel(c.Request.Context(), actorOf(c), head.M.ID,
			formReason(c))
	})
}

// archiveForm: POST /secretariat/meetings/{id}/archive.
func (h *secretariat) archiveForm(c *gin.Context) {
	h.lifecycle(c, "sec.flash.archived", func(head secHead) (meeting.Meeting, error) {
		return h.deps.Meetings.Archive(c.Request.Context(), actorOf(c), head.M.ID)
	})
}
