package web

import (
	"fmt"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/templates"
)

// routes lists every route in one place.
func (s *Server) routes() (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// gin believes X-Forwarded-For from anyone unless told otherwise: a
	// forged header would escape every per-address limit and forge the
	// address in logs. Only the configured proxies are believed.
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	r.Use(s.requestID, s.securityHeaders, s.recovery, s.logRequests, s.refuseScreened, s.authenticate)
	login := s.rateLimit(s.limits.login, byAddress)
	link := s.rateLimit(s.limits.link, byTokenAndAddress)
	register := s.anonymousOnly(s.rateLimit(s.limits.register, byAddress))
	r.NoRoute(s.notFound)
	r.NoMethod(s.methodNotAllowed)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	metrics := []gin.HandlerFunc{gin.WrapH(s.metrics.Handler())}
	if !s.cfg.PublicMetrics { // traffic figures are for operators, unless the setting says otherwise
		metrics = append([]gin.HandlerFunc{s.require(auth.RoleAdmin)}, metrics...)
	}
	r.GET("/metrics", metrics...)
	r.GET("/", s.homePage)
	r.GET("/login", s.loginPage)
	r.POST("/login", login, s.login)
	r.POST("/logout", s.logout)
	r.GET("/password/forgot", s.forgotPage)
	r.POST("/password/forgot", login, s.forgot)
	r.GET("/password/reset/:token", link, s.resetPage)
	r.POST("/password/reset/:token", login, s.reset)
	r.GET("/register/:token", link, s.registerPage)
	r.POST("/register/:token", link, register, s.registerForm)
	r.GET("/registrations/manage/:token", link, s.managePage)
	r.POST("/registrations/manage/:token", link, s.manageForm)
	r.POST("/registrations/manage/:token/cancel", link, s.manageCancel)
	r.POST("/registrations/manage/:token/consent/withdraw", link, s.manageWithdrawConsent)
	r.POST("/registrations/manage/:token/visa", link, s.manageVisa)
	r.GET("/registrations/manage/:token/calendar.ics", link, s.manageCalendar)
	r.GET("/privacy", s.privacyPage)
	s.secretariatRoutes(r)
	s.focalRoutes(r)
	s.adminRoutes(r)
	r.GET("/meetings", s.meetingsPage)
	r.GET("/meetings/past", s.pastMeetingsPage)
	r.GET("/meetings/:id", s.meetingPage)
	r.GET("/meetings/:id/agenda/print", s.agendaPrintPage)
	r.GET("/meetings/:id/agenda.pdf", s.agendaPDF)
	r.GET("/meetings/:id/calendar.ics", s.calendarICS)
	r.GET("/meetings/:id/participants", s.participantsPage)
	r.GET("/meetings/:id/participants.pdf", s.participantsPDF)
	r.GET("/meetings/:id/documents.zip", s.documentsZip)
	r.StaticFS("/static", http.FS(mustSub(templates.FS, "static")))

	api := r.Group("/api/v1")
	api.GET("/openapi.json", s.openAPI)
	api.GET("/states", s.listStates)
	api.PUT("/states/:code", s.require(auth.RoleAdmin), s.updateState)
	api.GET("/organisations", s.listOrganisations)
	api.POST("/organisations", s.require(auth.RoleSecretariat), s.createOrganisation)
	api.PUT("/organisations/:code", s.require(auth.RoleAdmin), s.updateOrganisation)
	api.GET("/organisations/:code/focal-points", s.listOrganisationFocalPoints)
	api.POST("/organisations/:code/focal-points", s.addOrganisationFocalPoint)

	api.POST("/meetings", s.createMeeting)
	api.GET("/meetings", s.listMeetings)
	api.GET("/meetings/:id", s.getMeeting)
	api.PATCH("/meetings/:id", s.updateMeeting)
	api.POST("/meetings/:id/publish", s.publishMeeting)
	api.POST("/meetings/:id/cancel", s.cancelMeeting)
	api.POST("/meetings/:id/archive", s.archiveMeeting)
	api.POST("/meetings/:id/copy", s.copyMeeting)
	api.DELETE("/meetings/:id", s.deleteMeeting)
	api.GET("/meetings/:id/history", s.meetingHistory)
	api.GET("/meetings/:id/agenda", s.getAgenda)
	api.POST("/meetings/:id/agenda", s.addAgendaItem)
	api.PUT("/meetings/:id/agenda/order", s.reorderAgenda)
	api.PATCH("/agenda-items/:id", s.updateAgendaItem)

	api.GET("/states/:code/focal-points", s.listFocalPoints)
	api.POST("/states/:code/focal-points", s.addFocalPoint)
	api.DELETE("/focal-points/:id", s.deleteFocalPoint)
	api.POST("/meetings/:id/invitations", s.invite)
	api.GET("/meetings/:id/invitations", s.listInvitations)
	api.POST("/meetings/:id/invitations/remind", s.remind)
	api.GET("/meetings/:id/reminders", s.reminders)
	api.POST("/meetings/:id/invitations/:code/revoke", s.revokeInvitation)
	api.GET("/meetings/:id/invitations/:code/letter.pdf", s.invitationLetter)
	api.POST("/meetings/:id/guests", s.inviteGuest)
	api.GET("/meetings/:id/guests", s.listGuests)
	api.POST("/guests/:id/resend", s.resendGuest)
	api.POST("/guests/:id/revoke", s.revokeGuest)

	api.GET("/meetings/:id/badges.pdf", s.badgesPDF)
	api.POST("/meetings/:id/check-in", s.checkInByCode)
	api.GET("/meetings/:id/check-in", s.doorCounts)
	api.GET("/meetings/:id/check-in/search", s.doorSearch)
	api.POST("/meetings/:id/registrations", register, s.register)
	api.GET("/meetings/:id/registrations", s.listRegistrations)
	api.GET("/meetings/:id/registrations.csv", s.exportRegistrations("csv"))
	api.GET("/meetings/:id/registrations.xlsx", s.exportRegistrations("xlsx"))
	api.GET("/meetings/:id/attendance", s.attendance)
	api.GET("/meetings/:id/participants", s.publicParticipants)
	api.GET("/registrations/:id", s.getRegistration)
	api.POST("/registrations/:id/approve", s.approveRegistration)
	api.POST("/registrations/:id/decline", s.declineRegistration)
	api.POST("/registrations/:id/cancel", s.cancelRegistration)
	api.POST("/registrations/:id/check-in", s.checkIn)
	api.POST("/registrations/:id/replace", s.replaceRegistration)
	api.POST("/registrations/:id/funding", s.decideFunding)
	api.POST("/registrations/:id/attendance", s.setAttendance)
	api.GET("/manage/:token", link, s.getOwnRegistration)
	api.PATCH("/manage/:token", link, s.updateOwnRegistration)
	api.POST("/manage/:token/cancel", link, s.cancelOwnRegistration)
	api.GET("/manage/:token/certificate.pdf", link, s.certificatePDF)
	api.POST("/manage/:token/visa-letter", link, s.requestVisaLetter)
	api.GET("/meetings/:id/visa-requests", s.visaRequests)
	api.POST("/registrations/:id/visa-letter/approve", s.approveVisaLetter)

	api.GET("/audit", s.listAudit)
	api.POST("/privacy/export", s.require(auth.RoleAdmin), s.privacyExport)
	api.POST("/privacy/erase", s.require(auth.RoleAdmin), s.privacyErase)
	api.GET("/mail", s.require(auth.RoleSecretariat), s.listMail)
	api.POST("/mail/release", s.require(auth.RoleSecretariat), s.releaseMail)
	api.POST("/mail/:id/resend", s.require(auth.RoleSecretariat), s.resendMail)
	api.DELETE("/agenda-items/:id", s.deleteAgendaItem)

	api.POST("/meetings/:id/documents", s.createDocument)
	api.GET("/meetings/:id/documents", s.listDocuments)
	api.PUT("/meetings/:id/documents/order", s.reorderDocuments)
	api.PATCH("/documents/:id", s.updateDocument)
	api.DELETE("/documents/:id", s.withdrawDocument)
	api.PUT("/documents/:id/files/:language", s.putDocumentFile)
	api.GET("/documents/:id/files/:language", s.getDocumentFile)
	api.GET("/documents/:id/files/:language/versions/:version", s.getDocumentVersion)
	api.GET("/manage/:token/documents/:id/files/:language", link, s.manageDocumentFile)
	api.GET("/manage/:token/documents.zip", link, s.manageDocumentsZip)
	api.GET("/statistics/participation", s.require(auth.RoleSecretariat), s.participation)
	api.GET("/statistics/participation.csv", s.require(auth.RoleSecretariat), s.participationExport("csv"))
	api.GET("/statistics/participation.xlsx", s.require(auth.RoleSecretariat), s.participationExport("xlsx"))
	api.GET("/people", s.require(auth.RoleSecretariat), s.searchPeople)
	api.GET("/people/:id", s.require(auth.RoleSecretariat), s.personHistory)
	return r, nil
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the directory is embedded: this cannot fail at run time
	}
	return sub
}
