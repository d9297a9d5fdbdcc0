package printout

import (
	"fmt"
	"strings"
	"time"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/meeting"
)

// letterTexts are the sentences of the invitation letter in English and
// French. The letter is written by the invitation service as well as
// served by the web layer, so its words live here, with it, like the
// labels of the registration emails.
var letterTexts = map[string]map[string]string{
	"en": {
		"title":     "Invitation",
		"to":        "To: %s",
		"subject":   "Subject: invitation — %s",
		"dear":      "Dear Sir or Madam,",
		"invite":    "On behalf of %s, I have the honour to invite %s to take part in the meeting “%s”.",
		"dates":     "Dates",
		"venue":     "Venue",
		"online":    "online",
		"seats":     "Seats",
		"seats_n":   "%d per delegation, of which %d with travel and subsistence funded",
		"seats_0":   "%d per delegation; no participation is funded for this meeting",
		"closes":    "Registration",
		"closes_at": "open until %s",
		"how":       "Each participant registers online with their own details through the registration link sent by email to your focal points together with this letter. Each registration is confirmed by email, and your focal points follow and manage the delegation in Agora. Funded seats go to the first participants who ask for funding, within the number above.",
		"close":     "Yours faithfully,",
	},
	"fr": {
		"title":     "Invitation",
		"to":        "Destinataire : %s",
		"subject":   "Objet : invitation — %s",
		"dear":      "Madame, Monsieur,",
		"invite":    "Au nom de %s, j'ai l'honneur d'inviter %s à participer à la réunion « %s ».",
		"dates":     "Dates",
		"venue":     "Lieu",
		"online":    "en ligne",
		"seats":     "Places",
		"seats_n":   "%d par délégation, dont %d avec frais de voyage et de séjour pris en charge",
		"seats_0":   "%d par délégation ; aucune participation n'est prise en charge pour cette réunion",
		"closes":    "Inscriptions",
		"closes_at": "ouvertes jusqu'au %s",
		"how":       "Chaque participant s'inscrit en ligne, avec ses propres coordonnées, par le lien d'inscription envoyé par courriel à vos correspondants avec cette lettre. Chaque inscription est confirmée par courriel, et vos correspondants suivent et gèrent la délégation dans Agora. Les places prises en charge vont aux premiers participants qui demandent une prise en charge, dans la limite indiquée ci-dessus.",
		"close":     "Veuillez agréer, Madame, Monsieur, l'expression de ma considération distinguée.",
	},
}

func letterText(lang, key string, args ...any) string {
	t, ok := letterTexts[lang]
	if !ok {
		t = letterTexts["en"]
	}
	if len(args) == 0 {
		return t[key]
	}
	return fmt.Sprintf(t[key], args...)
}

// InvitationLetterPDF renders the invitation letter of meeting m to the
// invitee named invitee (a state, in lang), under the letterhead, dated
// now: dates, venue, seats, funded seats and how to register. It carries
// no registration link: letters are forwarded to ministries, links stay
// with the focal points.
//
// peers are the names (in lang) of the other invitees whose letters are
// rendered with this one, in an invitation run: the letter's fonts hold
// their letters too, about 2 kB more, so that the letters of a run hold
// the same runes and share their font subsets, cut once instead of once
// per letter. None for a letter on its own.
func InvitationLetterPDF(l Letterhead, m meeting.Meeting, invitee, lang string, now time.Time, peers ...string) ([]byte, error) {
	title := m.Title(lang)
	pdf, err := newLetter(l, letterText(lang, "title")+" — "+title+" — "+invitee, lang)
	if err != nil {
		return nil, err
	}
	// The letter's fonts hold the letters of its peers' names too: the
	// letters of a run then embed the same subsets, cut once for all.
	for _, style := range []string{"", "B"} {
		pdf.UseRunes(Font, style, strings.Join(peers, " "))
	}
	loc := m.Zone()
	placeAndDate(pdf, "", now.In(loc), lang)
	pdf.SetFont(Font, "B", 11)
	pdf.MultiCell(0, 6, letterText(lang, "to", invitee), "", "L", false)
	pdf.MultiCell(0, 6, letterText(lang, "subject", title), "", "L", false)
	pdf.Ln(5)
	paragraph(pdf, letterText(lang, "dear"))
	paragraph(pdf, letterText(lang, "invite", l.Organisation, invitee, title))

	venue := m.VenueIn(lang)
	switch {
	case m.Format == "online":
		venue = letterText(lang, "online")
	case m.Format == "hybrid" && venue != "":
		venue += " (" + letterText(lang, "online") + ")"
	}
	seats := letterText(lang, "seats_0", m.SeatsPerState)
	if m.FundedSeatsPerState > 0 {
		seats = letterText(lang, "seats_n", m.SeatsPerState, m.FundedSeatsPerState)
	}
	facts := [][2]string{
		{letterText(lang, "dates"), i18n.DateTime(m.StartsAt.In(loc), lang) + " – " + i18n.DateTime(m.EndsAt.In(loc), lang) + " (" + m.TimeZone + ")"},
		{letterText(lang, "venue"), venue},
		{letterText(lang, "seats"), seats},
		{letterText(lang, "closes"), letterText(lang, "closes_at", i18n.DateTime(m.RegistrationCloses().In(loc), lang))},
	}
	pdf.Ln(1)
	for _, f := range facts {
		if f[1] == "" {
			continue
		}
		pdf.SetFont(Font, "B", 11)
		pdf.CellFormat(32, 6, f[0], "", 0, "L", false, 0, "")
		pdf.SetFont(Font, "", 11)
		pdf.MultiCell(0, 6, f[1], "", "L", false)
	}
	pdf.Ln(4)
	paragraph(pdf, letterText(lang, "how"))
	paragraph(pdf, letterText(lang, "close"))
	signature(pdf, l)
	return output(pdf, "invitation letter")
}

// visaTexts are the sentences of the visa support letter.
var visaTexts = map[string]map[string]string{
	"en": {
		"title":   "Visa support letter",
		"to":      "To the consular services concerned",
		"subject": "Subject: visa application of %s",
		"dear":    "Dear Sir or Madam,",
		"body":    "%s invites %s, a member of the delegation of %s, to the meeting “%s”, held on %s (%s). We would be grateful if you would issue the visa needed to attend it.",
		"holder":  "Holder",
		"born":    "Date of birth",
		"nation":  "Nationality",
		"passnum": "Passport number",
		"expires": "Passport valid until",
		"costs":   "This letter does not commit the organisers to any cost beyond those agreed with the participant's delegation.",
		"close":   "Yours faithfully,",
	},
	"fr": {
		"title":   "Lettre d'appui pour une demande de visa",
		"to":      "Aux services consulaires concernés",
		"subject": "Objet : demande de visa de %s",
		"dear":    "Madame, Monsieur,",
		"body":    "%s invite %s, membre de la délégation de %s, à la réunion « %s », qui se tiendra le %s (%s). Nous vous serions reconnaissants de bien vouloir délivrer le visa nécessaire à sa participation.",
		"holder":  "Titulaire",
		"born":    "Date de naissance",
		"nation":  "Nationalité",
		"passnum": "Numéro de passeport",
		"expires": "Passeport valable jusqu'au",
		"costs":   "Cette lettre n'engage les organisateurs à aucun frais au-delà de ceux convenus avec la délégation du participant.",
		"close":   "Veuillez agréer, Madame, Monsieur, l'expression de ma considération distinguée.",
	},
}

// VisaLetter is the person a visa support letter is about.
type VisaLetter struct {
	Name, Invitee, Nationality, PassportNumber string
	DateOfBirth, PassportExpires               time.Time
}

// VisaLetterPDF renders the visa support letter of v for meeting m in
// lang, addressed to the consulate, under the letterhead, dated now.
func VisaLetterPDF(l Letterhead, m meeting.Meeting, v VisaLetter, lang string, now time.Time) ([]byte, error) {
	t, ok := visaTexts[lang]
	if !ok {
		t = visaTexts["en"]
	}
	pdf, err := newLetter(l, t["title"]+" — "+v.Name, lang)
	if err != nil {
		return nil, err
	}
	placeAndDate(pdf, "", now.In(m.Zone()), lang)
	pdf.SetFont(Font, "B", 11)
	pdf.MultiCell(0, 6, t["to"], "", "L", false)
	pdf.MultiCell(0, 6, fmt.Sprintf(t["subject"], v.Name), "", "L", false)
	pdf.Ln(5)
	paragraph(pdf, t["dear"])
	where := m.VenueIn(lang)
	if where == "" {
		where = m.TimeZone
	}
	paragraph(pdf, fmt.Sprintf(t["body"], l.Organisation, v.Name, v.Invitee, m.Title(lang), meetingWhen(m, lang), where))
	for _, f := range [][2]string{
		{t["holder"], v.Name}, {t["born"], i18n.Date(v.DateOfBirth, lang)}, {t["nation"], v.Nationality},
		{t["passnum"], v.PassportNumber}, {t["expires"], i18n.Date(v.PassportExpires, lang)},
	} {
		pdf.SetFont(Font, "B", 11)
		pdf.CellFormat(50, 6, f[0], "", 0, "L", false, 0, "")
		pdf.SetFont(Font, "", 11)
		pdf.MultiCell(0, 6, f[1], "", "L", false)
	}
	pdf.Ln(4)
	paragraph(pdf, t["costs"])
	paragraph(pdf, t["close"])
	signature(pdf, l)
	return output(pdf, "visa letter")
}
