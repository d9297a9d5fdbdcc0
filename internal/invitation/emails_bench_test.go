package invitation

import (
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/invitee"
	agoramail "github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/templates"
)

// BenchmarkInvitationEmails builds the emails of one invitation run as
// BenchmarkInvitationRun's meetings have them — 40 states, 5 focal points
// each, every other one French — without the database: the templates, the
// calendar invitations and the messages. It reports the time per email.
//
//	go test -run '^$' -bench InvitationEmails ./internal/invitation/
func BenchmarkInvitationEmails(b *testing.B) {
	sub, err := fs.Sub(templates.FS, "email")
	if err != nil {
		b.Fatal(err)
	}
	r, err := agoramail.NewRenderer(sub, "Agora")
	if err != nil {
		b.Fatal(err)
	}
	s := &Service{renderer: r, cfg: Config{BaseURL: "https://agora.example.org", MailFrom: "Secretariat <secretariat@example.org>"}}
	start := time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC)
	var m meeting.Meeting
	m.ID, m.Status, m.Kind, m.TimeZone = 7, meeting.StatusPublished, "plenary", "Europe/Paris"
	m.TitleEN, m.TitleFR = "Plenary meeting of the Permanent Correspondents", "Réunion plénière des correspondants permanents"
	m.StartsAt, m.EndsAt, m.VenueEN, m.VenueFR = start, start.Add(30*time.Hour), "Palais de l'Europe, Strasbourg", "Palais de l'Europe, Strasbourg"
	m.SeatsPerState, m.FundedSeatsPerState = 2, 1
	const states, focalPoints = 40, 5
	b.ReportAllocs()
	for b.Loop() {
		e := newInvitationEmails(s, m)
		for i := range states {
			code := fmt.Sprintf("S%02d", i)
			st := invitee.Invitee{Code: code, NameEN: "State " + code, NameFR: "État " + code, Kind: "state", Status: "member"}
			for j := range focalPoints {
				fp := FocalPoint{State: code, Name: fmt.Sprintf("Focal Point %d %s", j, code), Email: fmt.Sprintf("fp%d.%s@example.org", j, code), Language: []string{"en", "fr"}[j%2]}
				e.add(st, Invitation{ID: int64(i + 1)}, fp, "https://agora.example.org/register/"+code, 1)
			}
		}
		if len(e.msgs) != states*focalPoints {
			b.Fatalf("%d emails, want %d", len(e.msgs), states*focalPoints)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*states*focalPoints)/1000, "µs/email")
}
