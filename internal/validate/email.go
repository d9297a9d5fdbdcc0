package validate

import (
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// NormalizeEmail is the one form of an email address that Agora stores and
// compares: trimmed, NFKC-normalised (so that "ｄｕｐ＠example.org" and
// other look-alikes made of compatibility characters become
// "dup@example.org"), without invisible format characters, lower-cased,
// and with its domain in IDNA ASCII form
// ("bücher.example" → "xn--bcher-kva.example"), which every mail server
// understands. Every path that takes an address — registration, focal
// points, accounts, sign-in, password reset, the mail log filter, privacy
// requests — goes through it. A domain that IDNA refuses is kept as it
// is, for the validation that follows to reject.
func NormalizeEmail(email string) string {
	e := strings.ToLower(norm.NFKC.String(strings.TrimSpace(email)))
	e = strings.Map(func(r rune) rune { // invisible format characters (zero-width space, soft hyphen …) make twins
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, e)
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return e
	}
	if domain, err := idna.Lookup.ToASCII(e[at+1:]); err == nil {
		e = e[:at+1] + domain
	}
	return strings.TrimSpace(e) // NFKC can turn a trailing compatibility space into a space
}
