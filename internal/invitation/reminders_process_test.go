package invitation_test

import (
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/proctest"
)

// Two `agora worker` processes started together on one database, as an
// operator runs them, send each due reminder once between them.
func TestTwoWorkerProcessesSendEachReminderOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the agora binary")
	}
	bin := proctest.BuildT(t)
	e := apptest.Start(t) // the meeting is set up through the API; mail waits as withheld
	m := reminderMeeting(t, e)
	env := proctest.Quiet(e.DSN)
	proctest.Start(t, bin, "worker-1", env, "worker")
	proctest.Start(t, bin, "worker-2", env, "worker")

	count := func(query string) int {
		t.Helper()
		var n int
		if err := e.App.DB.Get(&n, query, m.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(60 * time.Second); count(`SELECT count(*) FROM meeting_reminders WHERE meeting_id = $1`) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the workers sent no reminder within a minute")
		}
	}
	if n := count(`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND kind = 'deadline_reminder'`); n != 2 {
		t.Errorf("%d reminders to focal points, want 2", n)
	}
	if n := count(`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND kind = 'practical_reminder'`); n != 2 {
		t.Errorf("%d practical reminders, want 2", n)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE meeting_id = $1 AND action = 'meeting.reminder'`); n != 2 {
		t.Errorf("%d reminders in the audit trail, want 2", n)
	}
}
