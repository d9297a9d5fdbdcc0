package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/registration"
)

// The secretariat's pages of personal invitations (guests: the list with
// each guest's status, the invite form, resend and revoke) and of funding
// requests (per invitee: funded seats, requests, decisions).

// secGuestFields are the invite form's fields, named as the API names them.
var secGuestFields = []string{"first_name", "last_name", "email", "language", "role", "funding_offered"}

type secGuestsView struct {
	secHead
	Guests  []registration.Guest
	Form    *form
	Roles   []string
	Problem string
}

// RoleLabel names a guest's role in lang.
func (secGuestsView) RoleLabel(role, lang string) string { return registration.RoleLabel(role, lang) }

// guestsPage: GET /secretariat/meetings/{id}/guests.
func (h *secretariat) guestsPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "guests")
	if !ok {
		return
	}
	h.renderGuests(c, http.StatusOK, head, newForm(map[string]string{"language": language(c), "role": "expert"}), "")
}

func (h *secretariat) renderGuests(c *gin.Context, status int, head secHead, f *form, problem string) {
	lang := language(c)
	gs, err := h.deps.Registrations.Guests(c.Request.Context(), actorOf(c), head.M.ID)
	if err != nil {
		h.failed(c, err)
		return
	}
	v := secGuestsView{secHead: head, Guests: gs, Form: f, Roles: registration.GuestRoles, Problem: problem}
	h.renderPage(c, status, "secretariat_guests", lang, h.title(lang, "sec.tab.guests", head.M), v)
}

// inviteGuestForm: POST /secretariat/meetings/{id}/guests.
func (h *secretariat) inviteGuestForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "guests")
	if !ok {
		return
	}
	f := newForm(formValues(c.PostForm, secGuestFields...))
	_, err := h.deps.Registrations.InviteGuest(c.Request.Context(), actorOf(c), head.M.ID, registration.GuestInput{
		FirstName: f.V("first_name"), LastName: f.V("last_name"), Email: f.V("email"), Language: f.V("language"),
		Role: f.V("role"), FundingOffered: f.Checked("funding_offered")})
	if err != nil {
		if !h.fail(f, err, lang, secGuestFields...) {
			h.failed(c, err)
			return
		}
		h.renderGuests(c, secStatusFor(err), head, f, f.Problem)
		return
	}
	h.done(c, secMeetingPath(head.M.ID, "/guests"), lang, "sec.flash.guest_invited", map[string]any{"Email": f.V("email")})
}

// guestActionForm: POST /secretariat/meetings/{id}/guests/{guest}/resend|revoke.
func (h *secretariat) guestActionForm(resend bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := language(c)
		head, ok := h.meetingOf(c, "guests")
		if !ok {
			return
		}
		id, err := strconv.ParseInt(c.Param("guest"), 10, 64)
		if err != nil {
			h.failed(c, err)
			return
		}
		flash := "sec.flash.guest_revoked"
		var g registration.Guest
		if resend {
			flash = "sec.flash.guest_resent"
			g, err = h.deps.Registrations.ResendGuest(c.Request.Context(), actorOf(c), id)
		} else {
			g, err = h.deps.Registrations.RevokeGuest(c.Request.Context(), actorOf(c), id)
		}
		if err == nil && g.MeetingID != head.M.ID { // the secretariat may act on any meeting; the page names one
			err = apperr.New(apperr.NotFound, apperr.M("err.no_guest"))
		}
		if err != nil {
			msg, ok := h.problem(err, lang)
			if !ok {
				h.failed(c, err)
				return
			}
			h.renderGuests(c, secStatusFor(err), head, newForm(map[string]string{"language": lang, "role": "expert"}), msg)
			return
		}
		h.done(c, secMeetingPath(head.M.ID, "/guests"), lang, flash, map[string]any{"Email": g.Email})
	}
}

type secFundingView struct {
	secHead
	Groups  []registration.FundingGroup
	Problem string
}

// RoleLabel names a role in lang.
func (secFundingView) RoleLabel(role, lang string) string { return registration.RoleLabel(role, lang) }

// StatusLabel names a registration status in lang.
func (secFundingView) StatusLabel(status, lang string) string {
	return registration.StatusLabel(status, lang)
}

// fundingPage: GET /secretariat/meetings/{id}/funding.
func (h *secretariat) fundingPage(c *gin.Context) {
	head, ok := h.meetingOf(c, "funding")
	if !ok {
		return
	}
	h.renderFunding(c, http.StatusOK, head, "")
}

func (h *secretariat) renderFunding(c *gin.Context, status int, head secHead, problem string) {
	lang := language(c)
	groups, err := h.deps.Registrations.FundingReview(c.Request.Context(), actorOf(c), head.M.ID, lang)
	if err != nil {
		h.failed(c, err)
		return
	}
	h.renderPage(c, status, "secretariat_funding", lang, h.title(lang, "sec.tab.funding", head.M),
		secFundingView{secHead: head, Groups: groups, Problem: problem})
}

// fundingForm: POST /secretariat/meetings/{id}/funding/{reg} with
// decision=grant or refuse.
func (h *secretariat) fundingForm(c *gin.Context) {
	lang := language(c)
	head, ok := h.meetingOf(c, "funding")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.Param("reg"), 10, 64)
	if err != nil {
		h.failed(c, err)
		return
	}
	var decision *bool
	switch c.PostForm("decision") {
	case "grant":
		yes := true
		decision = &yes
	case "refuse":
		no := false
		decision = &no
	}
	r, err := h.deps.Registrations.DecideFunding(c.Request.Context(), actorOf(c), id, decision)
	if err == nil && r.MeetingID != head.M.ID {
		err = apperr.New(apperr.NotFound, apperr.M("err.no_registration"))
	}
	if err != nil {
		msg, ok := h.problem(err, lang)
		if !ok {
			h.failed(c, err)
			return
		}
		h.renderFunding(c, secStatusFor(err), head, msg)
		return
	}
	flash := "sec.flash.funding_refused"
	if r.Funded {
		flash = "sec.flash.funding_granted"
	}
	h.done(c, secMeetingPath(head.M.ID, "/funding"), lang, flash, map[string]any{"Name": r.Name()})
}
