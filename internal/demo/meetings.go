package demo

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/lib/pq"

	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

const (
	strasbourg = "Europe/Paris"
	lisbon     = "Europe/Lisbon"
	palais     = "Council of Europe, Palais de l'Europe, Room 1, Strasbourg"
	palaisFR   = "Conseil de l'Europe, Palais de l'Europe, salle 1, Strasbourg"
	agoraRoom  = "Council of Europe, Agora building, Room G02, Strasbourg"
	agoraFR    = "Conseil de l'Europe, bâtiment Agora, salle G02, Strasbourg"
)

// schedule creates a draft meeting and its agenda.
func (s *seeder) schedule(ctx context.Context, f meeting.Fields, day calendarDay, agenda []item) (meeting.Meeting, error) {
	m, err := s.a.Meetings.Create(ctx, s.secretariat, f)
	if err != nil {
		return meeting.Meeting{}, fmt.Errorf("demo: meeting %q: %w", f.TitleEN, err)
	}
	if err := s.addAgenda(ctx, m, day, agenda); err != nil {
		return meeting.Meeting{}, err
	}
	return m, nil
}

// publishAndInvite publishes a meeting and invites its audience.
func (s *seeder) publishAndInvite(ctx context.Context, m meeting.Meeting) (meeting.Meeting, error) {
	m, err := s.a.Meetings.Publish(ctx, s.secretariat, m.ID)
	if err != nil {
		return meeting.Meeting{}, fmt.Errorf("demo: publish %q: %w", m.TitleEN, err)
	}
	if _, err := s.a.Invitations.Invite(ctx, s.secretariat, m.ID, invitation.Request{}); err != nil {
		return meeting.Meeting{}, fmt.Errorf("demo: invite to %q: %w", m.TitleEN, err)
	}
	return m, nil
}

// keep reads a meeting as it now stands, for the report.
func (s *seeder) keep(ctx context.Context, id int64) error {
	m, err := s.a.Meetings.Meeting(ctx, s.secretariat, id)
	if err != nil {
		return fmt.Errorf("demo: meeting %d: %w", id, err)
	}
	s.meetings = append(s.meetings, m)
	return nil
}

// bureau is a draft: the Bureau meeting in a few months, agenda in progress.
func (s *seeder) bureau(ctx context.Context) error {
	day := meetingDay(s.now, 95, time.Tuesday, s.zone(strasbourg))
	f := meeting.DefaultFields()
	f.Kind = "bureau"
	f.TitleEN, f.TitleFR = "58th Bureau meeting", "58e réunion du Bureau"
	f.DescriptionEN = "The Bureau prepares the next plenary meeting of the Permanent Correspondents and follows the budget and the work of the Mediterranean Network."
	f.DescriptionFR = "Le Bureau prépare la prochaine réunion plénière des correspondants permanents et suit le budget et les travaux du Réseau méditerranéen."
	f.StartsAt, f.EndsAt = day.at(0, 9, 30), day.at(0, 16, 0)
	f.VenueEN, f.VenueFR = agoraRoom, agoraFR
	f.SeatsPerState, f.FundedSeatsPerState = 1, 1
	f.Audience = meeting.AudienceCustom
	f.InvitedStates = pq.StringArray{"FR", "PT", "DE", "GR", "IT", "NO", "PL"}
	m, err := s.schedule(ctx, f, day, bureauAgenda)
	if err != nil {
		return err
	}
	return s.keep(ctx, m.ID)
}

// The 96th plenary: hybrid, in Strasbourg, registration open to every
// member state, 2 seats of which 1 funded.
var plenaryPlans = []delegationPlan{
	{"AD", "s", 0, 0}, {"AL", "ll", 0, 1}, {"AM", "l", 0, 1}, {"AT", "ll", 0, 0}, {"BE", "ll", 0, 0},
	{"BG", "l", 0, 1}, {"CH", "l", 0, 0}, {"CY", "l", 0, 0}, {"CZ", "ll", 0, 0}, {"DE", "ffl", 0, 0},
	{"ES", "llll", 0, 1}, {"FI", "l", 0, 0}, {"FR", "fff", 0, 0}, {"GB", "ll", 0, 0}, {"GE", "l", 0, 1},
	{"GR", "ff", 0, 1}, {"HR", "l", 0, 1}, {"HU", "l", 0, 0}, {"IE", "ll", 0, 0}, {"IT", "sss", 0, 0},
	{"LT", "l", 0, 0}, {"LU", "l", 0, 0}, {"MA", "ff", 0, 2}, {"MC", "l", 0, 0}, {"MD", "l", 0, 1},
	{"ME", "l", 0, 1}, {"MK", "l", 0, 1}, {"MT", "l", 0, 0}, {"NL", "ll", 0, 0}, {"NO", "l", 0, 0},
	{"PL", "ffl", 0, 1}, {"PT", "ll", 0, 0}, {"RO", "lll", 0, 1}, {"RS", "l", 0, 1}, {"SE", "l", 0, 0},
	{"SM", "s", 0, 0}, {"TR", "ll", 0, 1}, {"UA", "lll", 0, 2},
	// Observers: EUDA with two seats of its own, UNODC and WHO with the
	// one seat of an organisation (WHO's second person waits).
	{"EUDA", "fl", 0, 0}, {"UNODC", "l", 0, 0}, {"WHO", "ll", 0, 0},
}

func (s *seeder) plenary(ctx context.Context) error {
	day := meetingDay(s.now, 42, time.Wednesday, s.zone(strasbourg))
	f := meeting.DefaultFields()
	f.Kind = "plenary"
	f.TitleEN, f.TitleFR = "96th meeting of Permanent Correspondents", "96e réunion des correspondants permanents"
	f.DescriptionEN = "The Permanent Correspondents adopt the work programme 2027–2030, hold a thematic session on drug policy and human rights, and exchange on national developments.\n\nInterpretation English/French is provided in the room and online."
	f.DescriptionFR = "Les correspondants permanents adoptent le programme de travail 2027-2030, tiennent une session thématique sur la politique en matière de drogues et les droits humains, et échangent sur les évolutions nationales.\n\nL'interprétation anglais/français est assurée en salle et en ligne."
	f.StartsAt, f.EndsAt = day.at(0, 9, 30), day.at(1, 13, 0)
	f.Format, f.VenueEN, f.VenueFR, f.OnlineURL = "hybrid", palais, palaisFR, "https://meet.agora.example/pc-96"
	f.RegistrationOpensAt = ptr(s.now.AddDate(0, 0, -21).Truncate(time.Hour))
	f.RegistrationClosesAt = ptr(day.at(-14, 18, 0))
	f.SeatsPerState, f.FundedSeatsPerState = 2, 1
	f.Audience, f.Public = meeting.AudienceMembers, true
	// The usual observers, one seat each (EUDA two); the civil-society
	// forum has registered nobody yet and is reminded with the states.
	f.InvitedOrganisations = pq.StringArray{"CSFD", "EUDA", "UNODC", "WHO"}
	f.SeatsPerOrganisation, f.FundedSeatsPerOrganisation = 1, 0
	f.Quotas = meeting.Quotas{"EUDA": {Seats: 2, FundedSeats: 0}}
	// The room of the Palais holds 70 delegates; the others follow online.
	// The focal points of states with nobody confirmed are reminded a week
	// before registration closes, the participants three days before.
	f.InPersonCapacity, f.ReminderFocalPointsDays, f.ReminderParticipantsDays = 70, 7, 3
	m, err := s.schedule(ctx, f, day, plenaryAgenda)
	if err != nil {
		return err
	}
	if m, err = s.publishAndInvite(ctx, m); err != nil {
		return err
	}
	regs, err := s.register(ctx, m, requests(plenaryPlans, roleOfDelegate, functions))
	if err != nil {
		return err
	}
	if err := s.plenaryChanges(ctx, regs); err != nil {
		return err
	}
	if err := s.visas(ctx, m, regs); err != nil {
		return err
	}
	// The states that have not registered anyone yet are reminded.
	if _, err := s.a.Invitations.Remind(ctx, s.secretariat, m.ID); err != nil {
		return fmt.Errorf("demo: remind: %w", err)
	}
	return s.keep(ctx, m.ID)
}

// plenaryChanges is what happens after registering: a delegate cancels
// through their link (the first person waiting gets the seat), the
// secretariat withdraws someone, a focal point declines a self-registered
// person and passes a seat to a colleague.
func (s *seeder) plenaryChanges(ctx context.Context, regs registrations) error {
	es, err := regs.get("ES", 1)
	if err != nil {
		return err
	}
	if _, err := s.a.Registrations.CancelOwn(ctx, path.Base(es.ManageURL)); err != nil {
		return fmt.Errorf("demo: cancel through the manage link: %w", err)
	}
	nl, err := regs.get("NL", 1)
	if err != nil {
		return err
	}
	if _, err := s.a.Registrations.Cancel(ctx, s.secretariat, nl.ID); err != nil {
		return fmt.Errorf("demo: cancel: %w", err)
	}
	pl, err := regs.get("PL", 2)
	if err != nil {
		return err
	}
	if _, err := s.a.Registrations.Decline(ctx, s.focal["PL"], pl.ID, meeting.Reason{
		EN: "The delegation of Poland is already complete for this meeting.",
		FR: "La délégation de la Pologne est déjà complète pour cette réunion."}); err != nil {
		return fmt.Errorf("demo: decline: %w", err)
	}
	fr, err := regs.get("FR", 1)
	if err != nil {
		return err
	}
	girard := seatRequest{code: "FR", idx: 3, role: "delegate", fn: functions[3]}
	if _, err := s.a.Registrations.Replace(ctx, s.focal["FR"], fr.ID, details(girard)); err != nil {
		return fmt.Errorf("demo: replace: %w", err)
	}
	return nil
}

// The MedNET webinar: online, for the Mediterranean states, members and
// partners; people register themselves and their focal point or the
// secretariat approves them.
var webinarPlans = []delegationPlan{
	{"CY", "l", 1, 0}, {"DZ", "l", 1, 0}, {"EG", "l", 1, 0}, {"ES", "ll", 1, 0}, {"FR", "ll", 1, 0},
	{"GR", "l", 1, 0}, {"HR", "l", 1, 0}, {"IL", "l", 0, 0}, {"IT", "l", 1, 0}, {"JO", "l", 1, 0},
	{"LB", "ll", 0, 0}, {"LY", "s", 1, 0}, {"MA", "fll", 0, 0}, {"MT", "l", 1, 0}, {"PS", "l", 1, 0},
	{"PT", "l", 1, 0}, {"TN", "lll", 0, 0}, {"TR", "l", 1, 0},
}

func (s *seeder) webinar(ctx context.Context) error {
	day := meetingDay(s.now, 24, time.Thursday, s.zone(strasbourg))
	f := meeting.DefaultFields()
	f.Kind = "webinar"
	f.TitleEN = "MedNET webinar: school-based drug prevention in the Mediterranean"
	f.TitleFR = "Webinaire MedNET : la prévention des drogues en milieu scolaire en Méditerranée"
	f.DescriptionEN = "Practitioners from both shores of the Mediterranean share what works in school-based prevention. Registrations are confirmed once approved by the focal point or the secretariat."
	f.DescriptionFR = "Des praticiens des deux rives de la Méditerranée partagent ce qui fonctionne en prévention scolaire. Les inscriptions sont confirmées après approbation par le point focal ou le secrétariat."
	f.StartsAt, f.EndsAt = day.at(0, 10, 0), day.at(0, 12, 30)
	f.Format, f.OnlineURL = "online", "https://meet.agora.example/mednet-prevention"
	f.RegistrationOpensAt = ptr(s.now.AddDate(0, 0, -10).Truncate(time.Hour))
	f.RegistrationClosesAt = ptr(day.at(-2, 18, 0))
	f.SeatsPerState, f.FundedSeatsPerState = 3, 0
	f.RequiresApproval, f.Public = true, true
	f.Audience = meeting.AudienceCustom
	f.InvitedStates = pq.StringArray{"CY", "DZ", "EG", "ES", "FR", "GR", "HR", "IL", "IT", "JO", "LB", "LY",
		"MA", "MC", "MT", "PS", "PT", "SI", "TN", "TR"}
	m, err := s.schedule(ctx, f, day, webinarAgenda)
	if err != nil {
		return err
	}
	if m, err = s.publishAndInvite(ctx, m); err != nil {
		return err
	}
	regs, err := s.register(ctx, m, requests(webinarPlans, onlyRole("delegate"), preventionFunctions))
	if err != nil {
		return err
	}
	approvals := []struct {
		code string
		idx  int
		by   string // a focal point's state, or "" for the secretariat
	}{{"FR", 1, "FR"}, {"MA", 1, "MA"}, {"GR", 1, "GR"}, {"TN", 0, ""}, {"LB", 0, ""}, {"PT", 1, ""}}
	for _, ap := range approvals {
		r, err := regs.get(ap.code, ap.idx)
		if err != nil {
			return err
		}
		actor := s.secretariat
		if ap.by != "" {
			actor = s.focal[ap.by]
		}
		if _, err := s.a.Registrations.Approve(ctx, actor, r.ID); err != nil {
			return fmt.Errorf("demo: approve: %w", err)
		}
	}
	tn, err := regs.get("TN", 2)
	if err != nil {
		return err
	}
	if _, err := s.a.Registrations.Decline(ctx, s.secretariat, tn.ID, meeting.Reason{
		EN: "This webinar is for professionals working with schools; the recording will be shared with all focal points.",
		FR: "Ce webinaire s'adresse aux professionnels travaillant avec les écoles ; l'enregistrement sera communiqué à tous les points focaux."}); err != nil {
		return fmt.Errorf("demo: decline: %w", err)
	}
	return s.keep(ctx, m.ID)
}

// The expert group on prison health met in Lisbon some weeks ago.
var expertPlans = []delegationPlan{
	{"CH", "l", 1, 0}, {"DE", "f", 1, 0}, {"ES", "l", 1, 1}, {"FR", "ff", 1, 0}, {"GR", "f", 1, 1},
	{"IE", "s", 0, 0}, {"IT", "ss", 1, 0}, {"MA", "f", 1, 1}, {"NO", "s", 1, 0}, {"PL", "f", 1, 1},
	{"PT", "ss", 0, 0}, {"RO", "ll", 1, 1}, {"UA", "s", 0, 1},
}

// Experts who did not come, by "CC/idx".
var noShows = map[string]bool{"IT/2": true, "NO/1": true}

// expertGroup makes a meeting that has been held. Registration is refused
// once a meeting is over, so the meeting is scheduled ahead with the same
// weekday and hours, invitations and registrations happen, and then its
// dates are moved back to when it "took place"; its agenda follows, and
// the participants are checked in.
func (s *seeder) expertGroup(ctx context.Context) error {
	loc := s.zone(lisbon)
	held := meetingDay(s.now, -45, time.Monday, loc)
	ahead := meetingDay(s.now, 14, time.Monday, loc)
	f := meeting.DefaultFields()
	f.Kind = "expert_group"
	f.TitleEN = "3rd meeting of the Expert group on prison health"
	f.TitleFR = "3e réunion du Groupe d'experts sur la santé en milieu carcéral"
	f.DescriptionEN = "The expert group reviews the continuity of opioid agonist treatment on release and hepatitis C elimination in prisons, and discusses its draft recommendations. Hosted by the Portuguese authorities."
	f.DescriptionFR = "Le groupe d'experts examine la continuité des traitements agonistes opioïdes à la libération et l'élimination de l'hépatite C en milieu carcéral, et discute de son projet de recommandations. Accueilli par les autorités portugaises."
	f.TimeZone = lisbon
	f.StartsAt, f.EndsAt = ahead.at(0, 9, 30), ahead.at(1, 12, 30)
	f.VenueEN, f.VenueFR = "Ministry of Justice, Lisbon", "Ministère de la Justice, Lisbonne"
	f.SeatsPerState, f.FundedSeatsPerState = 2, 1
	f.Audience = meeting.AudienceCustom
	f.InvitedStates = pq.StringArray{"CH", "DE", "ES", "FR", "GR", "IE", "IT", "MA", "NO", "PL", "PT", "RO", "UA"}
	m, err := s.a.Meetings.Create(ctx, s.secretariat, f)
	if err != nil {
		return fmt.Errorf("demo: meeting %q: %w", f.TitleEN, err)
	}
	if m, err = s.publishAndInvite(ctx, m); err != nil {
		return err
	}
	regs, err := s.register(ctx, m, requests(expertPlans, onlyRole("expert"), prisonFunctions))
	if err != nil {
		return err
	}
	ro, err := regs.get("RO", 2)
	if err != nil {
		return err
	}
	if _, err := s.a.Registrations.Cancel(ctx, s.secretariat, ro.ID); err != nil {
		return fmt.Errorf("demo: cancel: %w", err)
	}
	_, err = s.a.Meetings.Update(ctx, s.secretariat, m.ID, func(f *meeting.Fields) error {
		f.StartsAt, f.EndsAt = held.at(0, 9, 30), held.at(1, 12, 30)
		f.RegistrationClosesAt = ptr(held.at(-10, 18, 0))
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: move %q to the past: %w", f.TitleEN, err)
	}
	if err := s.addAgenda(ctx, m, held, prisonAgenda); err != nil {
		return err
	}
	// Everyone still confirmed came, but for the no-shows.
	rows, _, err := s.a.Registrations.Registrations(ctx, s.secretariat, m.ID, registration.Filter{Status: registration.StatusConfirmed})
	if err != nil {
		return fmt.Errorf("demo: participants: %w", err)
	}
	for _, r := range rows {
		if noShows[regs.keyOf(r.ID)] {
			continue
		}
		if _, err := s.a.Registrations.CheckIn(ctx, s.secretariat, r.ID, false); err != nil {
			return fmt.Errorf("demo: check in %s: %w", r.Email, err)
		}
	}
	return s.keep(ctx, m.ID)
}

// zone loads a time zone the meeting service accepts (UTC if it is missing).
func (s *seeder) zone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
