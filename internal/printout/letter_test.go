package printout_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/printout"
)

func letterMeeting() meeting.Meeting {
	start := time.Date(2027, 3, 9, 8, 30, 0, 0, time.UTC)
	return meeting.Meeting{ID: 7, Fields: meeting.Fields{
		TitleEN: "Łódź seminar — Ελλάδα", TitleFR: "Séminaire de Łódź — Ελλάδα", Format: "hybrid",
		StartsAt: start, EndsAt: start.Add(32 * time.Hour), TimeZone: "Europe/Warsaw",
		VenueEN: "Uniwersytet Łódzki, Łódź", VenueFR: "Université de Łódź", SeatsPerState: 3, FundedSeatsPerState: 1,
	}}
}

// The invitation letter, read back by a PDF reader: letterhead, invitee,
// dates, venue, seats and funded seats, how to register, signature, in
// both languages, whatever the scripts.
func TestInvitationLetter(t *testing.T) {
	lh := printout.Letterhead{Organisation: "Groupe Pompidou — Ελλάδα", Address: []string{"Avenue de l'Europe", "67075 Strasbourg"},
		Signatory: "Ștefan Țăran", SignatoryTitle: "Executive Secretary"}
	for lang, want := range map[string][]string{
		"en": {"Groupe Pompidou — Ελλάδα", "Avenue de l'Europe", "To: Türkiye", "Subject: invitation — Łódź seminar — Ελλάδα",
			"I have the honour to invite Türkiye", "Tuesday 9 March 2027", "Uniwersytet Łódzki, Łódź (online)",
			"3 per delegation, of which 1 with travel and subsistence funded", "registration link", "Ștefan Țăran", "Executive Secretary"},
		"fr": {"Destinataire : Türkiye", "Objet : invitation — Séminaire de Łódź — Ελλάδα", "j'ai l'honneur d'inviter Türkiye",
			"mardi 9 mars 2027", "Université de Łódź (en ligne)", "3 par délégation, dont 1 avec frais de voyage", "lien d'inscription", "Ștefan Țăran"},
	} {
		pdf, err := printout.InvitationLetterPDF(lh, letterMeeting(), "Türkiye", lang, time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		text := pdftest.Text(t, pdf)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s letter reads %q\nwithout %q", lang, text, w)
			}
		}
	}
}

// BenchmarkInvitationLetter is what an invitation run pays per state and
// language for its attachment. Besides the time per letter it reports
// the CPU time of the process per letter (user and system, the garbage
// collector's included), which a loaded machine does not inflate as much.
func BenchmarkInvitationLetter(b *testing.B) {
	lh := printout.Letterhead{Organisation: "Council of Europe — Pompidou Group", Address: []string{"Avenue de l'Europe"}, Signatory: "The Executive Secretary"}
	m := letterMeeting()
	var size int
	cpu0 := processCPU(b)
	for b.Loop() {
		pdf, err := printout.InvitationLetterPDF(lh, m, "Türkiye", "fr", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(size), "bytes")
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
