package web

import (
	"strings"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/internal/registration"
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

// fail records err on the form: field messages in lang, or a message for
// the whole form, translated through the catalog. It reports whether err
// was the user's.
func (f *form) fail(cat *i18n.Catalog, err error, lang string) bool {
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal || e.Code == apperr.Unavailable {
		return false
	}
	for field, msg := range e.Fields {
		f.Errors[field] = text(cat, lang, msg)
	}
	if len(e.Fields) == 0 || e.Code != apperr.Invalid {
		f.Problem = text(cat, lang, e.Msg)
	}
	return true
}

// text renders a message of a service in lang for a page: the statuses
// it names (Status, RegStatus, MailStatus) are words of lang ("cette
// inscription est annulée", not "cancelled"). The JSON API keeps the
// codes it has always answered (apiText).
func text(cat *i18n.Catalog, lang string, m apperr.Msg) string {
	args := make(map[string]any, len(m.Args))
	for name, v := range m.Args {
		args[name] = v
		if s, ok := v.(string); ok {
			if w, ok := statusWord(cat, lang, name, s); ok {
				args[name] = strings.ToLower(w) // inside a sentence
			}
		}
	}
	return cat.T(lang, m.Key, args)
}

// statusWord names in lang, as the pages' labels do, the status that a
// message's argument carries by apperr.Msg's convention: Status a
// meeting's, RegStatus a registration's, MailStatus an email's. ok is
// false for other arguments and for a status without a label.
func statusWord(cat *i18n.Catalog, lang, name, status string) (word string, ok bool) {
	var id string
	switch name {
	case "RegStatus":
		return registration.StatusLabel(status, lang), true
	case "Status":
		id = "status." + status
	case "MailStatus":
		id = "sec.mail.status." + status
	default:
		return "", false
	}
	word = cat.T(lang, id, nil)
	return word, word != id
}

// apiText renders a message of a service in English for the JSON API,
// its arguments as they are.
func apiText(cat *i18n.Catalog, m apperr.Msg) string {
	return cat.T("en", m.Key, m.Args)
}

// formValues reads the posted fields named.
func formValues(get func(string) string, names ...string) map[string]string {
	v := make(map[string]string, len(names))
	for _, n := range names {
		v[n] = strings.TrimSpace(get(n))
	}
	return v
}
