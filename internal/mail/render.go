package mail

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	texttemplate "text/template"
)

// Languages returns the languages every email exists in.
func Languages() []string { return []string{"en", "fr"} }

// Renderer renders the emails defined by a directory of templates:
//
//	layout.<lang>.txt, layout.<lang>.html   the frame of every email in a language
//	<name>.<lang>.subject                     text/template, one line
//	<name>.<lang>.txt                         text/template, the plain text body
//	<name>.<lang>.html                        html/template, the HTML body
//
// for each language of [Languages]. A body is executed as the template
// "content" inside its layout. The layouts end with a footer that says why
// the person receives the email: the data passed to Render must carry a
// Reason (a struct field or a map key), unless the email defines its own
// {{define "reason"}} block. The function {{platform}} returns the platform's
// name. Every template is parsed when the Renderer is built, so a missing or
// broken one stops the program at start, not at the first email.
type Renderer struct {
	emails map[string]*emailTemplates // by "<name>.<lang>"
}

type emailTemplates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

var templateFileRE = regexp.MustCompile(`^([a-z][a-z0-9_]*)\.([a-z]{2})\.(subject|txt|html)$`)

// NewRenderer parses the email templates at the root of fsys, e.g.
// fs.Sub(templates.FS, "email"); platform is the name {{platform}} returns.
func NewRenderer(fsys fs.FS, platform string) (*Renderer, error) {
	sources, err := readTemplates(fsys)
	if err != nil {
		return nil, err
	}
	funcs := map[string]any{"platform": func() string { return platform }}
	r := &Renderer{emails: map[string]*emailTemplates{}}
	var problems []string
	for _, name := range emailNames(sources) {
		for _, lang := range Languages() {
			t, err := parseEmail(sources, name, lang, funcs)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			r.emails[name+"."+lang] = t
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("mail: email templates: %s", strings.Join(problems, "; "))
	}
	return r, nil
}

// readTemplates returns the content of every template file by file name.
func readTemplates(fsys fs.FS) (map[string]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("mail: email templates: %w", err)
	}
	sources := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !templateFileRE.MatchString(e.Name()) {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("mail: email templates: %w", err)
		}
		sources[e.Name()] = string(b)
	}
	return sources, nil
}

// emailNames lists the emails defined, in order, leaving out the layouts.
func emailNames(sources map[string]string) []string {
	seen := map[string]bool{}
	for file := range sources {
		if name := templateFileRE.FindStringSubmatch(file)[1]; name != "layout" {
			seen[name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func parseEmail(sources map[string]string, name, lang string, funcs map[string]any) (*emailTemplates, error) {
	src := func(file string) (string, error) {
		s, ok := sources[file]
		if !ok {
			return "", fmt.Errorf("%s is missing", file)
		}
		return s, nil
	}
	var t emailTemplates
	var errs []error
	if s, err := src(name + "." + lang + ".subject"); err != nil {
		errs = append(errs, err)
	} else if t.subject, err = texttemplate.New("subject").Option("missingkey=error").Funcs(funcs).Parse(s); err != nil {
		errs = append(errs, err)
	}
	layout, lerr := src("layout." + lang + ".txt")
	body, berr := src(name + "." + lang + ".txt")
	if err := errors.Join(lerr, berr); err != nil {
		errs = append(errs, err)
	} else {
		t.text = texttemplate.New("layout").Option("missingkey=error").Funcs(funcs)
		if _, err := t.text.Parse(layout); err != nil {
			errs = append(errs, err)
		} else if _, err := t.text.New("content").Parse(body); err != nil {
			errs = append(errs, err)
		}
	}
	layout, lerr = src("layout." + lang + ".html")
	body, berr = src(name + "." + lang + ".html")
	if err := errors.Join(lerr, berr); err != nil {
		errs = append(errs, err)
	} else {
		t.html = htmltemplate.New("layout").Option("missingkey=error").Funcs(funcs)
		if _, err := t.html.Parse(layout); err != nil {
			errs = append(errs, err)
		} else if _, err := t.html.New("content").Parse(body); err != nil {
			errs = append(errs, err)
		}
	}
	return &t, errors.Join(errs...)
}

// Render renders the email name in lang ("en" or "fr") with data and
// returns its subject (one line), plain text and HTML.
func (r *Renderer) Render(name, lang string, data any) (subject, text, html string, err error) {
	t, ok := r.emails[name+"."+lang]
	if !ok {
		return "", "", "", fmt.Errorf("mail: no email %q in language %q", name, lang)
	}
	var b bytes.Buffer
	if err := t.subject.Execute(&b, data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s subject: %w", name, lang, err)
	}
	subject = strings.TrimSpace(b.String())
	if subject == "" || strings.ContainsAny(subject, "\r\n") {
		return "", "", "", fmt.Errorf("mail: render %s.%s subject: must be one non-empty line, got %q", name, lang, subject)
	}
	b.Reset()
	if err := t.text.Execute(&b, data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s text: %w", name, lang, err)
	}
	text = b.String()
	b.Reset()
	if err := t.html.Execute(&b, data); err != nil {
		return "", "", "", fmt.Errorf("mail: render %s.%s html: %w", name, lang, err)
	}
	return subject, text, b.String(), nil
}
