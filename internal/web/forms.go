package web

import (
	"regexp"
	"strings"

	"github.com/coe-agora/agora/internal/apperr"
)

// form is what a page form shows again after a failed submission: the
// values typed, and a message per field in the page's language.
type form struct {
	Values  map[string]string
	Errors  map[string]string
	Problem string // a message for the whole form
}

func newForm(values map[string]string) *form {
	if values == nil {
		values = map[string]string{}
	}
	return &form{Values: values, Errors: map[string]string{}}
}

// V returns a value typed in the field.
func (f *form) V(name string) string { return f.Values[name] }

// E returns the error of the field, or "".
func (f *form) E(name string) string { return f.Errors[name] }

// Checked reports whether a checkbox was ticked.
func (f *form) Checked(name string) bool {
	v := f.Values[name]
	return v == "on" || v == "true" || v == "1"
}

// fail records err on the form: field messages translated to lang, or a
// message for the whole form. It reports whether err was the user's.
func (f *form) fail(err error, lang string) bool {
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal || e.Code == apperr.Unavailable {
		return false
	}
	for field, msg := range e.Fields {
		f.Errors[field] = translateFieldError(msg, lang)
	}
	if len(e.Fields) == 0 || e.Code != apperr.Invalid {
		f.Problem = translateFieldError(e.Message, lang)
	}
	return true
}

// frenchMessages translates the validation messages the services produce.
// Messages are English at the source (the JSON API speaks English); the
// pages show them in French through these patterns. A test checks that
// every message the validator can produce has a translation.
var frenchMessages = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^is required$`), "est obligatoire"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "doit comporter au plus $1 caractères"},
	{regexp.MustCompile(`^must be at least (\d+) characters$`), "doit comporter au moins $1 caractères"},
	{regexp.MustCompile(`^must be at most (\d+)$`), "doit valoir au plus $1"},
	{regexp.MustCompile(`^must be at least (\d+)$`), "doit valoir au moins $1"},
	{regexp.MustCompile(`^must be (\d+) or more$`), "doit valoir $1 ou plus"},
	{regexp.MustCompile(`^must be (\d+) or less$`), "doit valoir $1 ou moins"},
	{regexp.MustCompile(`^must be one of (.+)$`), "doit être l'une des valeurs suivantes : $1"},
	{regexp.MustCompile(`^must be an email address like name@example.org$`), "doit être une adresse électronique, par exemple nom@exemple.org"},
	{regexp.MustCompile(`^must be a web address starting with https:// or http://$`), "doit être une adresse web commençant par https:// ou http://"},
	{regexp.MustCompile(`^must be a single line without control characters$`), "doit tenir sur une seule ligne, sans caractère de contrôle"},
	{regexp.MustCompile(`^must be one line of at most (\d+) characters$`), "doit tenir sur une ligne d'au plus $1 caractères"},
	{regexp.MustCompile(`^must not contain control characters$`), "ne doit pas contenir de caractère de contrôle"},
	{regexp.MustCompile(`^must contain letters$`), "doit contenir des lettres"},
	{regexp.MustCompile(`^is not valid$`), "n'est pas valide"},
	{regexp.MustCompile(`^must not repeat a value$`), "ne doit pas répéter une valeur"},
	{regexp.MustCompile(`^is already registered for this meeting$`), "est déjà inscrite à cette réunion"},
	{regexp.MustCompile(`^this email address is already registered for this meeting$`), "cette adresse électronique est déjà inscrite à cette réunion"},
	{regexp.MustCompile(`^must be at most (\d+) characters of text$`), "doit comporter au plus $1 caractères"},
	{regexp.MustCompile(`^wrong email or password$`), "adresse électronique ou mot de passe incorrect"},
	{regexp.MustCompile(`^too many failed attempts; try again in 15 minutes$`), "trop de tentatives infructueuses ; réessayez dans 15 minutes"},
	{regexp.MustCompile(`^too many failed attempts on this account; try again in a minute$`), "trop de tentatives infructueuses sur ce compte ; réessayez dans une minute"},
	{regexp.MustCompile(`^registration is closed$`), "les inscriptions sont closes"},
	{regexp.MustCompile(`^registration has not opened yet$`), "les inscriptions ne sont pas encore ouvertes"},
	{regexp.MustCompile(`^this meeting has been cancelled$`), "cette réunion a été annulée"},
	{regexp.MustCompile(`^this meeting has already taken place$`), "cette réunion a déjà eu lieu"},
	{regexp.MustCompile(`^registration is closed: contact your focal point or the secretariat for any change$`), "les inscriptions sont closes : pour toute modification, adressez-vous à votre correspondant(e) ou au secrétariat"},
	{regexp.MustCompile(`^this registration is (already )?(\w+)$`), "cette inscription est déjà close ($2)"},
	{regexp.MustCompile(`^this link is not valid any more; ask for a new one$`), "ce lien n'est plus valide ; demandez-en un nouveau"},
	{regexp.MustCompile(`^many people are registering right now; please try again in a moment$`), "beaucoup de personnes s'inscrivent en ce moment ; réessayez dans un instant"},
	{regexp.MustCompile(`^a title in English or French is required$`), "un titre en anglais ou en français est obligatoire"},
	{regexp.MustCompile(`^is required to publish$`), "est obligatoire pour publier"},
	{regexp.MustCompile(`^must be after (\w+)$`), "doit être postérieur à $1"},
}

// translateFieldError returns msg in lang.
func translateFieldError(msg, lang string) string {
	if lang != "fr" {
		return msg
	}
	for _, m := range frenchMessages {
		if m.re.MatchString(msg) {
			return m.re.ReplaceAllString(msg, m.fr)
		}
	}
	return msg
}

// formValues reads the posted fields named.
func formValues(get func(string) string, names ...string) map[string]string {
	v := make(map[string]string, len(names))
	for _, n := range names {
		v[n] = strings.TrimSpace(get(n))
	}
	return v
}
