package organisation

// Roster is the organisations shipped with Agora: the usual observers of
// the platform's meetings. It seeds the organisations table next to the
// states (state.Store.SeedRoster); admins edit the table afterwards.
var Roster = []Organisation{
	{Code: "EUDA", NameEN: "European Union Drugs Agency", NameFR: "Agence de l'Union européenne sur les drogues", Kind: "international", Status: StatusActive},
	{Code: "UNODC", NameEN: "United Nations Office on Drugs and Crime", NameFR: "Office des Nations Unies contre la drogue et le crime", Kind: "international", Status: StatusActive},
	{Code: "WHO", NameEN: "World Health Organization", NameFR: "Organisation mondiale de la santé", Kind: "international", Status: StatusActive},
	{Code: "EC", NameEN: "European Commission", NameFR: "Commission européenne", Kind: "international", Status: StatusActive},
	{Code: "INTERPOL", NameEN: "Interpol", NameFR: "Interpol", Kind: "international", Status: StatusActive},
	{Code: "CSFD", NameEN: "Civil Society Forum on Drugs", NameFR: "Forum de la société civile sur les drogues", Kind: "ngo", Status: StatusActive},
}
