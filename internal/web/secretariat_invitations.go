package web

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/invitee"
	"github.com/coe-agora/agora/internal/meeting"
)

// secInvitationsView is the invitations page: who is invited, the
// audience picker, a preview of what sending would do, and the mail queue.
type secInvitationsView struct {
	secHead
	Invitations []secInvitation
	// Roster is every state and organisation that may be invited, in
	// protocol order.
	Roster []invitee.Invitee
	Pick   secPick
	// Audience is the meeting's own audience (its states and its
	// organisations), in protocol order.
	Audience []invitee.Invitee
	Preview  secPreview
	Queue    secQueue
	// QueueStatuses orders the queue's counts.
	QueueStatuses []string
	CanInvite     bool
	Problem       string
}

// secInvitation is a state's invitation as listed.
type secInvitation struct {
	invitation.Invitation
	Name string
}

// secPick is the audience chosen in the picker: the meeting's audience,
// or a list of states; Resend also emails states invited before.
type secPick struct {
	Chosen bool
	States map[string]bool
	Resend bool
}

// Codes lists the chosen states' codes in order.
func (p secPick) Codes() []string {
	out := make([]string, 0, len(p.States))
	for code := range p.States {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// secPreview says what "send invitations" would do, before it is done.
type secPreview struct {
	States     int      // states targeted
	Emailed    int      // states that would be emailed
	Recipients int      // focal points who would receive an email
	Again      []string // states already invited, not emailed again
	Without    []string // states without a focal point to write to
	Sample     string   // the state of the sample emails
	Emails     []secEmail
}

// secEmail is a rendered email in one language.
type secEmail struct {
	Lang, Subject, Text, HTML string
}

// secInvitationData is what the "invitation" email template reads.
type secInvitationData struct {
	Meeting         invitation.MeetingData
	Name            string
	State           string
	RegistrationURL string
	Seats           int
	FundedSeats     int
	Organisation    bool
}

// secReadPick reads the picker from a GET query or a POST form.
func secReadPick(get func(string) string, getArray func(string) []string) secPick {
	p := secPick{Chosen: get("who") == "chosen", Resend: get("resend") == "on"}
	if p.Chosen {
		p.States = secSet(getArray("states"))
	}
	return p
}

// invitationsPage: GET /secretariat/meetings/{id}/invitations[?who=chosen&states=FR&states=DE&resend=on].
func (h *secretariat) invitationsPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "invitations")
	if !ok {
		return
	}
	h.renderInvitations(c, http.StatusOK, head, secReadPick(c.Query, c.QueryArray), "")
}

func (h *secretariat) renderInvitations(c *gin.Context, status int, head secHead, pick secPick, problem string) {
	lang, ctx, a := language(c), c.Request.Context(), actorOf(c)
	m := head.M
	v := secInvitationsView{secHead: head, Pick: pick, Problem: problem, QueueStatuses: secMailStatuses,
		CanInvite: m.Status == meeting.StatusPublished || m.Status == meeting.StatusRegistrationOpen}
	roster, err := h.invitees(ctx, lang)
	if err == nil {
		v.Audience, err = h.deps.Meetings.Audience(ctx, m, lang)
	}
	var invs []invitation.Invitation
	if err == nil {
		invs, err = h.deps.Invitations.Invitations(ctx, a, m.ID)
	}
	if err == nil {
		v.Queue, err = h.queueOf(c, m.ID)
	}
	if err != nil {
		h.failed(c, err)
		return
	}
	names, active := map[string]string{}, map[string]bool{}
	for _, st := range roster {
		names[st.Code] = st.Name(lang)
		if !st.Inactive() {
			v.Roster = append(v.Roster, st)
		}
	}
	for _, inv := range invs {
		v.Invitations = append(v.Invitations, secInvitation{Invitation: inv, Name: names[inv.State]})
		active[inv.State] = inv.Status == "active"
	}
	targets := v.Audience
	if pick.Chosen {
		targets = nil
		for _, st := range v.Roster {
			if pick.States[st.Code] {
				targets = append(targets, st)
			}
		}
	}
	if v.Preview, err = h.preview(c, m, targets, active, pick.Resend, lang); err != nil {
		h.failed(c, err)
		return
	}
	h.renderPage(c, status, "secretariat_invitations", lang, h.title(lang, "sec.tab.invitations", m), v)
}

// preview counts the focal points that sending would write to and renders
// the invitation, in English and French, for the first state targeted.
func (h *secretariat) preview(c *gin.Context, m meeting.Meeting, targets []invitee.Invitee, active map[string]bool, resend bool, lang string) (secPreview, error) {
	ctx, a := c.Request.Context(), actorOf(c)
	p := secPreview{States: len(targets)}
	if len(targets) == 0 {
		return p, nil
	}
	sampleName := ""
	for i, st := range targets {
		fps, err := h.deps.FocalPoints.List(ctx, a, st.Code)
		if err != nil {
			return p, err
		}
		if i == 0 && len(fps) > 0 {
			sampleName = fps[0].Name
		}
		switch {
		case active[st.Code] && !resend:
			p.Again = append(p.Again, st.Name(lang))
		case len(fps) == 0:
			p.Emailed++
			p.Without = append(p.Without, st.Name(lang))
		default:
			p.Emailed++
			p.Recipients += len(fps)
		}
	}
	first := targets[0]
	p.Sample = first.Name(lang)
	seats, funded := m.SeatsOf(first.Code, first.Organisation())
	renderer, err := h.emails()
	if err != nil {
		return p, err
	}
	for _, l := range []string{"en", "fr"} {
		name := sampleName
		if name == "" {
			name = h.cat.T(l, "sec.invite.sample_name", nil)
		}
		data := secInvitationData{Meeting: invitation.MeetingDataFor(m, l, h.cfg.BaseURL), Name: name, State: first.Name(l),
			RegistrationURL: h.cfg.BaseURL + "/register/inv_…", Seats: seats, FundedSeats: funded, Organisation: first.Organisation()}
		subject, text, html, err := renderer.Render("invitation", l, data)
		if err != nil {
			return p, err
		}
		p.Emails = append(p.Emails, secEmail{Lang: l, Subject: subject, Text: text, HTML: html})
	}
	return p, nil
}

// sendInvitationsForm: POST /secretariat/meetings/{id}/invitations — the
// invitations are queued in one transaction and the page comes back at
// once; the outbox delivers them, and the page shows the queue.
func (h *secretariat) sendInvitationsForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "invitations")
	if !ok {
		return
	}
	pick := secReadPick(c.PostForm, c.PostFormArray)
	req := invitation.Request{Resend: pick.Resend}
	if pick.Chosen {
		orgs, err := h.deps.Organisations.Organisations(c.Request.Context(), lang)
		if err != nil {
			h.failed(c, err)
			return
		}
		isOrg := map[string]bool{}
		for _, o := range orgs {
			isOrg[o.Code] = true
		}
		for _, code := range pick.Codes() { // the picker lists states and organisations alike
			if isOrg[code] {
				req.Organisations = append(req.Organisations, code)
			} else {
				req.States = append(req.States, code)
			}
		}
		if len(req.States)+len(req.Organisations) == 0 {
			h.renderInvitations(c, http.StatusUnprocessableEntity, head, pick, h.cat.T(lang, "sec.invite.none_chosen", nil))
			return
		}
	}
	res, err := h.deps.Invitations.Invite(c.Request.Context(), actorOf(c), head.M.ID, req)
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderInvitations(c, secStatusFor(err), head, pick, msg)
		return
	}
	flash := h.cat.T(lang, "sec.flash.invited", map[string]any{"States": res.Invited, "Emails": res.EmailsQueued})
	if len(res.WithoutFocalPoint) > 0 {
		flash += " " + h.cat.T(lang, "sec.flash.without_focal_point", map[string]any{"States": strings.Join(res.WithoutFocalPoint, ", ")})
	}
	h.redirectBack(c, secMeetingPath(head.M.ID, "/invitations"), flash)
}

// remindForm: POST /secretariat/meetings/{id}/invitations/remind.
func (h *secretariat) remindForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "invitations")
	if !ok {
		return
	}
	n, err := h.deps.Invitations.Remind(c.Request.Context(), actorOf(c), head.M.ID)
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderInvitations(c, secStatusFor(err), head, secPick{}, msg)
		return
	}
	h.done(c, secMeetingPath(head.M.ID, "/invitations"), lang, "sec.flash.reminded", map[string]any{"Count": n})
}

// secQueue is the state of a meeting's mail: how many emails in each status.
type secQueue struct {
	Counts map[string]int
	Total  int
	// Pending is how many are still on their way (queued, sending, retrying).
	Pending int
	At      time.Time
}

// invitees is every state and organisation of the roster, in protocol
// order for lang: member states, partners, observers, then organisations.
func (h *secretariat) invitees(ctx context.Context, lang string) ([]invitee.Invitee, error) {
	states, err := h.deps.States.States(ctx, lang)
	if err != nil {
		return nil, err
	}
	orgs, err := h.deps.Organisations.Organisations(ctx, lang)
	if err != nil {
		return nil, err
	}
	return invitee.Of(states, orgs, lang), nil
}
