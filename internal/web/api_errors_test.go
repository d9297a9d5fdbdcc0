package web_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
)

// apiError decodes an error body of the JSON API.
func apiError(t *testing.T, b []byte) (code, message string, fields map[string]string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an error body: %v: %s", err, b)
	}
	return e.Error.Code, e.Error.Message, e.Error.Fields
}

// The JSON API answers in English with the texts it has always used,
// now rendered from the catalogs: its clients see no change.
func TestAPIErrorTextsInEnglish(t *testing.T) {
	e := apptest.Start(t)
	start := time.Now().Add(50 * 24 * time.Hour).Truncate(time.Hour)
	code, body := e.Do("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": "Expert group", "timezone": "Mars/Olympus",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(-time.Hour).Format(time.RFC3339),
		"seats_per_state": 1, "funded_seats_per_state": 2, "format": "online", "audience": "custom",
		"venue": "Strasbourg\nRoom 1",
	})
	if code != 422 {
		t.Fatalf("invalid meeting: %d %s", code, body)
	}
	c, msg, fields := apiError(t, body)
	want := map[string]string{
		"ends_at":                "must be after starts_at",
		"timezone":               "must be an IANA time zone such as Europe/Paris",
		"funded_seats_per_state": "must not exceed seats_per_state",
		"online_url":             "is required for online and hybrid meetings",
		"invited_states":         "name at least one state for a custom audience",
		"venue_en":               "must be a single line without control characters",
	}
	if c != "invalid" || msg != "some fields are not valid" {
		t.Errorf("invalid meeting: %q %q", c, msg)
	}
	for field, text := range want {
		if fields[field] != text {
			t.Errorf("%s: %q, want %q", field, fields[field], text)
		}
	}

	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "expert_group", "title_en": "Expert group", "title_fr": "Groupe d'experts",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339), "venue": "Strasbourg",
	}, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/cancel", "secretariat", map[string]any{"reason": "No quorum"}, 200, nil)
	tests := []struct {
		method, path, as string
		body             any
		status           int
		code, message    string
	}{
		{"POST", path + "/cancel", "secretariat", map[string]any{"reason": "Again"}, 409, "conflict", "a cancelled meeting cannot be cancelled"},
		{"POST", path + "/publish", "secretariat", nil, 409, "conflict", "only a draft can be published; this meeting is cancelled"},
		{"POST", "/api/v1/meetings", "fp_FR", map[string]any{}, 403, "forbidden", "only the secretariat changes meetings"},
		{"GET", "/api/v1/meetings/999999", "secretariat", nil, 404, "not_found", "no such meeting"},
		{"POST", "/api/v1/meetings", "secretariat", "{", 400, "malformed", "the body is not valid JSON"},
		{"POST", "/api/v1/meetings", "secretariat", `{"nonsense": 1}`, 400, "malformed", `unknown field "nonsense"`},
	}
	for _, tt := range tests {
		status, b := e.Do(tt.method, tt.path, tt.as, tt.body)
		c, msg, _ := apiError(t, b)
		if status != tt.status || c != tt.code || msg != tt.message {
			t.Errorf("%s %s as %q: %d %q %q, want %d %q %q", tt.method, tt.path, tt.as, status, c, msg, tt.status, tt.code, tt.message)
		}
	}
}
