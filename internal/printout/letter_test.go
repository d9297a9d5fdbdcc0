package printout_test

import (
	"bytes"
	"slices"
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

// fontFiles returns the embedded font programs of a PDF (the streams of
// the objects carrying /Length1), compressed as they are stored, in the
// order of their bytes (a document writes its fonts in any order).
func fontFiles(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for rest := pdf; ; {
		i := bytes.Index(rest, []byte("/Length1 "))
		if i < 0 {
			break
		}
		rest = rest[i:]
		start := bytes.Index(rest, []byte("stream\n"))
		end := bytes.Index(rest, []byte("\nendstream"))
		if start < 0 || end < start {
			t.Fatal("a font file without its stream")
		}
		out = append(out, rest[start+len("stream\n"):end])
		rest = rest[end:]
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

// The letters of a run are given their peers' names: each letter's fonts
// then hold the same runes, so the run embeds the same font subsets in
// every letter (cut once, see fpdf's cutUTF8Font), and each letter still
// reads as its own. Letters rendered alone hold only their own runes.
func TestLettersOfARunShareTheirFonts(t *testing.T) {
	lh := printout.Letterhead{Organisation: "Council of Europe", Address: []string{"Avenue de l'Europe"}, Signatory: "The Executive Secretary"}
	now := time.Date(2027, 1, 5, 10, 0, 0, 0, time.UTC)
	peers := []string{"Poland", "Türkiye", "Κύπρος", "Česko"}
	var alone, inRun [][][]byte
	for _, name := range peers {
		single, err := printout.InvitationLetterPDF(lh, letterMeeting(), name, "en", now)
		if err != nil {
			t.Fatal(err)
		}
		shared, err := printout.InvitationLetterPDF(lh, letterMeeting(), name, "en", now, peers...)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdftest.Text(t, shared); !strings.Contains(text, "To: "+name) || !strings.Contains(text, "I have the honour to invite "+name) {
			t.Errorf("the letter to %s, rendered in a run, reads %q", name, text)
		}
		for _, other := range peers {
			if other != name && strings.Contains(pdftest.Text(t, shared), other) {
				t.Errorf("the letter to %s names %s", name, other)
			}
		}
		alone, inRun = append(alone, fontFiles(t, single)), append(inRun, fontFiles(t, shared))
	}
	for i := range peers {
		if len(inRun[i]) != 2 || len(alone[i]) != 2 {
			t.Fatalf("%s: %d and %d font files, want 2 (regular and bold)", peers[i], len(inRun[i]), len(alone[i]))
		}
		for f := range 2 {
			if !bytes.Equal(inRun[i][f], inRun[0][f]) {
				t.Errorf("font %d of the letter to %s differs from the letter to %s's in the same run", f, peers[i], peers[0])
			}
		}
	}
	if bytes.Equal(alone[1][0], alone[2][0]) && bytes.Equal(alone[1][1], alone[2][1]) {
		t.Error("letters rendered alone to Türkiye and Κύπρος embed the same font: the subsets are not cut to the letter")
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
