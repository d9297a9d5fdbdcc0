package outage

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testmail"
)

// focalPointsPerState is how many focal points each member state gets, so
// an invitation run to ~45 states writes about twice as many emails.
const focalPointsPerState = 2

// invitationRun is a published meeting whose member states all have
// focal points, not yet invited.
type invitationRun struct {
	meetingID int64
	focal     map[string]bool // every focal point's address
}

// prepareInvitations creates a meeting for the member states and
// focal points for each of them, and publishes it, as the secretariat.
func prepareInvitations(t *testing.T, api *proctest.Client, title string) invitationRun {
	t.Helper()
	var states struct {
		States []struct {
			Code   string `json:"code"`
			Status string `json:"status"`
		} `json:"states"`
	}
	api.JSON(t, "GET", "/api/v1/states", nil, http.StatusOK, &states)
	run := invitationRun{focal: map[string]bool{}}
	for _, st := range states.States {
		if st.Status != "member" {
			continue
		}
		for i := 1; i <= focalPointsPerState; i++ {
			email := fmt.Sprintf("focal.%d.%s@example.org", i, strings.ToLower(st.Code))
			api.JSON(t, "POST", "/api/v1/states/"+st.Code+"/focal-points",
				map[string]any{"name": fmt.Sprintf("Focal point %d of %s", i, st.Code), "email": email, "language": []string{"en", "fr"}[i%2]},
				http.StatusCreated, nil)
			run.focal[email] = true
		}
	}
	if len(run.focal) < 80 {
		t.Fatalf("%d focal points, want two for each of the ~45 member states", len(run.focal))
	}
	start := time.Now().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	var m struct {
		ID int64 `json:"id"`
	}
	api.JSON(t, "POST", "/api/v1/meetings", map[string]any{
		"kind": "plenary", "title_en": title, "title_fr": title,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"audience": "members", "seats_per_state": 2, "funded_seats_per_state": 1,
	}, http.StatusCreated, &m)
	run.meetingID = m.ID
	api.JSON(t, "POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), nil, http.StatusOK, nil)
	return run
}

// invite starts the run and returns how many emails it queued: one per
// focal point.
func (r invitationRun) invite(t *testing.T, api *proctest.Client) int {
	t.Helper()
	var res struct {
		Invited int `json:"invited"`
		Queued  int `json:"emails_queued"`
	}
	api.JSON(t, "POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", r.meetingID), nil, http.StatusOK, &res)
	if res.Queued != len(r.focal) {
		t.Fatalf("invitation run to %d states queued %d emails, want one per focal point: %d", res.Invited, res.Queued, len(r.focal))
	}
	return res.Queued
}

// mailRow is an outbox row of the run.
type mailRow struct {
	ID        int64  `db:"id"`
	To        string `db:"to_address"`
	Status    string `db:"status"`
	Attempts  int    `db:"attempts"`
	MessageID string `db:"message_id"`
	LastError string `db:"last_error"`
}

// rows reads the run's invitations in the outbox.
func (r invitationRun) rows(t *testing.T, db *sqlx.DB) []mailRow {
	t.Helper()
	var rows []mailRow
	err := db.Select(&rows, `
		SELECT id, to_address, status, attempts, message_id, last_error FROM outgoing_mail
		WHERE meeting_id = $1 AND kind = 'invitation' ORDER BY id`, r.meetingID)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	return rows
}

// waitAllSent waits until no row of the run is waiting any more, and
// fails t, with the statuses, if that takes longer than timeout or a row
// was given up.
func (r invitationRun) waitAllSent(t *testing.T, db *sqlx.DB, timeout time.Duration) []mailRow {
	t.Helper()
	var rows []mailRow
	eventually(t, timeout, 500*time.Millisecond, "every invitation sent", func() (bool, string) {
		rows = r.rows(t, db)
		by := map[string]int{}
		for _, row := range rows {
			by[row.Status]++
		}
		return by["sent"] == len(rows) || by["failed"] > 0, fmt.Sprintf("statuses %v", by)
	})
	for _, row := range rows {
		if row.Status != "sent" {
			t.Fatalf("invitation %d to %s is %s after %d attempts: %s", row.ID, row.To, row.Status, row.Attempts, row.LastError)
		}
	}
	return rows
}

// checkDeliveredOnce compares Mailpit with the outbox: one message per
// row, with the row's Message-ID, to the row's recipient; one message per
// focal point; no Message-ID twice.
func (r invitationRun) checkDeliveredOnce(t *testing.T, mp *testmail.Server, rows []mailRow) {
	t.Helper()
	msgs, err := mp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(rows) {
		t.Errorf("Mailpit holds %d messages for %d invitations in the outbox", len(msgs), len(rows))
	}
	byID := map[string]int{}
	toOf := map[string]string{} // Message-ID → recipients
	byTo := map[string]int{}
	for _, m := range msgs {
		byID[m.MessageID]++
		var to []string
		for _, a := range m.To {
			byTo[strings.ToLower(a.Address)]++
			to = append(to, strings.ToLower(a.Address))
		}
		toOf[m.MessageID] = strings.Join(to, ",")
	}
	for id, n := range byID {
		if n > 1 {
			t.Errorf("Message-ID %s delivered %d times", id, n)
		}
	}
	for _, row := range rows {
		if byID[row.MessageID] != 1 {
			t.Errorf("invitation %d to %s (Message-ID %s) delivered %d times", row.ID, row.To, row.MessageID, byID[row.MessageID])
		} else if toOf[row.MessageID] != strings.ToLower(row.To) {
			t.Errorf("invitation %d for %s was delivered to %s", row.ID, row.To, toOf[row.MessageID])
		}
	}
	for email := range r.focal {
		if byTo[email] != 1 {
			t.Errorf("focal point %s received %d invitations, want 1", email, byTo[email])
		}
	}
}
