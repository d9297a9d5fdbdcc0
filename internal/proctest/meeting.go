package proctest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Meeting is a published meeting open for registration, with every
// member state invited.
type Meeting struct {
	ID     int64
	States []string // invited states, in the order of the next field
	Tokens []string // their registration links' tokens
}

// Path is the meeting's API path, /api/v1/meetings/{id}.
func (m Meeting) Path() string { return fmt.Sprintf("/api/v1/meetings/%d", m.ID) }

// OpenMeeting creates a plenary for the member states, two months ahead,
// with seatsPerState seats of which fundedPerState funded, publishes it,
// invites every state and reads the registration links, all through the
// API as the secretariat.
func (c *Client) OpenMeeting(t testing.TB, title string, seatsPerState, fundedPerState int) Meeting {
	t.Helper()
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	var m struct {
		ID int64 `json:"id"`
	}
	c.JSON(t, "POST", "/api/v1/meetings", map[string]any{
		"kind": "plenary", "title_en": title, "title_fr": title,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"audience": "members", "seats_per_state": seatsPerState, "funded_seats_per_state": fundedPerState,
	}, http.StatusCreated, &m)
	om := Meeting{ID: m.ID}
	c.JSON(t, "POST", om.Path()+"/publish", nil, http.StatusOK, nil)
	c.JSON(t, "POST", om.Path()+"/invitations", nil, http.StatusOK, nil)
	var invs struct {
		Invitations []struct {
			State string `json:"state"`
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
