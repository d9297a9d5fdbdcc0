package registration

import (
	"regexp"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/secret"
)

// A check-in code holds only what a QR code's alphanumeric mode holds (so
// the code stays small and easy to scan), is read back as typed with
// spaces or in lower case, names its meeting and registration, and any
// change to it is refused.
func TestCheckInCode(t *testing.T) {
	keys, err := secret.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{keys: keys}
	code := s.CheckInCode(12, 3456)
	if !regexp.MustCompile(`^CI\.12\.3456\.[A-Z2-7]{16}$`).MatchString(code) {
		t.Fatalf("code %q", code)
	}
	for _, typed := range []string{code, strings.ToLower(code), "  " + code + "\n"} {
		if m, r, ok := s.parseCode(typed); !ok || m != 12 || r != 3456 {
			t.Errorf("%q reads as %d, %d, %v", typed, m, r, ok)
		}
	}
	other, _ := secret.New([]byte(strings.Repeat("o", 32)))
	for _, bad := range []string{
		strings.Replace(code, "CI.12.", "CI.13.", 1),  // another meeting, same signature
		strings.Replace(code, ".3456.", ".3457.", 1),  // another person
		(&Service{keys: other}).CheckInCode(12, 3456), // another server's key
		code[:len(code)-1], "CI.12.3456", "reg_" + code, "", "CI.-1.2.AAAAAAAAAAAAAAAA",
	} {
		if _, _, ok := s.parseCode(bad); ok {
			t.Errorf("%q is accepted", bad)
		}
	}
}
