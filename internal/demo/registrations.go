package demo

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// How a person comes to be registered.
const (
	viaFocalPoint  = 'f' // their focal point registers them (signed in)
	viaSecretariat = 's' // the secretariat registers them
	viaLink        = 'l' // they register themselves from their state's invitation link
)

// delegationPlan says who of a state's people register for a meeting:
// one letter per person (viaFocalPoint, viaSecretariat, viaLink), starting
// with the person at index from; the first funded of them ask for their
// travel to be paid.
type delegationPlan struct {
	code   string
	via    string
	from   int
	funded int
}

// seatRequest is one person asking for a seat.
type seatRequest struct {
	code    string
	idx     int
	via     byte
	role    string
	fn      function
	funding bool
}

// requests turns plans into seat requests in the order people register:
// every state's first person, then every state's second … so the waiting
// lists fill up last, as they do in life.
func requests(plans []delegationPlan, role func(i int) string, fns []function) []seatRequest {
	var out []seatRequest
	for i := 0; ; i++ {
		n := len(out)
		for _, p := range plans {
			if i < len(p.via) {
				idx := p.from + i
				out = append(out, seatRequest{code: p.code, idx: idx, via: p.via[i], role: role(i),
					fn: fns[idx%len(fns)], funding: i < p.funded})
			}
		}
		if len(out) == n {
			return out
		}
	}
}

// registrations remembers the demo's registrations of one meeting by "CC/idx".
type registrations map[string]registration.Result

func key(code string, idx int) string { return fmt.Sprintf("%s/%d", code, idx) }

// get returns a registration the plan made; a missing one is a bug of the demo.
func (r registrations) get(code string, idx int) (registration.Result, error) {
	res, ok := r[key(code, idx)]
	if !ok {
		return registration.Result{}, fmt.Errorf("demo: no registration %s", key(code, idx))
	}
	return res, nil
}

// keyOf returns the "CC/idx" of a registration the plan made ("" if none).
func (r registrations) keyOf(id int64) string {
	for k, res := range r {
		if res.ID == id {
			return k
		}
	}
	return ""
}

// Needs some people mention: by "CC/idx", in the person's language.
var (
	dietary = map[string]string{
		"FR/1": "Végétarien", "MA/0": "Halal", "MA/1": "Halal", "TR/0": "Halal", "DE/2": "Vegan",
		"IT/0": "Gluten-free", "IL/0": "Kosher", "IE/0": "Vegetarian", "NO/1": "Lactose intolerant",
	}
	accessibility = map[string]string{
		"UA/1": "Wheelchair user: step-free access to the meeting room, please.",
		"GB/0": "Hearing loop in the meeting room.",
		"PT/1": "Reserved seat near the door (reduced mobility).",
	}
	// Those who prefer not to appear on the published participant list.
	noListing = map[string]bool{"GB/1": true, "IL/0": true, "TR/1": true, "UA/2": true, "CZ/1": true, "ES/3": true}
)

// details are what a person types into the registration form.
func details(r seatRequest) registration.Details {
	d := delegations[r.code]
	p := d.People[r.idx]
	lang := p.lang(d)
	k := key(r.code, r.idx)
	return registration.Details{
		FirstName: p.First, LastName: p.Last, Email: p.email(d), Function: r.fn.in(p, lang), Organisation: d.Org,
		DelegationRole: r.role, Language: lang, FundingRequested: r.funding,
		Dietary: dietary[k], Accessibility: accessibility[k], ListConsent: !noListing[k],
		Gender: declaredGender(p, k),
	}
}

// remote are those who follow a hybrid meeting online.
var remote = map[string]bool{"AM/0": true, "GE/0": true, "MD/0": true, "AL/1": true, "RS/0": true, "TR/1": true, "UA/2": true}

// declaredGender is what a person answers to the optional question: most
// answer, some prefer not to say, every third person skips it.
func declaredGender(p person, k string) string {
	switch {
	case strings.HasSuffix(k, "/2"):
		return ""
	case k == "GB/1" || k == "NL/0":
		return "undisclosed"
	case p.Female:
		return "woman"
	default:
		return "man"
	}
}

// register registers everyone the plans name, each the way the plan says.
func (s *seeder) register(ctx context.Context, m meeting.Meeting, reqs []seatRequest) (registrations, error) {
	links, err := s.invitationTokens(ctx, m)
	if err != nil {
		return nil, err
	}
	out := registrations{}
	for _, r := range reqs {
		in := registration.Input{State: r.code, Details: details(r)}
		if m.Format == "hybrid" && remote[key(r.code, r.idx)] {
			in.Attendance = meeting.AttendanceOnline
		}
		var actor auth.Actor
		switch r.via {
		case viaFocalPoint:
			a, ok := s.focal[r.code]
			if !ok {
				return nil, fmt.Errorf("demo: %s has no focal-point account", r.code)
			}
			actor = a
		case viaSecretariat:
			actor = s.secretariat
		case viaLink:
			if in.InvitationToken = links[r.code]; in.InvitationToken == "" {
				return nil, fmt.Errorf("demo: %s has no invitation to %q", r.code, m.TitleEN)
			}
		}
		res, err := s.a.Registrations.Register(ctx, actor, m.ID, in)
		if err != nil {
			return nil, fmt.Errorf("demo: register %s for %q: %w", in.Email, m.TitleEN, err)
		}
		out[key(r.code, r.idx)] = res
	}
	return out, nil
}

// invitationTokens returns the secret of each invited state's registration
// link: the last segment of the link the secretariat sees.
func (s *seeder) invitationTokens(ctx context.Context, m meeting.Meeting) (map[string]string, error) {
	invs, err := s.a.Invitations.Invitations(ctx, s.secretariat, m.ID)
	if err != nil {
		return nil, fmt.Errorf("demo: invitations of %q: %w", m.TitleEN, err)
	}
	tokens := map[string]string{}
	for _, inv := range invs {
		if inv.RegistrationURL != "" {
			tokens[inv.State] = path.Base(inv.RegistrationURL)
		}
	}
	return tokens, nil
}

// roleOfDelegate gives a plenary delegation its head first.
func roleOfDelegate(i int) string {
	return []string{"head", "delegate", "expert", "adviser"}[i%4]
}

func onlyRole(role string) func(int) string { return func(int) string { return role } }
