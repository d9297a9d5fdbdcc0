package registration

import (
	"net/mail"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/validate"
)

// FuzzDetails sends arbitrary text in every field through normalize and
// check, as a registration does, and asserts that whatever is accepted is
// safe to store and to put in pages, emails, calendars and exports:
// single lines where single lines are due, valid UTF-8, names with a
// letter, a plain lower-case address, lengths within the limits.
//
// Seeds live in testdata/fuzz/FuzzDetails; run it longer with
//
//	go test -run '^$' -fuzz '^FuzzDetails$' -fuzztime 1m ./internal/registration
func FuzzDetails(f *testing.F) {
	f.Add("Élise", "Müller-Lüdenscheidt", "Elise.Muller@Example.ORG", "Présidente", "Ministère de la Santé", "head", "fr", "végétarien\nsans gluten", "fauteuil roulant")
	f.Add("Ann", "Bcc: x@example.org", "ann@example.org", "a\r\nBcc: y@example.org", "", "delegate", "en", "", "")
	v := validate.New()
	f.Fuzz(func(t *testing.T, first, last, email, function, organisation, role, lang, dietary, accessibility string) {
		d := Details{
			FirstName: first, LastName: last, Email: email, Function: function, Organisation: organisation,
			DelegationRole: role, Language: lang, Dietary: dietary, Accessibility: accessibility,
		}
		d.normalize()
		errs := apperr.Fields{}
		d.check(v, errs)
		if len(errs) > 0 {
			if e, ok := apperr.As(errs.Err()); !ok || e.Code != apperr.Invalid {
				t.Fatalf("refusal is not an invalid-input error: %v", errs.Err())
			}
			return
		}

		for field, s := range map[string]string{
			"first_name": d.FirstName, "last_name": d.LastName, "email": d.Email,
			"function": d.Function, "organisation": d.Organisation,
			"dietary": d.Dietary, "accessibility": d.Accessibility,
		} {
			// PostgreSQL refuses invalid UTF-8 with an error, which would
			// turn a typo into a 500; html/template and the CSV would
			// carry the broken bytes on.
			if !utf8.ValidString(s) {
				t.Errorf("%s accepted with invalid UTF-8: %q", field, s)
			}
			if s != strings.TrimSpace(s) {
				t.Errorf("%s accepted untrimmed: %q", field, s)
			}
		}
		for field, s := range map[string]string{
			"first_name": d.FirstName, "last_name": d.LastName, "email": d.Email,
			"function": d.Function, "organisation": d.Organisation,
		} {
			// These go into email headers, calendar parameters and one-line
			// cells: a CR or LF there is how injection starts.
			if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
				t.Errorf("%s accepted with a control character at %d: %q", field, i, s)
			}
		}
		for field, s := range map[string]string{"dietary": d.Dietary, "accessibility": d.Accessibility} {
			if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }); i >= 0 {
				t.Errorf("%s accepted with a control character other than a line break or tab at %d: %q", field, i, s)
			}
		}

		for field, name := range map[string]string{"first_name": d.FirstName, "last_name": d.LastName} {
			if strings.IndexFunc(name, unicode.IsLetter) < 0 {
				t.Errorf("%s accepted without a letter: %q", field, name)
			}
			if strings.Contains(name, "  ") {
				t.Errorf("%s accepted with a run of spaces: %q", field, name)
			}
		}

		a, err := mail.ParseAddress(d.Email)
		if err != nil || a.Name != "" || a.Address != d.Email {
			t.Errorf("email %q accepted but net/mail reads it as %+v (%v)", d.Email, a, err)
		}
		if d.Email != strings.ToLower(strings.TrimSpace(d.Email)) {
			t.Errorf("email %q accepted but not in normal form", d.Email)
		}

		for field, limit := range map[string]struct {
			s   string
			max int
		}{
			"first_name": {d.FirstName, 100}, "last_name": {d.LastName, 100}, "email": {d.Email, 254},
			"function": {d.Function, 200}, "organisation": {d.Organisation, 200},
			"dietary": {d.Dietary, 500}, "accessibility": {d.Accessibility, 500},
		} {
			if n := utf8.RuneCountInString(limit.s); n > limit.max {
				t.Errorf("%s accepted with %d characters, over %d", field, n, limit.max)
			}
		}
		if len(d.Email) > 254 {
			t.Errorf("email accepted with %d octets, over 254", len(d.Email))
		}

		if !slices.Contains(Roles, d.DelegationRole) || (d.Language != "en" && d.Language != "fr") {
			t.Errorf("role %q or language %q accepted", d.DelegationRole, d.Language)
		}
	})
}
