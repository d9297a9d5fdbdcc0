package web

import (
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// FuzzDecodeJSON feeds arbitrary bytes to decodeStrict, the reader of
// every JSON body, for the two bodies anyone can send: a meeting (the
// secretariat's forms) and a registration (anyone holding an invitation
// link). Whatever arrives, the caller gets a 400 or a 422 with a message,
// never a panic or a 500.
//
// Seeds live in testdata/fuzz/FuzzDecodeJSON; run it longer with
//
//	go test -run '^$' -fuzz '^FuzzDecodeJSON$' -fuzztime 1m ./internal/web
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"kind":"plenary","starts_at":"2027-03-09T09:30:00+01:00"}`))
	f.Add([]byte(`{"first_name":"Élise","email":"e@example.fr","unknown":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := map[string]any{
			"meeting.Fields":     new(meeting.Fields),
			"registration.Input": new(registration.Input),
			"registration.Details": func() any {
				d := registration.Details{FirstName: "Élise"} // a PATCH lands on current values
				return &d
			}(),
		}
		for name, v := range targets {
			err := decodeStrict(body, v)
			if err == nil {
				continue
			}
			e, ok := apperr.As(err)
			if !ok || (e.Code != apperr.Malformed && e.Code != apperr.Invalid) {
				t.Fatalf("%s: %q gives %v, want a malformed or invalid error", name, body, err)
			}
			if e.Msg.Key == "" {
				t.Errorf("%s: %q gives an error without a message", name, body)
			}
			if e.Code == apperr.Invalid && len(e.Fields) == 0 {
				t.Errorf("%s: %q is invalid without naming a field", name, body)
			}
		}
	})
}
