package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/printout"
	"github.com/coe-agora/agora/internal/registration"
)

// The door's API: badges, check-in by a badge's code, the search and the
// counts of the check-in page (secretariat only).

// meetingLang is lang when the caller asked for one, else the meeting's
// first language: badges speak the meeting's language.
func meetingLang(m meeting.Meeting, asked string) string {
	if asked == "en" || asked == "fr" {
		return asked
	}
	if len(m.Languages) > 0 && m.Languages[0] == "fr" {
		return "fr"
	}
	return "en"
}

// badgesPDF: GET /api/v1/meetings/{id}/badges.pdf[?state=FR][&lang=fr].
func (s *Server) badgesPDF(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	// The language is the meeting's unless asked: read the meeting first
	// (as the caller may see it) to know it.
	lang := c.Query("lang")
	if lang != "en" && lang != "fr" {
		m, err := s.deps.Meetings.Meeting(ctx, a, id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		lang = meetingLang(m, "")
	}
	m, badges, err := s.deps.Registrations.Badges(ctx, a, id, c.Query("state"), lang)
	if err != nil {
		s.writeError(c, err)
		return
	}
	l := printout.BadgeLabels{Title: s.cat.T(lang, "door.badges", nil), None: s.cat.T(lang, "door.no_badges", nil), Roles: map[string]string{}}
	for _, r := range registration.Roles {
		l.Roles[r] = s.cat.T(lang, "role."+r, nil)
	}
	pdf, err := printout.BadgesPDF(m, badges, lang, l)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="badges-%d-%s.pdf"`, m.ID, lang))
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// checkInByCode: POST /api/v1/meetings/{id}/check-in {"code": "…", "day": "YYYY-MM-DD"?}.
func (s *Server) checkInByCode(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		var in struct {
			Code string `json:"code"`
			Day  string `json:"day"`
		}
		if err := s.decodeJSON(c, &in); err != nil {
			return nil, err
		}
		return s.deps.Registrations.CheckInByCode(c.Request.Context(), actorOf(c), id, in.Code, in.Day, i18n.Lang(c.Query("lang")))
	})
}

// doorCounts: GET /api/v1/meetings/{id}/check-in[?day=] — the live counts.
func (s *Server) doorCounts(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		_, counts, err := s.deps.Registrations.Door(c.Request.Context(), actorOf(c), id, c.Query("day"))
		return counts, err
	})
}

// doorSearch: GET /api/v1/meetings/{id}/check-in/search?q=…[&day=][&lang=].
func (s *Server) doorSearch(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		people, day, err := s.deps.Registrations.FindAtDoor(c.Request.Context(), actorOf(c), id, c.Query("q"), c.Query("day"), i18n.Lang(c.Query("lang")))
		return gin.H{"day": day, "people": people}, err
	})
}

// certificatePDF: GET /api/v1/manage/{token}/certificate.pdf[?lang=fr] —
// the certificate of attendance, after the meeting, for a participant who
// was checked in; others get the reason as an error.
func (s *Server) certificatePDF(c *gin.Context) {
	at, err := s.deps.Registrations.Attendance(c.Request.Context(), c.Param("token"), c.Query("lang"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	lang, lh := at.Lang, s.cfg.Letterhead
	labels := printout.CertificateLabels{
		Title:     s.cat.T(lang, "cert.title", nil),
		Certifies: s.cat.T(lang, "cert.certifies", map[string]any{"Organisation": lh.Organisation}),
		Attended:  s.cat.T(lang, "cert.attended", map[string]any{"Invitee": at.InviteeName}),
	}
	if len(registration.Days(at.Meeting)) > 1 && len(at.Days) > 0 {
		labels.Days = s.cat.T(lang, "cert.days", map[string]any{"Days": printout.DayList(at.Days, lang)})
	}
	pdf, err := printout.CertificatePDF(lh, at.Meeting, at.Name(), lang, labels, time.Now())
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="certificate-%d-%s.pdf"`, at.Meeting.ID, lang))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// invitationLetter: GET /api/v1/meetings/{id}/invitations/{code}/letter.pdf[?lang=fr]
// — the invitation letter of a state, for the secretariat and that
// state's focal points; in the caller's language unless asked.
func (s *Server) invitationLetter(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.writeError(c, err)
		return
	}
	a := actorOf(c)
	lang := c.Query("lang")
	if lang != "en" && lang != "fr" {
		lang = "en"
		if a.User != nil && a.User.Language == "fr" {
			lang = "fr"
		}
	}
	pdf, name, err := s.deps.Invitations.Letter(c.Request.Context(), a, id, c.Param("code"), lang)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="%s"`, name))
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// requestVisaLetter: POST /api/v1/manage/{token}/visa-letter — the
// participant's request, with the passport data it needs.
func (s *Server) requestVisaLetter(c *gin.Context) {
	var in registration.VisaInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	status, err := s.deps.Registrations.RequestVisaLetter(c.Request.Context(), c.Param("token"), in)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": status})
}

// visaRequests: GET /api/v1/meetings/{id}/visa-requests (secretariat).
func (s *Server) visaRequests(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		list, err := s.deps.Registrations.VisaRequests(c.Request.Context(), actorOf(c), id, i18n.Lang(c.Query("lang")))
		return gin.H{"visa_requests": list}, err
	})
}

// approveVisaLetter: POST /api/v1/registrations/{id}/visa-letter/approve
// (secretariat): the letter is emailed to the participant.
func (s *Server) approveVisaLetter(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		return s.deps.Registrations.ApproveVisaLetter(c.Request.Context(), actorOf(c), id)
	})
}

// visaFields are the fields of the manage page's visa letter form.
var visaFields = []string{"passport_number", "nationality", "date_of_birth", "passport_expires"}

// addVisa adds the visa letter section to the manage page: the request's
// status, and the form (f, or an empty one) while one may be asked for.
func (s *Server) addVisa(c *gin.Context, v *registerView, r registration.Registration, m meeting.Meeting, f *form) {
	visa, err := s.deps.Registrations.VisaStatusOf(c.Request.Context(), r.ID)
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "visa status", "error", err)
	}
	v.Visa = visa
	v.VisaOpen = r.Active() && !m.Over() && m.Status != meeting.StatusCancelled && (visa == nil || visa.Status == "requested")
	if f == nil {
		f = newForm(nil)
	}
	v.VisaForm = f
}

// manageVisa: POST /registrations/manage/{token}/visa — ask for a visa
// support letter from the manage page.
func (s *Server) manageVisa(c *gin.Context) {
	lang := language(c)
	f := newForm(formValues(c.PostForm, visaFields...))
	_, err := s.deps.Registrations.RequestVisaLetter(c.Request.Context(), c.Param("token"), registration.VisaInput{
		PassportNumber: f.V("passport_number"), Nationality: f.V("nationality"),
		DateOfBirth: f.V("date_of_birth"), PassportExpires: f.V("passport_expires")})
	if err != nil {
		r, m, err2 := s.deps.Registrations.ByManageToken(c.Request.Context(), c.Param("token"))
		if err2 != nil || !f.fail(s.cat, err, lang) {
			s.pageError(c, lang, err)
			return
		}
		m = forParticipant(m, r)
		v := registerView{M: m, Loc: m.Zone(), State: s.stateName(c, r.State, lang), Form: detailsForm(r.Details), Roles: registration.Roles,
			Reg: &r, Token: c.Param("token"), Open: r.Active() && m.Status == meeting.StatusRegistrationOpen,
			Status: registration.StatusLabel(r.Status, lang)}
		s.addVisa(c, &v, r, m, f)
		s.render(c, secStatusFor(err), "manage", page{Lang: lang, Title: s.cat.T(lang, "manage.title", nil), Data: v})
		return
	}
	s.sessions.Put(c.Request.Context(), "flash", s.cat.T(lang, "manage.visa_requested", nil))
	c.Redirect(http.StatusSeeOther, "/registrations/manage/"+c.Param("token"))
}
