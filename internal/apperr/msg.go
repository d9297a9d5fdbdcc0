package apperr

import (
	"fmt"
	"sync"

	"github.com/coe-agora/agora/internal/i18n"
	"github.com/coe-agora/agora/templates"
)

// Msg is a message for a person: the key of a text in the i18n catalogs
// and the values of its {{.Placeholders}}. Pages render it in their
// language; the JSON API, logs and the terminal in English.
//
// Placeholder names say how a page may show a value: Field is a field name
// as the API spells it, Status a meeting status, RegStatus a registration
// status, MailStatus a mail status; the secretariat's pages show these as
// labels of their own. Other values are shown as they are.
type Msg struct {
	Key  string
	Args map[string]any
}

// M returns the message key with its placeholders given as name, value
// pairs: M("err.max_chars", "N", 100). The key must be a string literal:
// a test reads every M in the source and checks that its key exists in the
// English and French catalogs with the placeholders given.
func M(key string, pairs ...any) Msg {
	m := Msg{Key: key}
	if len(pairs) > 0 {
		m.Args = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			m.Args[fmt.Sprint(pairs[i])] = pairs[i+1]
		}
	}
	return m
}

// String renders the message in English.
func (m Msg) String() string {
	c := english()
	if c == nil {
		return m.Key
	}
	return c.T("en", m.Key, m.Args)
}

// english is the catalog read once from the embedded templates, so that
// Error() and the terminal speak English without a catalog passed to every
// caller. It is never written after it is loaded; nil only if the embedded
// catalogs are broken, which the web server's start and the tests catch.
var english = sync.OnceValue(func() *i18n.Catalog {
	c, err := i18n.Load(templates.FS, "i18n")
	if err != nil {
		return nil
	}
	return c
})
