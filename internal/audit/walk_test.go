package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/organisation"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/state"
)

// row is an audit entry a step must leave: what, by whom ("secretariat",
// "admin", "fp_FR", "link", "system:cli" …) and about what. A nil pointer
// is not checked; it is read when the step has run (ids come from earlier
// steps).
type row struct {
	action  string
	by      string
	meeting *int64
	state   string
	subject string
	id      *int64
}

// walkStep is one auditable action done through its service (the page,
// the API and the command line call the same method).
type walkStep struct {
	name string
	// setup prepares what the action needs; it is not the action and is
	// not checked.
	setup func() error
	// do is the action.
	do func() error
	// refuse, when set, is a change the service refuses (bad input, wrong
	// role): it must leave no entry and change nothing.
	refuse func() error
	want   []row
}

// TestEveryActionIsAudited walks every action that changes something and
// checks three things for each: with the audit write failing, the action
// fails and changes nothing (the entry is in the change's transaction);
// done, it leaves exactly its entries (action, actor, subject); refused,
// it leaves none.
func TestEveryActionIsAudited(t *testing.T) {
	e := apptest.Start(t, apptest.Options{Config: func(c *config.Config) {
		c.Digest.Quiet = time.Hour // no change notices written behind the walk's back
	}})
	ctx := context.Background()
	as := func(key string) auth.Actor { u := e.Users[key]; return auth.Actor{User: &u} }
	sec, adm, fp := as("secretariat"), as("admin"), as("fp_FR")
	details := func(first, email string) registration.Details {
		return registration.Details{FirstName: first, LastName: "Walker", Email: email, DelegationRole: "delegate", Language: "en"}
	}
	tokenOf := func(url, marker string) string { _, tok, _ := strings.Cut(url, marker); return tok }

	var (
		mID, item1, item2, fpID, regA, regB, regC, regD, userID, tokenID, mailID, copyID int64
		docID, docID2                                                                    int64
		manageA, manageB, inviteFR, resetSecret                                          string
	)
	var (
		guestID, regG int64
		guestToken    string
	)
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	steps := []walkStep{
		{name: "meeting create", do: func() error {
			f := meeting.DefaultFields()
			f.Kind, f.TitleEN, f.TitleFR, f.StartsAt, f.EndsAt = "forum", "Walk", "Marche", start, start.Add(2*time.Hour)
			f.Audience, f.InvitedStates, f.SeatsPerState, f.RequiresApproval = meeting.AudienceCustom, []string{"FR", "DE"}, 1, true
			m, err := e.App.Meetings.Create(ctx, sec, f)
			mID = m.ID
			return err
		}, refuse: func() error {
			_, err := e.App.Meetings.Create(ctx, fp, meeting.DefaultFields())
			return err
		}, want: []row{{action: "meeting.create", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "meeting edit", do: func() error {
			_, err := e.App.Meetings.Update(ctx, sec, mID, func(f *meeting.Fields) error { f.VenueEN = "Palais"; return nil })
			return err
		}, refuse: func() error {
			_, err := e.App.Meetings.Update(ctx, sec, mID, func(f *meeting.Fields) error { f.EndsAt = f.StartsAt.Add(-time.Hour); return nil })
			return err
		}, want: []row{{action: "meeting.update", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "agenda add", do: func() error {
			it, err := e.App.Meetings.AddItem(ctx, sec, mID, meeting.ItemFields{TitleEN: "Opening", TitleFR: "Ouverture"})
			item1 = it.ID
			return err
		}, refuse: func() error {
			_, err := e.App.Meetings.AddItem(ctx, fp, mID, meeting.ItemFields{TitleEN: "Opening", TitleFR: "Ouverture"})
			return err
		}, want: []row{{action: "agenda.add", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "agenda add another", do: func() error {
			it, err := e.App.Meetings.AddItem(ctx, sec, mID, meeting.ItemFields{TitleEN: "Close", TitleFR: "Clôture"})
			item2 = it.ID
			return err
		}, want: []row{{action: "agenda.add", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "agenda edit", do: func() error {
			_, err := e.App.Meetings.UpdateItem(ctx, sec, item1, func(f *meeting.ItemFields) error { f.NotesEN = "Welcome"; return nil })
			return err
		}, want: []row{{action: "agenda.update", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "agenda reorder", do: func() error {
			_, err := e.App.Meetings.Reorder(ctx, sec, mID, []int64{item2, item1})
			return err
		}, refuse: func() error {
			_, err := e.App.Meetings.Reorder(ctx, sec, mID, []int64{item2})
			return err
		}, want: []row{{action: "agenda.reorder", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "agenda delete", do: func() error {
			return e.App.Meetings.DeleteItem(ctx, sec, item2)
		}, want: []row{{action: "agenda.delete", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "meeting publish", do: func() error {
			_, err := e.App.Meetings.Publish(ctx, sec, mID)
			return err
		}, want: []row{{action: "meeting.publish", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "meeting copy", do: func() error {
			m, err := e.App.Meetings.Copy(ctx, sec, mID, start.AddDate(1, 0, 0))
			copyID = m.ID
			return err
		}, refuse: func() error {
			_, err := e.App.Meetings.Copy(ctx, fp, mID, start.AddDate(1, 0, 0))
			return err
		}, want: []row{{action: "meeting.copy", by: "secretariat", meeting: &copyID, subject: "meeting", id: &copyID}}},
		{name: "meeting delete (a draft)", do: func() error {
			return e.App.Meetings.Delete(ctx, sec, copyID)
		}, refuse: func() error {
			return e.App.Meetings.Delete(ctx, sec, mID) // published: cancelled or archived, never deleted
		}, want: []row{{action: "meeting.delete", by: "secretariat", meeting: &copyID, subject: "meeting", id: &copyID}}},
		{name: "document create", do: func() error {
			d, err := e.App.Documents.Create(ctx, sec, mID, document.Fields{Symbol: "W-1", TitleEN: "Walk paper", Access: document.Public})
			docID = d.ID
			return err
		}, refuse: func() error {
			_, err := e.App.Documents.Create(ctx, fp, mID, document.Fields{Symbol: "W-1", TitleEN: "Walk paper", Access: document.Public})
			return err
		}, want: []row{{action: "document.create", by: "secretariat", meeting: &mID, subject: "document", id: &docID}}},
		{name: "document file", do: func() error {
			_, err := e.App.Documents.PutFile(ctx, sec, docID, document.Upload{Language: "en", Filename: "walk.txt", Body: strings.NewReader("Walk.")})
			return err
		}, refuse: func() error {
			_, err := e.App.Documents.PutFile(ctx, sec, docID, document.Upload{Language: "en", Filename: "walk.txt", Body: strings.NewReader("<html>")})
			return err
		}, want: []row{{action: "document.publish", by: "secretariat", meeting: &mID, subject: "document", id: &docID}}},
		{name: "document file replaced", do: func() error {
			_, err := e.App.Documents.PutFile(ctx, sec, docID, document.Upload{Language: "en", Filename: "walk-2.txt", Body: strings.NewReader("Walk again.")})
			return err
		}, want: []row{{action: "document.replace", by: "secretariat", meeting: &mID, subject: "document", id: &docID}}},
		{name: "document edit", do: func() error {
			_, err := e.App.Documents.Update(ctx, sec, docID, func(f *document.Fields) error { f.TitleFR = "Papier"; return nil })
			return err
		}, refuse: func() error {
			_, err := e.App.Documents.Update(ctx, sec, docID, func(f *document.Fields) error { f.Access = "nobody"; return nil })
			return err
		}, want: []row{{action: "document.update", by: "secretariat", meeting: &mID, subject: "document", id: &docID}}},
		{name: "document created with its file", do: func() error {
			d, err := e.App.Documents.CreateWithFile(ctx, sec, mID, document.Fields{TitleEN: "Second", Access: document.Participants},
				document.Upload{Language: "fr", Filename: "second.txt", Body: strings.NewReader("Second.")})
			docID2 = d.ID
			return err
		}, want: []row{{action: "document.create", by: "secretariat", meeting: &mID, subject: "document", id: &docID2},
			{action: "document.publish", by: "secretariat", meeting: &mID, subject: "document", id: &docID2}}},
		{name: "documents reorder", do: func() error {
			_, err := e.App.Documents.Reorder(ctx, sec, mID, []int64{docID2, docID})
			return err
		}, refuse: func() error {
			_, err := e.App.Documents.Reorder(ctx, sec, mID, []int64{docID})
			return err
		}, want: []row{{action: "document.reorder", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "document withdraw", do: func() error {
			return e.App.Documents.Withdraw(ctx, sec, docID2)
		}, refuse: func() error {
			return e.App.Documents.Withdraw(ctx, fp, docID)
		}, want: []row{{action: "document.withdraw", by: "secretariat", meeting: &mID, subject: "document", id: &docID2}}},
		{name: "focal point add", do: func() error {
			p, err := e.App.FocalPoints.Add(ctx, sec, "FR", invitation.NewFocalPoint{Name: "Jean Walk", Email: "jean.walk@example.org", Language: "fr"})
			fpID = p.ID
			return err
		}, refuse: func() error {
			_, err := e.App.FocalPoints.Add(ctx, sec, "FR", invitation.NewFocalPoint{Name: "Jean Walk", Email: "not an address", Language: "fr"})
			return err
		}, want: []row{{action: "focal_point.add", by: "secretariat", state: "FR", subject: "focal_point", id: &fpID}}},
		{name: "invitation send", do: func() error {
			if _, err := e.App.Invitations.Invite(ctx, sec, mID, invitation.Request{States: []string{"FR"}}); err != nil {
				return err
			}
			invs, err := e.App.Invitations.Invitations(ctx, sec, mID)
			for _, inv := range invs {
				if inv.State == "FR" {
					inviteFR = tokenOf(inv.RegistrationURL, "/register/")
				}
			}
			return err
		}, refuse: func() error {
			_, err := e.App.Invitations.Invite(ctx, fp, mID, invitation.Request{States: []string{"FR"}})
			return err
		}, want: []row{{action: "invitation.send", by: "secretariat", meeting: &mID, state: "FR", subject: "invitation"}}},
		{name: "invitation remind", do: func() error {
			_, err := e.App.Invitations.Remind(ctx, sec, mID)
			return err
		}, want: []row{{action: "invitation.remind", by: "secretariat", meeting: &mID, state: "FR", subject: "invitation"}}},
		{name: "automatic reminder sent by the worker", setup: func() error {
			_, err := e.App.DB.Exec(`UPDATE meetings SET reminder_focal_points_days = 60 WHERE id = $1`, mID)
			return err
		}, do: func() error {
			_, err := e.App.Invitations.SendDueReminders(ctx, time.Now())
			return err
		}, want: []row{{action: "invitation.remind", by: "system:worker", meeting: &mID, state: "FR", subject: "invitation"},
			{action: "meeting.reminder", by: "system:worker", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "registration through the link", do: func() error {
			r, err := e.App.Registrations.Register(ctx, auth.Actor{}, mID, registration.Input{InvitationToken: inviteFR, Details: details("Ana", "ana.walk@example.org")})
			regA, manageA = r.ID, tokenOf(r.ManageURL, "/registrations/manage/")
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.Register(ctx, auth.Actor{}, mID, registration.Input{InvitationToken: inviteFR + "x", Details: details("Ana", "ana2.walk@example.org")})
			return err
		}, want: []row{{action: "registration.create", by: "link", meeting: &mID, state: "FR", subject: "registration", id: &regA}}},
		{name: "registration approve", do: func() error {
			_, err := e.App.Registrations.Approve(ctx, fp, regA)
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.Approve(ctx, as("fp_DE"), regA)
			return err
		}, want: []row{{action: "registration.approve", by: "fp_FR", meeting: &mID, state: "FR", subject: "registration", id: &regA}}},
		{name: "registration by the focal point", do: func() error {
			r, err := e.App.Registrations.Register(ctx, fp, mID, registration.Input{State: "FR", Details: details("Bea", "bea.walk@example.org")})
			regB, manageB = r.ID, tokenOf(r.ManageURL, "/registrations/manage/")
			return err
		}, want: []row{{action: "registration.create", by: "fp_FR", meeting: &mID, state: "FR", subject: "registration", id: &regB}}},
		{name: "registration decline", setup: func() error {
			r, err := e.App.Registrations.Register(ctx, auth.Actor{}, mID, registration.Input{InvitationToken: inviteFR, Details: details("Cem", "cem.walk@example.org")})
			regC = r.ID
			return err
		}, do: func() error {
			_, err := e.App.Registrations.Decline(ctx, sec, regC, meeting.Reason{EN: "no seat"})
			return err
		}, want: []row{{action: "registration.decline", by: "secretariat", meeting: &mID, state: "FR", subject: "registration", id: &regC}}},
		{name: "attendance changed", setup: func() error {
			_, err := e.App.Meetings.Update(ctx, sec, mID, func(f *meeting.Fields) error {
				f.Format, f.OnlineURL = "hybrid", "https://meet.example.org/walk"
				return nil
			})
			return err
		}, do: func() error {
			_, err := e.App.Registrations.SetAttendance(ctx, fp, regA, "online")
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.SetAttendance(ctx, fp, regC, "in_person") // declined: nothing to change
			return err
		}, want: []row{{action: "registration.attendance", by: "fp_FR", meeting: &mID, state: "FR", subject: "registration", id: &regA}}},
		{name: "check-in", do: func() error {
			_, err := e.App.Registrations.CheckIn(ctx, sec, regA, false)
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.CheckIn(ctx, sec, regC, false) // declined: nobody to check in
			return err
		}, want: []row{{action: "registration.check_in", by: "secretariat", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "check-in undone", do: func() error {
			_, err := e.App.Registrations.CheckIn(ctx, sec, regA, true)
			return err
		}, want: []row{{action: "registration.undo_check_in", by: "secretariat", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "check-in by badge", do: func() error {
			_, err := e.App.Registrations.CheckInByCode(ctx, sec, mID, e.App.Registrations.CheckInCode(mID, regA), "", "en")
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.CheckInByCode(ctx, sec, mID, e.App.Registrations.CheckInCode(mID+1, regA), "", "en")
			return err
		}, want: []row{{action: "registration.check_in", by: "secretariat", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "check-in undone at the door", do: func() error {
			_, err := e.App.Registrations.UndoCheckIn(ctx, sec, mID, regA, "", "en")
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.UndoCheckIn(ctx, sec, mID, regA, "1999-01-01", "en") // not a day of the meeting
			return err
		}, want: []row{{action: "registration.undo_check_in", by: "secretariat", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "visa letter asked for", do: func() error {
			_, err := e.App.Registrations.RequestVisaLetter(ctx, manageA, registration.VisaInput{PassportNumber: "AB123456",
				Nationality: "French", DateOfBirth: "1980-01-02", PassportExpires: start.AddDate(3, 0, 0).Format(time.DateOnly)})
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.RequestVisaLetter(ctx, manageA, registration.VisaInput{PassportNumber: "?", Nationality: "French",
				DateOfBirth: "1980-01-02", PassportExpires: "2001-01-01"})
			return err
		}, want: []row{{action: "visa.request", by: "link", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "visa letter approved", do: func() error {
			_, err := e.App.Registrations.ApproveVisaLetter(ctx, sec, regA)
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.ApproveVisaLetter(ctx, fp, regA)
			return err
		}, want: []row{{action: "visa.approve", by: "secretariat", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "guest invited", do: func() error {
			g, err := e.App.Registrations.InviteGuest(ctx, sec, mID, registration.GuestInput{FirstName: "Gil", LastName: "Guest",
				Email: "gil.guest@example.org", Language: "fr", Role: "speaker", FundingOffered: true})
			guestID, guestToken = g.ID, tokenOf(g.RegistrationURL, "/register/")
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.InviteGuest(ctx, sec, mID, registration.GuestInput{FirstName: "Gil", LastName: "Guest",
				Email: "gil.other@example.org", Language: "fr", Role: "boss"})
			return err
		}, want: []row{{action: "guest.invite", by: "secretariat", meeting: &mID, subject: "guest", id: &guestID}}},
		{name: "guest invitation sent again", do: func() error {
			_, err := e.App.Registrations.ResendGuest(ctx, sec, guestID)
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.ResendGuest(ctx, fp, guestID)
			return err
		}, want: []row{{action: "guest.resend", by: "secretariat", meeting: &mID, subject: "guest", id: &guestID}}},
		{name: "guest registers through their link", do: func() error {
			d := details("Gil", "GIL.guest@example.org")
			d.FundingRequested = true
			r, err := e.App.Registrations.Register(ctx, auth.Actor{}, mID, registration.Input{InvitationToken: guestToken, Details: d})
			regG = r.ID
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.Register(ctx, auth.Actor{}, mID, registration.Input{InvitationToken: guestToken,
				Details: details("Gil", "someone.else@example.org")})
			return err
		}, want: []row{{action: "registration.create", by: "link", meeting: &mID, subject: "registration", id: &regG}}},
		{name: "funding decided by the secretariat", do: func() error {
			no := false
			_, err := e.App.Registrations.DecideFunding(ctx, sec, regG, &no)
			return err
		}, refuse: func() error {
			yes := true
			_, err := e.App.Registrations.DecideFunding(ctx, fp, regG, &yes)
			return err
		}, want: []row{{action: "registration.funding", by: "secretariat", meeting: &mID, subject: "registration", id: &regG}}},
		{name: "guest revoked", do: func() error {
			_, err := e.App.Registrations.RevokeGuest(ctx, sec, guestID)
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.RevokeGuest(ctx, fp, guestID)
			return err
		}, want: []row{{action: "guest.revoke", by: "secretariat", meeting: &mID, subject: "guest", id: &guestID}}},
		{name: "registration edited by its owner", do: func() error {
			_, err := e.App.Registrations.UpdateOwn(ctx, manageA, func(d *registration.Details) error { d.Dietary = "vegetarian"; return nil })
			return err
		}, want: []row{{action: "registration.update_own", by: "link", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "list consent given, then withdrawn by its owner", do: func() error {
			if _, err := e.App.Registrations.UpdateOwn(ctx, manageA, func(d *registration.Details) error { d.ListConsent = true; return nil }); err != nil {
				return err
			}
			_, err := e.App.Registrations.WithdrawConsent(ctx, manageA)
			return err
		}, want: []row{
			{action: "registration.update_own", by: "link", meeting: &mID, subject: "registration", id: &regA},
			{action: "registration.withdraw_consent", by: "link", meeting: &mID, subject: "registration", id: &regA},
		}},
		{name: "registration replace", do: func() error {
			r, err := e.App.Registrations.Replace(ctx, fp, regA, details("Dan", "dan.walk@example.org"))
			regD = r.ID
			return err
		}, want: []row{{action: "registration.replace", by: "fp_FR", meeting: &mID, subject: "registration", id: &regA}}},
		{name: "registration cancel (promotes the waiting list)", do: func() error {
			_, err := e.App.Registrations.Cancel(ctx, sec, regD)
			return err
		}, refuse: func() error {
			_, err := e.App.Registrations.Cancel(ctx, as("fp_DE"), regD)
			return err
		}, want: []row{
			{action: "registration.promote", by: "system", meeting: &mID, subject: "registration", id: &regB},
			{action: "registration.cancel", by: "secretariat", meeting: &mID, subject: "registration", id: &regD},
		}},
		{name: "registration cancelled by its owner", do: func() error {
			_, err := e.App.Registrations.CancelOwn(ctx, manageB)
			return err
		}, want: []row{{action: "registration.cancel_own", by: "link", meeting: &mID, subject: "registration", id: &regB}}},
		{name: "invitation revoke", do: func() error {
			return e.App.Invitations.Revoke(ctx, sec, mID, "FR")
		}, want: []row{{action: "invitation.revoke", by: "secretariat", meeting: &mID, state: "FR", subject: "invitation"}}},
		{name: "focal point remove", do: func() error {
			return e.App.FocalPoints.Delete(ctx, sec, fpID)
		}, refuse: func() error {
			return e.App.FocalPoints.Delete(ctx, as("fp_DE"), fpID)
		}, want: []row{{action: "focal_point.remove", by: "secretariat", state: "FR", subject: "focal_point", id: &fpID}}},
		{name: "meeting cancel", do: func() error {
			_, err := e.App.Meetings.Cancel(ctx, sec, mID, meeting.Reason{EN: "postponed"})
			return err
		}, refuse: func() error {
			_, err := e.App.Meetings.Cancel(ctx, sec, mID, meeting.Reason{})
			return err
		}, want: []row{{action: "meeting.cancel", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "meeting archive", do: func() error {
			_, err := e.App.Meetings.Archive(ctx, sec, mID)
			return err
		}, want: []row{{action: "meeting.archive", by: "secretariat", meeting: &mID, subject: "meeting", id: &mID}}},
		{name: "roster edit", do: func() error {
			_, err := e.App.States.UpdateState(ctx, adm, "MT", state.Update{NameEN: "Malta", NameFR: "Malte", Status: state.StatusPartner})
			return err
		}, refuse: func() error {
			_, err := e.App.States.UpdateState(ctx, adm, "MT", state.Update{NameEN: "Malta", NameFR: "", Status: state.StatusPartner})
			return err
		}, want: []row{{action: "state.update", by: "admin", state: "MT", subject: "state"}}},
		{name: "organisation create", do: func() error {
			_, err := e.App.Organisations.Create(ctx, sec, organisation.Fields{Code: "WALK-ORG", NameEN: "Walk", NameFR: "Marche", Kind: "ngo"})
			return err
		}, refuse: func() error {
			_, err := e.App.Organisations.Create(ctx, sec, organisation.Fields{Code: "FR", NameEN: "Walk", NameFR: "Marche", Kind: "ngo"})
			return err
		}, want: []row{{action: "organisation.create", by: "secretariat", state: "WALK-ORG", subject: "organisation"}}},
		{name: "organisation edit", do: func() error {
			_, err := e.App.Organisations.Update(ctx, adm, "WALK-ORG", organisation.Fields{NameEN: "Walk", NameFR: "Marche", Kind: "academic"})
			return err
		}, refuse: func() error {
			_, err := e.App.Organisations.Update(ctx, adm, "WALK-ORG", organisation.Fields{NameEN: "", NameFR: "Marche", Kind: "academic"})
			return err
		}, want: []row{{action: "organisation.update", by: "admin", state: "WALK-ORG", subject: "organisation"}}},
		{name: "user add", do: func() error {
			u, err := e.App.Auth.AddUser(ctx, adm, auth.NewUser{Email: "walker@example.org", Name: "Wal Ker", Role: auth.RoleSecretariat,
				Language: "en", Password: "a long enough passphrase"})
			userID = u.ID
			return err
		}, refuse: func() error {
			_, err := e.App.Auth.AddUser(ctx, sec, auth.NewUser{Email: "walker2@example.org", Name: "Wal Ker", Role: auth.RoleSecretariat,
				Language: "en", Password: "a long enough passphrase"})
			return err
		}, want: []row{{action: "user.create", by: "admin", subject: "user", id: &userID}}},
		{name: "user edit", do: func() error {
			_, err := e.App.Auth.ChangeUser(ctx, adm, userID, auth.UserChange{Role: auth.RoleFocalPoint, State: "DE", Language: "fr"})
			return err
		}, refuse: func() error {
			_, err := e.App.Auth.ChangeUser(ctx, adm, e.Users["admin"].ID, auth.UserChange{Role: auth.RoleSecretariat, Language: "en"})
			return err
		}, want: []row{{action: "user.update", by: "admin", subject: "user", id: &userID}}},
		{name: "token create", do: func() error {
			_, tok, err := e.App.Auth.CreateToken(ctx, auth.SystemActor("cli"), "walker@example.org", "ci")
			tokenID = tok.ID
			return err
		}, refuse: func() error {
			_, _, err := e.App.Auth.CreateToken(ctx, sec, "walker@example.org", "ci")
			return err
		}, want: []row{{action: "token.create", by: "system:cli", subject: "user", id: &userID}}},
		{name: "token revoke", do: func() error {
			_, err := e.App.Auth.RevokeToken(ctx, auth.SystemActor("cli"), fmt.Sprint(tokenID))
			return err
		}, want: []row{{action: "token.revoke", by: "system:cli", subject: "user", id: &userID}}},
		{name: "password reset", setup: func() error {
			var err error
			resetSecret, _, _, err = e.App.Auth.StartReset(ctx, "walker@example.org")
			return err
		}, do: func() error {
			_, err := e.App.Accounts.Reset(ctx, resetSecret, "another long passphrase")
			return err
		}, refuse: func() error {
			_, err := e.App.Accounts.Reset(ctx, resetSecret+"x", "another long passphrase")
			return err
		}, want: []row{{action: "user.password_reset", by: "link", subject: "user", id: &userID}}},
		{name: "user delete", do: func() error {
			return e.App.Auth.DeleteUser(ctx, adm, userID)
		}, refuse: func() error {
			return e.App.Auth.DeleteUser(ctx, adm, e.Users["admin"].ID) // the last admin
		}, want: []row{{action: "user.delete", by: "admin", subject: "user", id: &userID}}},
		{name: "mail resend", setup: func() error {
			return e.App.DB.Get(&mailID, `UPDATE outgoing_mail SET status = 'failed', last_error = '550 no'
				WHERE id = (SELECT min(id) FROM outgoing_mail WHERE meeting_id = $1) RETURNING id`, mID)
		}, do: func() error {
			_, err := e.App.Outbox.Resend(ctx, sec, mailID)
			return err
		}, refuse: func() error {
			var withheld int64 // not sent yet: nothing to send again
			if err := e.App.DB.Get(&withheld, `SELECT max(id) FROM outgoing_mail WHERE status = 'withheld'`); err != nil {
				return nil
			}
			_, err := e.App.Outbox.Resend(ctx, sec, withheld)
			return err
		}, want: []row{{action: "mail.resend", by: "secretariat", meeting: &mID, subject: "mail", id: &mailID}}},
		{name: "mail release", do: func() error {
			_, err := e.App.Outbox.Release(ctx, sec)
			return err
		}, want: []row{{action: "mail.release", by: "secretariat"}}},
		{name: "privacy export", do: func() error {
			_, err := e.App.Privacy.Export(ctx, adm, "ana.walk@example.org")
			return err
		}, refuse: func() error {
			_, err := e.App.Privacy.Export(ctx, sec, "ana.walk@example.org")
			return err
		}, want: []row{{action: "privacy.export", by: "admin"}}},
		{name: "privacy erase", do: func() error {
			_, err := e.App.Privacy.Erase(ctx, adm, "cem.walk@example.org")
			return err
		}, refuse: func() error {
			_, err := e.App.Privacy.Erase(ctx, sec, "cem.walk@example.org")
			return err
		}, want: []row{{action: "privacy.erase", by: "admin"}}},
		{name: "privacy retention", do: func() error {
			_, err := e.App.Privacy.ApplyRetention(ctx, auth.SystemActor("worker"), 1, time.Now().AddDate(1, 0, 0))
			return err
		}, want: []row{
			{action: "privacy.visa_retention", by: "system:worker", meeting: &mID}, // the visa letter's passport data go first
			{action: "privacy.retention", by: "system:worker", meeting: &mID},
		}},
	}

	if _, err := e.App.DB.Exec(`CREATE FUNCTION walk_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit write refused by the test'; END $$`); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if st.setup != nil {
			if err := st.setup(); err != nil {
				t.Fatalf("%s: set-up: %v", st.name, err)
			}
		}
		// 1. The audit write fails: the action fails and changes nothing.
		if _, err := e.App.DB.Exec(`CREATE TRIGGER walk_refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION walk_refuse_audit()`); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, e)
		err := st.do()
		after := snapshot(t, e)
		if _, derr := e.App.DB.Exec(`DROP TRIGGER walk_refuse ON audit_log`); derr != nil {
			t.Fatal(derr)
		}
		if err == nil || !strings.Contains(err.Error(), "audit write refused") {
			t.Fatalf("%s: with the audit write failing, the action answered %v", st.name, err)
		}
		if diff := compare(before, after); diff != "" {
			t.Errorf("%s: with the audit write failing, the action still changed %s", st.name, diff)
		}
		// 2. A refused change leaves no entry and changes nothing.
		if st.refuse != nil {
			last := lastID(t, e)
			before := snapshot(t, e)
			if err := st.refuse(); err == nil {
				t.Fatalf("%s: the change that should be refused was done", st.name)
			}
			if n := lastID(t, e); n != last {
				t.Errorf("%s: a refused change left %d audit entries", st.name, n-last)
			}
			if diff := compare(before, snapshot(t, e)); diff != "" {
				t.Errorf("%s: a refused change changed %s", st.name, diff)
			}
		}
		// 3. Done: exactly its entries.
		last := lastID(t, e)
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := entriesAfter(t, e, last)
		if len(got) != len(st.want) {
			t.Errorf("%s: %d audit entries %v, want %d", st.name, len(got), got, len(st.want))
			continue
		}
		for i, w := range st.want {
			if msg := w.mismatch(e, got[i]); msg != "" {
				t.Errorf("%s: entry %d: %s (got %+v)", st.name, i+1, msg, got[i])
			}
		}
	}
}

// entry is an audit row as the walk reads it.
type entry struct {
	Actor       string  `db:"actor"`
	UserID      *int64  `db:"user_id"`
	Action      string  `db:"action"`
	MeetingID   *int64  `db:"meeting_id"`
	State       *string `db:"state_code"`
	SubjectType string  `db:"subject_type"`
	SubjectID   *int64  `db:"subject_id"`
	Via         *string `db:"via"`
}

func (w row) mismatch(e *apptest.Env, g entry) string {
	var problems []string
	if g.Action != w.action {
		problems = append(problems, "action "+g.Action+", want "+w.action)
	}
	kind, via, _ := strings.Cut(w.by, ":")
	switch {
	case kind == "link" || kind == "system":
		if g.Actor != kind || g.UserID != nil || str(g.Via) != via {
			problems = append(problems, "actor is not "+w.by)
		}
	default:
		if g.Actor != "user" || g.UserID == nil || *g.UserID != e.Users[w.by].ID {
			problems = append(problems, "actor is not "+w.by)
		}
	}
	if w.meeting != nil && (g.MeetingID == nil || *g.MeetingID != *w.meeting) {
		problems = append(problems, fmt.Sprintf("meeting, want %d", *w.meeting))
	}
	if w.state != "" && str(g.State) != w.state {
		problems = append(problems, "state, want "+w.state)
	}
	if g.SubjectType != w.subject {
		problems = append(problems, "subject "+g.SubjectType+", want "+w.subject)
	}
	if w.id != nil && (g.SubjectID == nil || *g.SubjectID != *w.id) {
		problems = append(problems, fmt.Sprintf("subject id, want %d", *w.id))
	}
	return strings.Join(problems, "; ")
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func lastID(t *testing.T, e *apptest.Env) int64 {
	t.Helper()
	var id int64
	if err := e.App.DB.Get(&id, `SELECT coalesce(max(id), 0) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return id
}

func entriesAfter(t *testing.T, e *apptest.Env, id int64) []entry {
	t.Helper()
	var es []entry
	if err := e.App.DB.Select(&es, `SELECT actor, user_id, action, meeting_id, state_code, subject_type, subject_id, details->>'via' AS via
		FROM audit_log WHERE id > $1 ORDER BY id`, id); err != nil {
		t.Fatal(err)
	}
	return es
}

// snapshot fingerprints every table but the trail: a hash of its rows.
// When a token was last used is left out: it is bookkeeping, not a change.
func snapshot(t *testing.T, e *apptest.Env) map[string]string {
	t.Helper()
	var tables []string
	if err := e.App.DB.Select(&tables, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
		AND tablename NOT IN ('audit_log', 'goose_db_version') ORDER BY tablename`); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range tables {
		var sum string
		q := fmt.Sprintf(`SELECT coalesce(md5(string_agg((to_jsonb(t) - 'last_used_at')::text, '|' ORDER BY (to_jsonb(t) - 'last_used_at')::text)), '')
			FROM %q t`, name)
		if err := e.App.DB.Get(&sum, q); err != nil {
			t.Fatal(err)
		}
		out[name] = sum
	}
	return out
}

func compare(before, after map[string]string) string {
	var changed []string
	for name, sum := range after {
		if before[name] != sum {
			changed = append(changed, name)
		}
	}
	return strings.Join(changed, ", ")
}
