package web

import (
	"regexp"
	"slices"
)

// failForm records err on f like form.fail, then (1) moves an error on a
// field the form does not show into the message for the whole form, so no
// error goes unseen, and (2) gives French to the messages of the focal and
// admin pages that forms.go does not translate yet. It reports whether err
// was the user's.
func (s *Server) failForm(f *form, err error, lang string, shown ...string) bool {
	if !f.fail(err, lang) {
		return false
	}
	for field, msg := range f.Errors {
		f.Errors[field] = frenchFallback(msg, lang)
		if !slices.Contains(shown, field) {
			if f.Problem == "" {
				label := s.cat.T(lang, "fp.field."+field, nil)
				if label == "fp.field."+field {
					label = field
				}
				f.Problem = label + " : " + f.Errors[field]
				if lang != "fr" {
					f.Problem = label + ": " + f.Errors[field]
				}
			}
			delete(f.Errors, field)
		}
	}
	f.Problem = frenchFallback(f.Problem, lang)
	return true
}

// moreFrench translates the service messages met on the focal and admin
// pages that frenchMessages (forms.go) lacks; they belong there in time.
var moreFrench = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^([A-Z]{2}) is not invited to this meeting$`), "$1 n'est pas invité à cette réunion"},
	{regexp.MustCompile(`^this meeting is not published yet$`), "cette réunion n'est pas encore publiée"},
	{regexp.MustCompile(`^only a pending registration can be approved; this one is (\w+)$`), "seule une inscription en attente d'approbation peut être approuvée ($1)"},
	{regexp.MustCompile(`^only a confirmed participant can be replaced; this registration is (\w+)$`), "seule une personne confirmée peut être remplacée ($1)"},
	{regexp.MustCompile(`^only focal points are bound to a state$`), "seuls les correspondants sont rattachés à un État"},
	{regexp.MustCompile(`^a focal point needs the two-letter code of their state$`), "un correspondant doit être rattaché à un État"},
	{regexp.MustCompile(`^is not in the roster$`), "ne figure pas dans la liste des États"},
	{regexp.MustCompile(`^must be admin, secretariat or focal_point$`), "doit être administrateur, secrétariat ou correspondant"},
	{regexp.MustCompile(`^must be en or fr$`), "doit être en ou fr"},
	{regexp.MustCompile(`^must be a single line$`), "doit tenir sur une seule ligne"},
	{regexp.MustCompile(`^is inactive$`), "est inactif"},
	{regexp.MustCompile(`^an account with this email already exists$`), "un compte existe déjà pour cette adresse électronique"},
	{regexp.MustCompile(`^(\S+@\S+) is already a focal point of ([A-Z]{2})$`), "$1 est déjà correspondant de $2"},
	{regexp.MustCompile(`^the last administrator cannot be removed or given another role$`), "le dernier administrateur ne peut être ni supprimé ni changer de rôle"},
	{regexp.MustCompile(`^this account is named in the history`), "ce compte figure dans l'historique des réunions, invitations ou inscriptions et ne peut être supprimé ; donnez-lui plutôt un autre rôle"},
}

// frenchFallback translates msg when the page is French and forms.go left
// it in English.
func frenchFallback(msg, lang string) string {
	if lang != "fr" {
		return msg
	}
	for _, m := range moreFrench {
		if m.re.MatchString(msg) {
			return m.re.ReplaceAllString(msg, m.fr)
		}
	}
	return msg
}
