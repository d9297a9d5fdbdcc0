package proctest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Meeting is a published meeting open for registration, with every
// member state invited (and the organisations of its spec).
type Meeting struct {
	ID     int64
	States []string // invited states, then organisations, in the order of the next field
	Tokens []string // their registration links' tokens
}

// Path is the meeting's API path, /api/v1/meetings/{id}.
func (m Meeting) Path() string { return fmt.Sprintf("/api/v1/meetings/%d", m.ID) }

// MeetingSpec is what OpenMeeting's plenary is made with.
type MeetingSpec struct {
	TitleEN, TitleFR string // TitleFR empty: TitleEN
	Seats, Funded    int    // seats per state, of which funded
	// RequiresApproval: registrations through links wait as pending. It is
	// set at creation, not patched afterwards, so that no change digest is
	// ever due during a test.
	RequiresApproval bool
	// Organisations are invited next to the states, with
	// SeatsPerOrganisation seats of which FundedPerOrganisation funded;
	// Quotas override the seats of single invitees (the API's quotas).
	Organisations                               []string
	SeatsPerOrganisation, FundedPerOrganisation int
	Quotas                                      map[string]any
}

// OpenMeeting creates a plenary for the member states, two months ahead,
// with seatsPerState seats of which fundedPerState funded, publishes it,
// invites every state and reads the registration links, all through the
// API as the secretariat.
func (c *Client) OpenMeeting(t testing.TB, title string, seatsPerState, fundedPerState int) Meeting {
	t.Helper()
	return c.Open(t, MeetingSpec{TitleEN: title, Seats: seatsPerState, Funded: fundedPerState})
}

// Open is OpenMeeting with every choice of spec.
func (c *Client) Open(t testing.TB, spec MeetingSpec) Meeting {
	t.Helper()
	if spec.TitleFR == "" {
		spec.TitleFR = spec.TitleEN
	}
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	var m struct {
		ID int64 `json:"id"`
	}
	body := map[string]any{
		"kind": "plenary", "title_en": spec.TitleEN, "title_fr": spec.TitleFR,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"audience": "members", "seats_per_state": spec.Seats, "funded_seats_per_state": spec.Funded,
		"requires_approval": spec.RequiresApproval,
	}
	if len(spec.Organisations) > 0 {
		body["invited_organisations"] = spec.Organisations
		body["seats_per_organisation"], body["funded_seats_per_organisation"] = spec.SeatsPerOrganisation, spec.FundedPerOrganisation
	}
	if spec.Quotas != nil {
		body["quotas"] = spec.Quotas
	}
	c.JSON(t, "POST", "/api/v1/meetings", body, http.StatusCreated, &m)
	om := Meeting{ID: m.ID}
	c.JSON(t, "POST", om.Path()+"/publish", nil, http.StatusOK, nil)
	c.JSON(t, "POST", om.Path()+"/invitations", nil, http.StatusOK, nil)
	var invs struct {
		Invitations []struct {
			State string `json:"invitee"` // a state's or an organisation's code
			URL   string `json:"registration_url"`
		} `json:"invitations"`
	}
	c.JSON(t, "GET", om.Path()+"/invitations", nil, http.StatusOK, &invs)
	for _, inv := range invs.Invitations {
		om.States = append(om.States, inv.State)
		om.Tokens = append(om.Tokens, inv.URL[strings.LastIndex(inv.URL, "/")+1:])
	}
	if len(om.States) < 40 {
		t.Fatalf("meeting %d invites %d states, want the ~45 member states", m.ID, len(om.States))
	}
	return om
}
