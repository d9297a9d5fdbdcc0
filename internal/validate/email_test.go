package validate

import "testing"

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"dup@example.org":             "dup@example.org",
		"  Dup@Example.ORG ":          "dup@example.org",
		"ｄｕｐ@example.org":             "dup@example.org", // fullwidth local part
		"dup＠ｅｘａｍｐｌｅ．ｏｒｇ":             "dup@example.org", // fullwidth at sign, domain and dot
		"ＤＵＰ@EXAMPLE.org":             "dup@example.org",
		"du\u0070\u00a0@example.org":  "dup\u0020@example.org", // NO-BREAK SPACE inside stays (and fails validation)
		"ﬁn@example.org":              "fin@example.org",       // ligature
		"anne@bücher.example":         "anne@xn--bcher-kva.example",
		"anne@BÜCHER.example":         "anne@xn--bcher-kva.example",
		"anne@bu\u0308cher.example":   "anne@xn--bcher-kva.example", // combining diaeresis
		"anne@xn--bcher-kva.example":  "anne@xn--bcher-kva.example",
		"Ré@example.org":              "ré@example.org",
		"not an address":              "not an address",
		"x@exa mple.org":              "x@exa mple.org", // refused by IDNA: left for validation
		"":                            "",
		"\u2003dup@example.org\u3000": "dup@example.org", // em space and ideographic space
		"dup@example.org\u200b":       "dup@example.org",
		"d\u200bu\u00adp@example.org": "dup@example.org", // zero-width space, soft hyphen
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
		if got := NormalizeEmail(want); got != want && want != "dup\u0020@example.org" {
			t.Errorf("NormalizeEmail is not idempotent on %q: %q", want, got)
		}
	}
}
