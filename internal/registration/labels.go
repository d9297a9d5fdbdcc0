package registration

var roleLabels = map[string][2]string{
	"head":     {"head of delegation", "chef de délégation"},
	"delegate": {"delegate", "délégué(e)"},
	"expert":   {"expert", "expert(e)"},
	"adviser":  {"adviser", "conseiller(ère)"},
	"observer": {"observer", "observateur(trice)"},
	// The roles of personal invitations (guests).
	"speaker":    {"speaker", "intervenant(e)"},
	"chair":      {"chair", "président(e)"},
	"rapporteur": {"rapporteur", "rapporteur(e)"},
}

var statusLabels = map[string][2]string{
	StatusPending:    {"pending approval", "en attente d'approbation"},
	StatusConfirmed:  {"confirmed", "confirmée"},
	StatusWaitlisted: {"on the waiting list", "sur liste d'attente"},
	StatusDeclined:   {"declined", "refusée"},
	StatusCancelled:  {"cancelled", "annulée"},
}

func label(m map[string][2]string, key, lang string) string {
	l, ok := m[key]
	if !ok {
		return key
	}
	if lang == "fr" {
		return l[1]
	}
	return l[0]
}

// RoleLabel names a delegation role in lang.
func RoleLabel(role, lang string) string { return label(roleLabels, role, lang) }

// StatusLabel names a registration status in lang.
func StatusLabel(status, lang string) string { return label(statusLabels, status, lang) }
