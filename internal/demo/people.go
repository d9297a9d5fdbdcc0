package demo

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// person is an invented official, named as people of their country are
// named (transliterated to Latin letters where the country writes in
// another script, as participant lists do).
type person struct {
	First, Last string
	Female      bool
	Lang        string // "" : the delegation's language
}

func f(first, last string) person { return person{First: first, Last: last, Female: true} }
func m(first, last string) person { return person{First: first, Last: last} }

// delegation is a state's people: index 0 is its Permanent Correspondent,
// the focal point who receives invitations.
type delegation struct {
	Lang   string // the language its people read Agora in
	Domain string // an invented, unroutable mail domain
	Org    string // the ministry they work for, in Lang
	People []person
}

// delegations holds one delegation per state that takes part in the demo.
// Andorra, Liechtenstein, San Marino and Libya have people but no focal
// point, so invitations show the states nobody was written to.
var delegations = map[string]delegation{
	"AD": {"en", "govern.ad.example", "Ministry of Health", []person{m("Jordi", "Puig"), f("Montserrat", "Vila"), m("Marc", "Casal")}},
	"AL": {"en", "shendetesia.al.example", "Ministry of Health and Social Protection", []person{f("Elira", "Hoxha"), m("Arben", "Kola"), f("Drita", "Shehu")}},
	"AM": {"en", "moh.am.example", "Ministry of Health", []person{f("Anahit", "Petrosyan"), m("Armen", "Hakobyan"), f("Lilit", "Grigoryan")}},
	"AT": {"en", "sozialministerium.at.example", "Federal Ministry of Health", []person{f("Katharina", "Gruber"), m("Lukas", "Huber"), f("Elisabeth", "Wagner")}},
	"AZ": {"en", "health.az.example", "Ministry of Health", []person{f("Leyla", "Aliyeva"), m("Rashad", "Mammadov"), f("Aynur", "Huseynova")}},
	"BA": {"en", "mcp.ba.example", "Ministry of Civil Affairs", []person{f("Amra", "Hodžić"), m("Nermin", "Begić"), f("Jelena", "Kovačević")}},
	"BE": {"fr", "sante.be.example", "SPF Santé publique", []person{f("Nathalie", "Dubois"), {First: "Pieter", Last: "Janssens", Lang: "en"}, f("Isabelle", "Lambert")}},
	"BG": {"en", "mh.bg.example", "Ministry of Health", []person{f("Maria", "Ivanova"), m("Georgi", "Dimitrov"), f("Desislava", "Petrova")}},
	"CH": {"fr", "ofsp.ch.example", "Office fédéral de la santé publique", []person{f("Laurence", "Favre"), m("Thomas", "Meier"), f("Chiara", "Bernasconi")}},
	"CY": {"en", "moh.cy.example", "National Addictions Authority", []person{m("Andreas", "Georgiou"), f("Christina", "Ioannou"), m("Marios", "Constantinou")}},
	"CZ": {"en", "vlada.cz.example", "Office of the Government", []person{f("Petra", "Nováková"), m("Jan", "Dvořák"), f("Tereza", "Svobodová")}},
	"DE": {"en", "bmg.de.example", "Federal Ministry of Health", []person{f("Julia", "Schneider"), m("Michael", "Becker"), f("Sabine", "Hoffmann"), m("Jonas", "Weber")}},
	"DK": {"en", "sst.dk.example", "Danish Health Authority", []person{f("Mette", "Sørensen"), m("Anders", "Nielsen"), f("Louise", "Jensen")}},
	"DZ": {"fr", "onlcdt.dz.example", "Office national de lutte contre la drogue", []person{f("Amina", "Boudiaf"), m("Karim", "Haddad"), f("Nadia", "Mansouri")}},
	"EE": {"en", "sm.ee.example", "Ministry of Social Affairs", []person{f("Kadri", "Tamm"), m("Margus", "Saar"), f("Liis", "Kask")}},
	"EG": {"en", "mohp.eg.example", "Ministry of Health and Population", []person{f("Mona", "Hassan"), m("Ahmed", "Mostafa"), f("Rania", "Farouk")}},
	"ES": {"en", "sanidad.es.example", "Government Delegation for the National Plan on Drugs", []person{f("Lucía", "García Fernández"), m("Javier", "Martínez López"), f("Carmen", "Sánchez Ruiz"), m("Pablo", "Romero Díaz")}},
	"FI": {"en", "stm.fi.example", "Ministry of Social Affairs and Health", []person{f("Aino", "Virtanen"), m("Mikko", "Korhonen"), f("Laura", "Mäkinen")}},
	"FR": {"fr", "drogues.gouv.fr.example", "Mission interministérielle de lutte contre les drogues", []person{f("Claire", "Lefèvre"), m("Jean", "Dupont"), f("Sylvie", "Moreau"), m("Nicolas", "Girard")}},
	"GB": {"en", "homeoffice.gov.uk.example", "Home Office", []person{f("Sarah", "Thompson"), m("James", "Wilson"), f("Priya", "Patel")}},
	"GE": {"en", "moh.ge.example", "Ministry of Health", []person{f("Nino", "Beridze"), m("Giorgi", "Kapanadze"), f("Tamar", "Lomidze")}},
	"GR": {"en", "moh.gr.example", "Ministry of Health", []person{f("Eleni", "Papadopoulou"), m("Nikos", "Georgiadis"), f("Maria", "Konstantinidou")}},
	"HR": {"en", "zdravlje.hr.example", "Croatian Institute of Public Health", []person{f("Ivana", "Horvat"), m("Marko", "Babić"), f("Ana", "Jurić")}},
	"HU": {"en", "kormany.hu.example", "Ministry of Interior", []person{f("Katalin", "Nagy"), m("Zoltán", "Kovács"), f("Eszter", "Tóth")}},
	"IE": {"en", "health.ie.example", "Department of Health", []person{f("Aoife", "Murphy"), m("Cian", "O'Brien"), f("Siobhán", "Kelly")}},
	"IL": {"en", "health.il.example", "Ministry of Health", []person{f("Noa", "Levi"), m("Yossi", "Cohen"), f("Tamar", "Mizrahi")}},
	"IS": {"en", "heilbrigdisraduneyti.is.example", "Ministry of Health", []person{f("Guðrún", "Jónsdóttir"), m("Sigurður", "Einarsson"), f("Katrín", "Magnúsdóttir")}},
	"IT": {"en", "politicheantidroga.it.example", "Department for Anti-Drug Policies", []person{f("Giulia", "Rossi"), m("Marco", "Bianchi"), f("Francesca", "Romano"), m("Alessandro", "Ricci")}},
	"JO": {"en", "moh.jo.example", "Ministry of Health", []person{f("Lina", "Haddad"), m("Omar", "Khalil"), f("Dana", "Nasser")}},
	"LB": {"fr", "sante.lb.example", "Ministère de la Santé publique", []person{f("Rita", "Khoury"), m("Georges", "Abi Nader"), f("Maya", "Saadé")}},
	"LI": {"en", "llv.li.example", "Office of Public Health", []person{f("Andrea", "Frick"), m("Martin", "Büchel"), f("Sandra", "Marxer")}},
	"LT": {"en", "ntakd.lt.example", "Drug, Tobacco and Alcohol Control Department", []person{f("Rūta", "Kazlauskienė"), m("Tomas", "Petrauskas"), f("Eglė", "Jankauskaitė")}},
	"LU": {"fr", "sante.lu.example", "Ministère de la Santé", []person{m("Claude", "Schmit"), f("Martine", "Hoffmann"), m("Luc", "Wagner")}},
	"LV": {"en", "vm.lv.example", "Ministry of Health", []person{f("Ilze", "Bērziņa"), m("Jānis", "Kalniņš"), f("Inese", "Ozola")}},
	"LY": {"en", "ncdc.ly.example", "National Centre for Disease Control", []person{m("Salem", "Ghwell"), f("Huda", "Elmabrouk"), f("Mariam", "Zlitni")}},
	"MA": {"fr", "sante.ma.example", "Ministère de la Santé et de la Protection sociale", []person{f("Mariam", "Benali"), m("Youssef", "El Amrani"), f("Khadija", "Bennani")}},
	"MC": {"fr", "gouv.mc.example", "Direction de l'Action sanitaire", []person{f("Caroline", "Gramaglia"), m("Laurent", "Notari"), f("Valérie", "Rossi")}},
	"MD": {"en", "ms.md.example", "Ministry of Health", []person{f("Natalia", "Ceban"), m("Ion", "Munteanu"), f("Elena", "Rotaru")}},
	"ME": {"en", "mzd.me.example", "Ministry of Health", []person{f("Milena", "Vuković"), m("Nikola", "Radović"), f("Jovana", "Popović")}},
	"MK": {"en", "zdravstvo.mk.example", "Ministry of Health", []person{f("Elena", "Stojanovska"), m("Aleksandar", "Petrovski"), f("Marija", "Nikolovska")}},
	"MT": {"en", "health.mt.example", "Ministry for Health", []person{f("Maria", "Borg"), m("Joseph", "Camilleri"), f("Claire", "Vella")}},
	"MX": {"en", "salud.mx.example", "National Commission on Mental Health and Addictions", []person{f("Guadalupe", "Hernández"), m("Alejandro", "Ramírez"), f("Sofía", "Torres")}},
	"NL": {"en", "minvws.nl.example", "Ministry of Health, Welfare and Sport", []person{f("Anouk", "de Vries"), m("Daan", "Jansen"), f("Femke", "van Dijk")}},
	"NO": {"en", "hod.no.example", "Ministry of Health and Care Services", []person{f("Ingrid", "Hansen"), m("Ola", "Johansen"), f("Kari", "Olsen")}},
	"PL": {"en", "kbpn.pl.example", "National Centre for Prevention of Addictions", []person{f("Anna", "Kowalska"), m("Piotr", "Nowak"), f("Katarzyna", "Wiśniewska"), m("Tomasz", "Wójcik")}},
	"PS": {"en", "moh.ps.example", "Ministry of Health", []person{f("Rana", "Khalidi"), m("Samer", "Odeh"), f("Lina", "Barghouti")}},
	"PT": {"en", "icad.pt.example", "Institute for Addictive Behaviours and Dependencies", []person{f("Ana", "Ferreira"), m("João", "Silva"), f("Inês", "Carvalho")}},
	"RO": {"en", "ana.ro.example", "National Anti-Drug Agency", []person{f("Ana", "Popescu"), m("Andrei", "Ionescu"), {First: "Ioana", Last: "Dumitrescu", Female: true, Lang: "fr"}}},
	"RS": {"en", "zdravlje.rs.example", "Ministry of Health", []person{f("Milica", "Jovanović"), m("Stefan", "Nikolić"), f("Jelena", "Petrović")}},
	"SE": {"en", "regeringskansliet.se.example", "Ministry of Health and Social Affairs", []person{f("Karin", "Lindberg"), m("Erik", "Andersson"), f("Sofia", "Johansson")}},
	"SI": {"en", "mz.si.example", "Ministry of Health", []person{f("Maja", "Novak"), m("Luka", "Kranjc"), f("Nina", "Zupančič")}},
	"SK": {"en", "health.sk.example", "Ministry of Health", []person{f("Zuzana", "Horváthová"), m("Martin", "Kováč"), f("Lucia", "Vargová")}},
	"SM": {"en", "sanita.sm.example", "Ministry of Health", []person{f("Francesca", "Gasperoni"), m("Luca", "Mularoni"), f("Elisa", "Guidi")}},
	"TN": {"fr", "sante.tn.example", "Ministère de la Santé", []person{f("Sonia", "Ben Salah"), m("Mohamed", "Trabelsi"), f("Leïla", "Jaziri")}},
	"TR": {"en", "saglik.tr.example", "Ministry of Health", []person{m("Mehmet", "Yılmaz"), f("Ayşe", "Demir"), f("Elif", "Kaya")}},
	"UA": {"en", "moz.ua.example", "Ministry of Health", []person{f("Olena", "Kovalenko"), m("Andrii", "Shevchenko"), f("Iryna", "Bondarenko")}},
	// Organisations invited as observers, with their own focal points.
	"EUDA":  {"en", "euda.europa.example", "European Union Drugs Agency", []person{f("Inês", "Carvalho"), m("Daniel", "Holm"), f("Marta", "Bianchi")}},
	"UNODC": {"en", "unodc.example", "United Nations Office on Drugs and Crime", []person{m("Rahul", "Mehta"), f("Olga", "Sokolova"), m("Tomás", "Herrera")}},
	"WHO":   {"fr", "who.example", "Organisation mondiale de la santé", []person{f("Aïcha", "Diallo"), m("Pierre", "Rochat"), f("Hanna", "Lindqvist")}},
	"CSFD":  {"en", "csfd.example", "Civil Society Forum on Drugs", []person{m("Tiago", "Mendes"), f("Roisin", "Byrne"), m("Kamil", "Nowak")}},
}

// withoutFocalPoint are the states left without a focal-point contact.
var withoutFocalPoint = map[string]bool{"AD": true, "LI": true, "SM": true, "LY": true}

// secondFocalPoint are the states with a deputy as a second contact.
var secondFocalPoint = map[string]bool{"DE": true, "FR": true, "IT": true, "UA": true}

// Name is "First Last".
func (p person) Name() string { return p.First + " " + p.Last }

// lang is the language the person reads Agora in.
func (p person) lang(d delegation) string {
	if p.Lang != "" {
		return p.Lang
	}
	return d.Lang
}

// email is first.last@domain, folded to ASCII as ministries do.
func (p person) email(d delegation) string {
	return mailbox(p.First) + "." + mailbox(p.Last) + "@" + d.Domain
}

// letters that Unicode does not decompose into a base letter and an accent.
var plainLetters = strings.NewReplacer("ł", "l", "ø", "o", "æ", "ae", "ß", "ss", "ð", "d", "þ", "th", "ı", "i", "đ", "d")

// mailbox folds a name into the local part of an address: lower case,
// ASCII, words joined by hyphens, apostrophes dropped (O'Brien → obrien).
func mailbox(name string) string {
	s := plainLetters.Replace(strings.ToLower(name))
	s, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	return strings.Join(strings.Fields(s), "-")
}

// function is a job title in the person's language and grammatical gender.
type function struct{ en, frM, frF string }

func (fn function) in(p person, lang string) string {
	switch {
	case lang != "fr":
		return fn.en
	case p.Female:
		return fn.frF
	default:
		return fn.frM
	}
}

// Job titles by position in a delegation.
var functions = []function{
	{"Permanent Correspondent", "Correspondant permanent", "Correspondante permanente"},
	{"Head of Unit, Drug Policy", "Chef d'unité, politique des drogues", "Cheffe d'unité, politique des drogues"},
	{"Senior Adviser, Prevention", "Conseiller principal, prévention", "Conseillère principale, prévention"},
	{"Policy Officer", "Chargé de mission", "Chargée de mission"},
}

// Job titles of the prison-health experts.
var prisonFunctions = []function{
	{"Medical Director, Prison Health Service", "Directeur médical, service de santé pénitentiaire", "Directrice médicale, service de santé pénitentiaire"},
	{"Prison health expert", "Expert en santé pénitentiaire", "Experte en santé pénitentiaire"},
}

// Job titles of the school-prevention practitioners.
var preventionFunctions = []function{
	{"National prevention coordinator", "Coordinateur national de la prévention", "Coordinatrice nationale de la prévention"},
	{"School health programme manager", "Responsable du programme de santé scolaire", "Responsable du programme de santé scolaire"},
	{"Prevention practitioner", "Intervenant en prévention", "Intervenante en prévention"},
}
