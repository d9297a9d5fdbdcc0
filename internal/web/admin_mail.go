package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/validate"
	"github.com/coe-agora/agora/templates"
)

// MailChecker runs the admin's mail check: it sends the test email to one
// address and reports how the SMTP conversation went, step by step.
type MailChecker interface {
	CheckMail(ctx context.Context, to, lang string) MailReport
}

// MailReport is the outcome of a mail check.
type MailReport struct {
	To       string     `json:"to"`
	Steps    []MailStep `json:"steps"`
	Accepted bool       `json:"accepted"` // the server took the message
}

// MailStep is one step of the check: Step names it ("session", "queued",
// "accepted", "refused", "retrying", "waiting"); Detail is what the server
// or the queue said, untranslated (server replies are what they are).
type MailStep struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// mailView is the mail check page.
type mailView struct {
	Configured bool
	Counts     map[string]int64 // emails by status
	Form       *form
	Report     *MailReport
}

const sessionMailReport = "adm.mail.report"

// adminMailPage: GET /admin/mail — whether mail can leave, the queue, and
// the report of the last check (once).
func (s *Server) adminMailPage(c *gin.Context) {
	lang := language(c)
	f := newForm(map[string]string{"to": actorOf(c).User.Email})
	var report *MailReport
	if raw := s.sessions.PopString(c.Request.Context(), sessionMailReport); raw != "" {
		report = &MailReport{}
		if json.Unmarshal([]byte(raw), report) != nil {
			report = nil
		} else {
			f.Values["to"] = report.To
		}
	}
	s.renderMail(c, http.StatusOK, lang, f, report)
}

func (s *Server) renderMail(c *gin.Context, status int, lang string, f *form, report *MailReport) {
	counts, err := s.deps.Outbox.CountByStatus(c.Request.Context())
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	v := mailView{Configured: s.cfg.SMTPConfigured, Counts: counts, Form: f, Report: report}
	s.render(c, status, "admin_mail", page{Lang: lang, Title: s.cat.T(lang, "adm.mail.title", nil), Data: v})
}

// adminMailCheck: POST /admin/mail — send the test email now and come back
// to the page with the report.
func (s *Server) adminMailCheck(c *gin.Context) {
	lang := language(c)
	f := newForm(formValues(c.PostForm, "to"))
	to := validate.NormalizeEmail(f.V("to"))
	if msg := auth.CheckEmail(to); msg.Key != "" {
		f.Errors["to"] = text(s.cat, lang, msg)
		s.renderMail(c, http.StatusUnprocessableEntity, lang, f, nil)
		return
	}
	if !s.cfg.SMTPConfigured {
		f.Problem = s.cat.T(lang, "adm.mail.not_configured", nil)
		s.renderMail(c, http.StatusConflict, lang, f, nil)
		return
	}
	checker, err := s.mailChecker()
	if err != nil {
		s.pageError(c, lang, err)
		return
	}
	report := checker.CheckMail(c.Request.Context(), to, lang)
	raw, _ := json.Marshal(report) // plain strings and booleans: cannot fail
	s.sessions.Put(c.Request.Context(), sessionMailReport, string(raw))
	flash := "adm.mail.done.failed"
	if report.Accepted {
		flash = "adm.mail.done.accepted"
	}
	s.redirectBack(c, "/admin/mail", s.cat.T(lang, flash, map[string]any{"To": to}))
}

// mailChecker returns the mail check of this server.
//
// Until the web server is told the SMTP URL and given the application's
// email renderer, the check goes through the outbox only: it queues the
// test email and waits for the mail worker's verdict, rendering the email
// with a renderer of its own. Once Config.SMTPURL and Deps.Renderer exist
// (see NewMailCheck), this becomes:
//
//	if s.deps.MailCheck != nil { return s.deps.MailCheck, nil }
func (s *Server) mailChecker() (MailChecker, error) {
	if s.deps.MailCheck != nil {
		return s.deps.MailCheck, nil
	}
	r, err := mail.NewRenderer(mustSub(templates.FS, "email"), interimPlatformName)
	if err != nil {
		return nil, err
	}
	return NewMailCheck("", s.deps.DB, s.deps.Outbox, r)
}
