package mail

import (
	"testing"
	"testing/fstest"
)

// namesToTry are names whose emails must come out as Render makes them:
// characters the escapers change, accents, a line break (which Render
// refuses in a subject) and no name at all.
var namesToTry = []string{"Jane Doe", `Zoë <b>"O'Brien"</b> & Ana+Łukasz`, "Ștefan Țăran", "", "Jane\nBcc: x@example.org",
	"a+b=c `d`", "Ελένη Παπαδοπούλου"}

// TestPersonalRendersAsRenderDoes renders emails for several names through
// Personal and through Render: subject, text and HTML the same byte for
// byte (the same errors too). The real invitation templates and templates
// that print the name in text or a quoted attribute are rendered once per
// language and data; templates that put it in a URL, a script, an unquoted
// attribute or a function are rendered whole for each name.
func TestPersonalRendersAsRenderDoes(t *testing.T) {
	real, err := NewRenderer(emailFS(t), "Agora")
	if err != nil {
		t.Fatal(err)
	}
	var invitations []invitationLike
	for _, state := range []string{"France", "Türkiye"} {
		d := invitationLike{State: state, RegistrationURL: "https://agora.example.org/r/" + state, Seats: 3, FundedSeats: 1}
		d.Meeting.Title, d.Meeting.When, d.Meeting.Until = "Plenary", "1 March 2027, 09:30", "2 March 2027, 17:00"
		d.Meeting.TimeZone, d.Meeting.Venue, d.Meeting.Closes = "Europe/Paris", "Palais de l'Europe", "20 February 2027"
		d.Meeting.URL = "https://agora.example.org/meetings/1"
		invitations = append(invitations, d)
	}
	checkPersonal(t, "invitation", real, "invitation", invitations,
		func(d invitationLike, name string) invitationLike { d.Name = name; return d }, true)

	var hellos []helloData
	for _, state := range []string{"France", "Türkiye"} {
		hellos = append(hellos, helloData{URL: "https://agora.example.org/r/" + state, Reason: "You are a focal point of " + state + "."})
	}
	setName := func(d helloData, name string) helloData { d.Name = name; return d }
	tests := []struct {
		what, subject, text, html string
		shared                    bool
	}{
		{"the name in text", "Hello {{.Name}}", "Hello {{.Name}}", `<p>Hello {{.Name}}</p>`, true},
		{"the name in a quoted attribute", "Hello", "Hello", `<p title="{{.Name}}">Hello {{.Name}}</p>`, true},
		{"the name in a URL", "Hello", "Hello", `<a href="{{.URL}}?who={{.Name}}">Hello</a>`, false},
		{"the name in a script", "Hello", "Hello", `<script>var n = {{.Name}};</script>`, false},
		{"the name in an unquoted attribute", "Hello", "Hello", `<p title={{.Name}}>Hello</p>`, false},
		{"the name quoted in the subject", `Hello {{printf "%q" .Name}}`, "Hello", "<p>Hello</p>", false},
		{"the name escaped in the text", "Hello", "Hello {{html .Name}}", "<p>Hello</p>", false},
	}
	for _, tt := range tests {
		fsys := minimalTemplates()
		for _, lang := range Languages() {
			fsys["hello."+lang+".subject"] = &fstest.MapFile{Data: []byte(tt.subject + "\n")}
			fsys["hello."+lang+".txt"] = &fstest.MapFile{Data: []byte(tt.text + "\n")}
			fsys["hello."+lang+".html"] = &fstest.MapFile{Data: []byte(tt.html)}
		}
		r, err := NewRenderer(fsys, "Agora")
		if err != nil {
			t.Fatal(err)
		}
		checkPersonal(t, tt.what, r, "hello", hellos, setName, tt.shared)
	}
}

// invitationLike has the fields the invitation templates print.
type invitationLike struct {
	Meeting struct {
		Title, When, Until, TimeZone, Venue, OnlineURL, URL, Closes string
	}
	Name, State, RegistrationURL string
	Seats, FundedSeats           int
	Organisation                 bool
}

type helloData struct {
	Name, URL, Reason string
}

// checkPersonal renders email for each data, language and name of
// namesToTry with one Personal and compares it with Render; shared says
// the renderings must be shared between names.
func checkPersonal[D comparable](t *testing.T, what string, r *Renderer, email string, datas []D, setName func(D, string) D, shared bool) {
	t.Helper()
	p := NewPersonal(r, email, setName)
	for _, lang := range Languages() {
		for i, data := range datas {
			for _, name := range namesToTry {
				ws, wt, wh, werr := r.Render(email, lang, setName(data, name))
				gs, gt, gh, gerr := p.Render(lang, data, name)
				if (werr == nil) != (gerr == nil) {
					t.Fatalf("%s, %s, data %d, %q: error %v, Render's %v", what, lang, i, name, gerr, werr)
				}
				if gs != ws || gt != wt || gh != wh {
					t.Errorf("%s, %s, data %d, %q:\nsubject %q\nwant    %q\ntext %q\nwant %q\nhtml %q\nwant %q",
						what, lang, i, name, gs, ws, gt, wt, gh, wh)
				}
			}
		}
	}
	if want := len(Languages()) * len(datas); len(p.cache) != want {
		t.Errorf("%s: %d renderings kept, want %d (one per language and data)", what, len(p.cache), want)
	}
	for k, b := range p.cache {
		if b.whole == shared {
			t.Errorf("%s, %s %v: each name rendered whole: %v, want %v", what, k.lang, k.data, b.whole, !shared)
		}
	}
}
