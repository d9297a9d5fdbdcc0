package mail

import (
	"crypto/rand"
	htmltemplate "html/template"
	"strings"
)

// Personal renders one email for many recipients whose data differ only
// in their name — a run of invitations: 200 focal points of 40 states in
// two languages. The templates run once per language and data, with a
// stand-in for the name, and each recipient's email is that rendering with
// their name put in its place (escaped in the HTML as the template would
// have): executing the invitation's templates takes 40–100 µs on the
// machines measured, putting a name in 7 µs; with 2 or 3 focal points per
// state and language, building a run's emails went from 70 to 48 µs per
// email (BenchmarkInvitationEmails in internal/invitation).
//
// What comes out is what [Renderer.Render] gives with the name in the data,
// byte for byte, as long as the templates print the name and do not compute
// with it (a condition on its value, its length): the stand-in holds
// characters that every escaper of html/template other than the one of
// text and quoted attributes changes (< > & ' " + = ` and a space) and a
// random part, so a rendering in which any occurrence of the random part
// is not the whole stand-in, escaped for text in the HTML and untouched in
// the subject and the plain text, had the name in a URL, a script, an
// unquoted attribute or a function; that email is then rendered whole for
// each recipient, as is every email for an empty name or one with a line
// break (which Render refuses in a subject).
type Personal[D comparable] struct {
	r       *Renderer
	email   string
	setName func(D, string) D
	stand   string // the stand-in
	token   string // its random part
	escaped string // the stand-in as the HTML prints it
	escape  *htmltemplate.Template
	cache   map[personalKey[D]]personalBodies
}

type personalKey[D comparable] struct {
	lang string
	data D
}

// personalBodies is an email rendered with the stand-in name; whole: the
// stand-in cannot be trusted, render each email whole.
type personalBodies struct {
	subject, text, html string
	whole               bool
}

// NewPersonal returns a Personal for email; setName returns data with the
// recipient's name in it. It is meant for one run and one goroutine.
func NewPersonal[D comparable](r *Renderer, email string, setName func(D, string) D) *Personal[D] {
	p := &Personal[D]{r: r, email: email, setName: setName, token: "agora" + rand.Text(),
		escape: htmltemplate.Must(htmltemplate.New("name").Parse("{{.}}")), cache: map[personalKey[D]]personalBodies{}}
	p.stand = p.token + ` <&'"+=` + "`"
	p.escaped = p.escapeName(p.stand)
	return p
}

// Render renders the email in lang for data (its name left empty) with
// name in it, as r.Render(email, lang, setName(data, name)) would.
func (p *Personal[D]) Render(lang string, data D, name string) (subject, text, html string, err error) {
	k := personalKey[D]{lang, data}
	b, ok := p.cache[k]
	if !ok {
		b.subject, b.text, b.html, err = p.r.Render(p.email, lang, p.setName(data, p.stand))
		if err != nil {
			return "", "", "", err
		}
		b.whole = !p.printedAsIs(b)
		p.cache[k] = b
	}
	if b.whole || name == "" || strings.ContainsAny(name, "\r\n") {
		return p.r.Render(p.email, lang, p.setName(data, name))
	}
	return strings.ReplaceAll(b.subject, p.stand, name), strings.ReplaceAll(b.text, p.stand, name),
		strings.ReplaceAll(b.html, p.escaped, p.escapeName(name)), nil
}

// printedAsIs reports whether every occurrence of the stand-in's random
// part in b is the whole stand-in, as printed in text.
func (p *Personal[D]) printedAsIs(b personalBodies) bool {
	return strings.Count(b.subject, p.token) == strings.Count(b.subject, p.stand) &&
		strings.Count(b.text, p.token) == strings.Count(b.text, p.stand) &&
		strings.Count(b.html, p.token) == strings.Count(b.html, p.escaped)
}

// escapeName escapes name as html/template does in text. Executing
// "{{.}}" on a string cannot fail but by a failed write, and a Builder's
// writes do not fail.
func (p *Personal[D]) escapeName(name string) string {
	var b strings.Builder
	_ = p.escape.Execute(&b, name)
	return b.String()
}
