package demo

import (
	"context"
	"fmt"
	"github.com/lib/pq"
	"sort"
	"time"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// pastMeeting is one meeting of the demo's two years of history, which
// give the statistics page something to show: held, and archived when
// over a year old.
type pastMeeting struct {
	days       int // start, in days from now (negative)
	kind       string
	en, fr     string
	twoEach    bool // two people per state rather than one
	everyOther int  // 1 in everyOther states takes part (1: all)
}

var history = []pastMeeting{
	{-110, "bureau", "57th Bureau meeting", "57e réunion du Bureau", false, 4},
	{-170, "plenary", "95th meeting of the Permanent Correspondents", "95e réunion des correspondants permanents", true, 1},
	{-230, "training", "Training on drug checking services", "Formation aux services d'analyse de drogues", false, 2},
	{-290, "webinar", "Webinar: new psychoactive substances in prisons", "Webinaire : nouvelles substances psychoactives en prison", false, 2},
	{-330, "forum", "Mediterranean forum on prevention", "Forum méditerranéen sur la prévention", false, 2},
	{-360, "expert_group", "2nd meeting of the Expert group on prison health", "2e réunion du Groupe d'experts sur la santé en milieu carcéral", false, 3},
	{-420, "bureau", "56th Bureau meeting", "56e réunion du Bureau", false, 4},
	{-530, "plenary", "94th meeting of the Permanent Correspondents", "94e réunion des correspondants permanents", true, 1},
	{-590, "forum", "Forum on harm reduction and human rights", "Forum sur la réduction des risques et les droits humains", false, 2},
	{-650, "expert_group", "1st meeting of the Expert group on prison health", "1re réunion du Groupe d'experts sur la santé en milieu carcéral", false, 3},
	{-710, "training", "Training on drug policy evaluation", "Formation à l'évaluation des politiques en matière de drogues", false, 2},
}

var historyAgenda = []item{
	{en: "Opening of the meeting and adoption of the agenda", fr: "Ouverture de la réunion et adoption de l'ordre du jour",
		from: clock{0, 9, 30}, to: clock{0, 10, 0}},
	{en: "Reports of the delegations", fr: "Rapports des délégations", from: clock{0, 10, 0}, to: clock{0, 12, 30},
		sub: []item{{en: "Member states", fr: "États membres"}, {en: "Partner countries", fr: "Pays partenaires"}}},
	{en: "Work programme", fr: "Programme de travail", from: clock{0, 14, 0}, to: clock{0, 15, 30}},
	{en: "Any other business", fr: "Questions diverses", from: clock{0, 15, 30}, to: clock{0, 16, 0}},
}

// pastMeetings creates the history through the services, as the held
// expert group is: scheduled ahead, people registered by the secretariat,
// then moved to its real date in the past; those present are checked in.
func (s *seeder) pastMeetings(ctx context.Context) error {
	codes := make([]string, 0, len(delegations))
	var organisations pq.StringArray // invited to every meeting of the history
	for c := range delegations {
		codes = append(codes, c)
		if _, err := s.a.Organisations.Organisation(ctx, c); err == nil {
			organisations = append(organisations, c)
		}
	}
	sort.Strings(codes)
	sort.Strings(organisations)
	loc := s.zone(strasbourg)
	for k, h := range history {
		ahead := meetingDay(s.now, 30+k, time.Tuesday, loc)
		held := meetingDay(s.now, h.days, time.Tuesday, loc)
		f := meeting.DefaultFields()
		f.Kind, f.TitleEN, f.TitleFR = h.kind, h.en, h.fr
		f.DescriptionEN, f.DescriptionFR = "A meeting of the demo's history.", "Une réunion de l'historique de la démonstration."
		f.StartsAt, f.EndsAt = ahead.at(0, 9, 30), ahead.at(0, 16, 0)
		f.SeatsPerState, f.FundedSeatsPerState = 2, 1
		f.Audience = meeting.AudienceMembersAndPartners
		f.InvitedOrganisations = organisations
		if h.kind == "webinar" {
			f.Format, f.OnlineURL = "online", "https://meet.agora.example/webinar"
		} else {
			f.VenueEN, f.VenueFR = palais, palaisFR
		}
		m, err := s.schedule(ctx, f, ahead, historyAgenda)
		if err != nil {
			return err
		}
		if m, err = s.a.Meetings.Publish(ctx, s.secretariat, m.ID); err != nil {
			return fmt.Errorf("demo: publish %q: %w", h.en, err)
		}
		var regs []int64
		for i, code := range codes {
			d := delegations[code]
			if (i+k)%h.everyOther != 0 || withoutFocalPoint[code] {
				continue
			}
			n := 1
			if h.twoEach {
				n = 2
			}
			for j := range n {
				idx := (k + i + j) % len(d.People)
				r := seatRequest{code: code, idx: idx, via: viaSecretariat, role: roleOfDelegate(j),
					fn: prisonFunctions[idx%len(prisonFunctions)], funding: j == 0 && (i+k)%3 == 0}
				res, err := s.a.Registrations.Register(ctx, s.secretariat, m.ID, registration.Input{State: code, Details: details(r)})
				if err != nil {
					return fmt.Errorf("demo: register %s for %q: %w (%v)", code, h.en, err, fieldsOf(err))
				}
				if res.Status == registration.StatusConfirmed { // an organisation's second person waits
					regs = append(regs, res.ID)
				}
			}
		}
		// Someone withdraws; the others come, but for a few no-shows.
		if len(regs) > 3 {
			if _, err := s.a.Registrations.Cancel(ctx, s.secretariat, regs[1]); err != nil {
				return fmt.Errorf("demo: cancel: %w", err)
			}
		}
		_, err = s.a.Meetings.Update(ctx, s.secretariat, m.ID, func(f *meeting.Fields) error {
			f.StartsAt, f.EndsAt = held.at(0, 9, 30), held.at(0, 16, 0)
			f.RegistrationClosesAt = ptr(held.at(-10, 18, 0))
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo: move %q to the past: %w", h.en, err)
		}
		for i, id := range regs {
			if i == 1 || i%7 == 3 {
				continue // cancelled, or did not come
			}
			if _, err := s.a.Registrations.CheckIn(ctx, s.secretariat, id, false); err != nil {
				return fmt.Errorf("demo: check in: %w", err)
			}
		}
		if h.days < -365 {
			if _, err := s.a.Meetings.Archive(ctx, s.secretariat, m.ID); err != nil {
				return fmt.Errorf("demo: archive %q: %w", h.en, err)
			}
		}
	}
	return nil
}

func fieldsOf(err error) any {
	if e, ok := apperr.As(err); ok {
		return e.Fields
	}
	return nil
}
