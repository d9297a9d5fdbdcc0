package mail

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRendererRendersTheTestEmailInBothLanguages(t *testing.T) {
	r, err := NewRenderer(emailFS(t), "Agora")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, subject, text, html, reason string
	}{
		{"en", "Test message from Agora", "This is a test message from Agora.", "This is a test message from <strong>Agora</strong>.",
			"You receive this message because an administrator of Agora"},
		{"fr", "Message d’essai envoyé par Agora", "Ceci est un message d’essai envoyé par Agora.", "Ceci est un message d’essai envoyé par <strong>Agora</strong>.",
			"Vous recevez ce message parce qu’un administrateur de la plateforme Agora"},
	}
	for _, tt := range tests {
		m, err := r.TestMessage("jane@example.org", `Jane <b>"Doe"</b>`, tt.lang)
		if err != nil {
			t.Fatalf("%s: %v", tt.lang, err)
		}
		if m.Subject != tt.subject {
			t.Errorf("%s: subject = %q, want %q", tt.lang, m.Subject, tt.subject)
		}
		if !strings.Contains(m.Text, tt.text) || !strings.Contains(m.Text, tt.reason) {
			t.Errorf("%s text lacks the message or the reason:\n%s", tt.lang, m.Text)
		}
		if !strings.Contains(m.HTML, tt.html) || !strings.Contains(m.HTML, tt.reason) {
			t.Errorf("%s html lacks the message or the reason:\n%s", tt.lang, m.HTML)
		}
		if !strings.Contains(m.Text, `Jane <b>"Doe"</b>`) {
			t.Errorf("%s text: the name is altered:\n%s", tt.lang, m.Text)
		}
		if strings.Contains(m.HTML, "<b>") || !strings.Contains(m.HTML, "Jane &lt;b&gt;&#34;Doe&#34;&lt;/b&gt;") {
			t.Errorf("%s html: the name is not escaped:\n%s", tt.lang, m.HTML)
		}
		if !strings.Contains(m.HTML, `<html lang="`+tt.lang+`">`) {
			t.Errorf("%s html: no lang attribute", tt.lang)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s: the test message does not validate: %v", tt.lang, err)
		}
	}
	if _, _, _, err := r.Render("invitation_v0", "en", nil); err == nil {
		t.Error("Render of an unknown email succeeded")
	}
}

// minimalTemplates returns one email, "hello", with a reason in the data.
func minimalTemplates() fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, lang := range Languages() {
		fsys["layout."+lang+".txt"] = &fstest.MapFile{Data: []byte("{{template \"content\" .}}\n-- \n{{block \"reason\" .}}{{.Reason}}{{end}}\n{{platform}}\n")}
		fsys["layout."+lang+".html"] = &fstest.MapFile{Data: []byte(`<div>{{template "content" .}}<p>{{block "reason" .}}{{.Reason}}{{end}}</p></div>`)}
		fsys["hello."+lang+".subject"] = &fstest.MapFile{Data: []byte("Hello {{.Name}}\n")}
		fsys["hello."+lang+".txt"] = &fstest.MapFile{Data: []byte("Hello {{.Name}}\n")}
		fsys["hello."+lang+".html"] = &fstest.MapFile{Data: []byte("<p>Hello {{.Name}}</p>")}
	}
	return fsys
}

func TestRendererPutsTheReasonInTheFooter(t *testing.T) {
	r, err := NewRenderer(minimalTemplates(), "Agora")
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Name": "Zoë", "Reason": "You are the focal point of France."}
	subject, text, html, err := r.Render("hello", "fr", data)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Hello Zoë" || text != "Hello Zoë\n\n-- \nYou are the focal point of France.\nAgora\n" ||
		html != "<div><p>Hello Zoë</p><p>You are the focal point of France.</p></div>" {
		t.Errorf("Render = %q, %q, %q", subject, text, html)
	}
	if _, _, _, err := r.Render("hello", "fr", map[string]any{"Name": "Zoë"}); err == nil {
		t.Error("Render without a Reason succeeded")
	}
	if _, _, _, err := r.Render("hello", "en", map[string]any{"Name": "Zoë\nBcc: x@example.org", "Reason": "r"}); err == nil {
		t.Error("Render of a two-line subject succeeded")
	}
}

func TestRendererFailsAtStartOnAMissingOrBrokenTemplate(t *testing.T) {
	missing := minimalTemplates()
	delete(missing, "hello.fr.html")
	if _, err := NewRenderer(missing, "Agora"); err == nil || !strings.Contains(err.Error(), "hello.fr.html is missing") {
		t.Errorf("missing template: err = %v", err)
	}
	broken := minimalTemplates()
	broken["hello.en.txt"] = &fstest.MapFile{Data: []byte("Hello {{.Name")}
	if _, err := NewRenderer(broken, "Agora"); err == nil {
		t.Error("broken template: no error")
	}
	noLayout := minimalTemplates()
	delete(noLayout, "layout.fr.txt")
	if _, err := NewRenderer(noLayout, "Agora"); err == nil {
		t.Error("missing layout: no error")
	}
}
