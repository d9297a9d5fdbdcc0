package demo

import (
	"context"
	"fmt"

	"github.com/coe-agora/agora/internal/meeting"
)

// item is an agenda item of the demo, with its sub-items.
type item struct {
	en, fr           string
	notesEN, notesFR string
	from, to         clock // zero: untimed
	speakers         []meeting.Speaker
	sub              []item
}

func speaker(name, function string) meeting.Speaker {
	return meeting.Speaker{Name: name, Function: function}
}

// addAgenda adds items (and their sub-items) to the meeting's agenda, in
// order, through the meeting service, as the secretariat would.
func (s *seeder) addAgenda(ctx context.Context, m meeting.Meeting, day calendarDay, items []item) error {
	var add func(it item, parent *int64) error
	add = func(it item, parent *int64) error {
		f := meeting.ItemFields{
			ParentID: parent, TitleEN: it.en, TitleFR: it.fr, NotesEN: it.notesEN, NotesFR: it.notesFR,
			Speakers: it.speakers,
		}
		if !it.from.zero() {
			f.StartsAt = ptr(day.at(it.from.day, it.from.hh, it.from.mm))
			f.EndsAt = ptr(day.at(it.to.day, it.to.hh, it.to.mm))
		}
		added, err := s.a.Meetings.AddItem(ctx, s.secretariat, m.ID, f)
		if err != nil {
			return fmt.Errorf("demo: agenda item %q: %w", it.en, err)
		}
		for _, sub := range it.sub {
			if err := add(sub, &added.ID); err != nil {
				return err
			}
		}
		return nil
	}
	for _, it := range items {
		if err := add(it, nil); err != nil {
			return err
		}
	}
	return nil
}

// The people who chair and speak, beyond the delegates.
var (
	chair      = speaker("Claire Lefèvre", "Chair of the Permanent Correspondents")
	viceChair  = speaker("Ana Ferreira", "Vice-Chair of the Permanent Correspondents")
	execSec    = speaker("Hanna Lindqvist", "Executive Secretary")
	secProg    = speaker("Thomas Keller", "Programme Manager, Secretariat")
	medCoord   = speaker("Sophie Klein", "MedNET Coordinator, Secretariat")
	prisonLead = speaker("João Silva", "Rapporteur of the expert group")
)

// bureauAgenda is the draft agenda of the Bureau meeting (one day).
var bureauAgenda = []item{
	{en: "Opening of the meeting and adoption of the agenda", fr: "Ouverture de la réunion et adoption de l'ordre du jour",
		from: clock{0, 9, 30}, to: clock{0, 9, 45}, speakers: []meeting.Speaker{chair}},
	{en: "Preparation of the 97th meeting of Permanent Correspondents", fr: "Préparation de la 97e réunion des correspondants permanents",
		from: clock{0, 9, 45}, to: clock{0, 11, 0}, speakers: []meeting.Speaker{execSec},
		sub: []item{
			{en: "Draft agenda", fr: "Projet d'ordre du jour"},
			{en: "Thematic session: choice of the theme and the speakers", fr: "Session thématique : choix du thème et des intervenants"},
		}},
	{en: "Budget: state of execution", fr: "Budget : état d'exécution",
		notesEN: "Document to be circulated two weeks before the meeting.",
		notesFR: "Document diffusé deux semaines avant la réunion.",
		from:    clock{0, 11, 15}, to: clock{0, 12, 30}, speakers: []meeting.Speaker{secProg},
		sub: []item{
			{en: "Voluntary contributions", fr: "Contributions volontaires"},
			{en: "Travel of funded delegates", fr: "Voyages des délégués pris en charge"},
		}},
	{en: "Mediterranean Network (MedNET): work plan", fr: "Réseau méditerranéen (MedNET) : plan de travail",
		from: clock{0, 14, 0}, to: clock{0, 15, 30}, speakers: []meeting.Speaker{medCoord}},
	{en: "Any other business", fr: "Questions diverses", from: clock{0, 15, 30}, to: clock{0, 16, 0}},
}

// plenaryAgenda is the agenda of the 96th plenary (Wednesday and Thursday morning).
var plenaryAgenda = []item{
	{en: "Opening of the meeting", fr: "Ouverture de la réunion", from: clock{0, 9, 30}, to: clock{0, 10, 0},
		speakers: []meeting.Speaker{chair, execSec},
		sub: []item{
			{en: "Adoption of the agenda", fr: "Adoption de l'ordre du jour"},
			{en: "Communication by the Executive Secretary", fr: "Communication de la Secrétaire exécutive"},
		}},
	{en: "Work programme 2027–2030", fr: "Programme de travail 2027-2030", from: clock{0, 10, 0}, to: clock{0, 11, 0},
		notesEN:  "For decision. The draft was sent to the Permanent Correspondents with the invitation.",
		notesFR:  "Pour décision. Le projet a été transmis aux correspondants permanents avec l'invitation.",
		speakers: []meeting.Speaker{secProg},
		sub: []item{
			{en: "Progress report on the current programme", fr: "Rapport d'étape sur le programme en cours",
				from: clock{0, 10, 0}, to: clock{0, 10, 30}},
			{en: "Priorities proposed by the Bureau", fr: "Priorités proposées par le Bureau",
				from: clock{0, 10, 30}, to: clock{0, 11, 0}, speakers: []meeting.Speaker{viceChair}},
		}},
	{en: "Thematic session: drug policy and human rights", fr: "Session thématique : politique en matière de drogues et droits humains",
		from: clock{0, 11, 30}, to: clock{0, 13, 0},
		sub: []item{
			{en: "Alternatives to coercive sanctions", fr: "Alternatives aux sanctions coercitives",
				from: clock{0, 11, 30}, to: clock{0, 12, 15}, speakers: []meeting.Speaker{speaker("Giulia Rossi", "Italy")}},
			{en: "Access to treatment in prisons", fr: "Accès au traitement en milieu carcéral",
				from: clock{0, 12, 15}, to: clock{0, 13, 0}, speakers: []meeting.Speaker{prisonLead}},
		}},
	{en: "Tour de table: national developments", fr: "Tour de table : évolutions nationales",
		notesEN: "Three minutes per delegation; written contributions are welcome.",
		notesFR: "Trois minutes par délégation ; les contributions écrites sont les bienvenues.",
		from:    clock{0, 14, 30}, to: clock{0, 16, 30}},
	{en: "Mediterranean Network (MedNET)", fr: "Réseau méditerranéen (MedNET)", from: clock{0, 16, 45}, to: clock{0, 17, 30},
		speakers: []meeting.Speaker{medCoord, speaker("Mariam Benali", "Morocco")}},
	{en: "Executive training in drug policy: 2027 session", fr: "Formation des cadres en politique des drogues : session 2027",
		from: clock{1, 9, 30}, to: clock{1, 10, 30}, speakers: []meeting.Speaker{secProg}},
	{en: "Budget and voluntary contributions", fr: "Budget et contributions volontaires", from: clock{1, 10, 30}, to: clock{1, 11, 30},
		sub: []item{
			{en: "Execution of the budget", fr: "Exécution du budget"},
			{en: "Funding of delegates' travel", fr: "Prise en charge des frais de voyage des délégués"},
		}},
	{en: "Any other business", fr: "Questions diverses", from: clock{1, 11, 45}, to: clock{1, 12, 15}},
	{en: "Date and place of the next meeting; closing", fr: "Date et lieu de la prochaine réunion ; clôture",
		from: clock{1, 12, 15}, to: clock{1, 13, 0}, speakers: []meeting.Speaker{chair}},
}

// webinarAgenda is the agenda of the MedNET webinar (one morning, online).
var webinarAgenda = []item{
	{en: "Welcome and introduction", fr: "Accueil et introduction", from: clock{0, 10, 0}, to: clock{0, 10, 10},
		speakers: []meeting.Speaker{medCoord}},
	{en: "What works in school-based prevention", fr: "Ce qui fonctionne en prévention scolaire", from: clock{0, 10, 10}, to: clock{0, 10, 50},
		sub: []item{
			{en: "International standards on drug use prevention", fr: "Normes internationales en matière de prévention",
				speakers: []meeting.Speaker{speaker("Ana Ferreira", "Portugal")}},
			{en: "Life-skills programmes: evaluation results", fr: "Programmes de compétences psychosociales : résultats d'évaluation",
				speakers: []meeting.Speaker{speaker("Eleni Papadopoulou", "Greece")}},
		}},
	{en: "Country experiences", fr: "Expériences nationales", from: clock{0, 10, 50}, to: clock{0, 12, 0},
		sub: []item{
			{en: "Morocco: peer educators in secondary schools", fr: "Maroc : pairs éducateurs dans les lycées",
				speakers: []meeting.Speaker{speaker("Youssef El Amrani", "Morocco")}},
			{en: "Tunisia: training teachers", fr: "Tunisie : former les enseignants",
				speakers: []meeting.Speaker{speaker("Sonia Ben Salah", "Tunisia")}},
			{en: "Lebanon: prevention in times of crisis", fr: "Liban : la prévention en temps de crise",
				speakers: []meeting.Speaker{speaker("Rita Khoury", "Lebanon")}},
		}},
	{en: "Discussion and conclusions", fr: "Discussion et conclusions", from: clock{0, 12, 0}, to: clock{0, 12, 30}},
}

// prisonAgenda is the agenda of the expert group that has met (Monday and Tuesday morning).
var prisonAgenda = []item{
	{en: "Opening of the meeting", fr: "Ouverture de la réunion", from: clock{0, 9, 30}, to: clock{0, 10, 0},
		sub: []item{
			{en: "Welcome by the host authorities", fr: "Accueil par les autorités hôtes",
				speakers: []meeting.Speaker{speaker("Ana Ferreira", "Portugal")}},
			{en: "Adoption of the agenda", fr: "Adoption de l'ordre du jour", speakers: []meeting.Speaker{prisonLead}},
		}},
	{en: "Continuity of opioid agonist treatment on release", fr: "Continuité des traitements agonistes opioïdes à la libération",
		from: clock{0, 10, 0}, to: clock{0, 12, 30},
		sub: []item{
			{en: "Results of the survey of member states", fr: "Résultats de l'enquête auprès des États membres",
				from: clock{0, 10, 0}, to: clock{0, 11, 0}, speakers: []meeting.Speaker{secProg}},
			{en: "Country cases: France, Ireland, Ukraine", fr: "Études de cas : France, Irlande, Ukraine",
				from: clock{0, 11, 15}, to: clock{0, 12, 30},
				speakers: []meeting.Speaker{speaker("Jean Dupont", "France"), speaker("Aoife Murphy", "Ireland"), speaker("Olena Kovalenko", "Ukraine")}},
		}},
	{en: "Hepatitis C elimination in prisons", fr: "Élimination de l'hépatite C en milieu carcéral",
		from: clock{0, 14, 0}, to: clock{0, 16, 0},
		notesEN: "Background paper circulated in advance.",
		notesFR: "Document de référence diffusé à l'avance.",
		sub: []item{
			{en: "Test and treat on admission", fr: "Dépister et traiter dès l'incarcération"},
			{en: "Peer support", fr: "Soutien par les pairs"},
		}},
	{en: "Visit to a prison health unit", fr: "Visite d'une unité de santé en milieu pénitentiaire",
		from: clock{0, 16, 30}, to: clock{0, 18, 0}},
	{en: "Draft recommendations on prison health", fr: "Projet de recommandations sur la santé en milieu carcéral",
		from: clock{1, 9, 30}, to: clock{1, 11, 30}, speakers: []meeting.Speaker{prisonLead},
		sub: []item{
			{en: "Review of the text", fr: "Examen du texte"},
			{en: "Next steps and timetable", fr: "Prochaines étapes et calendrier"},
		}},
	{en: "Conclusions and closing", fr: "Conclusions et clôture", from: clock{1, 11, 45}, to: clock{1, 12, 30}},
}
