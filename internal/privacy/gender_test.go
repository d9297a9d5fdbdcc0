package privacy_test

import (
	"testing"

	"github.com/coe-agora/agora/internal/auth"
)

// The self-declared gender is the person's: it is in their export, with
// how they attend, and goes at erasure (with the meeting and the state it
// could single out someone of a small delegation), while attendance
// stays for the statistics.
func TestGenderIsExportedAndErased(t *testing.T) {
	f := setup(t)
	if _, err := f.db.ExecContext(f.ctx, `UPDATE registrations SET gender = 'woman' WHERE id = $1`, f.regA.ID); err != nil {
		t.Fatal(err)
	}
	report, err := f.svc.Export(f.ctx, auth.SystemActor("test"), ysoldeMail)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range report.Registrations {
		if r.ID == f.regA.ID {
			found = r.Gender == "woman" && r.Attendance == "in_person"
		}
	}
	if !found {
		t.Errorf("the export lacks the gender and attendance of registration %d: %+v", f.regA.ID, report.Registrations)
	}
	if _, err := f.svc.Erase(f.ctx, auth.SystemActor("test"), ysoldeMail); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM registrations WHERE id = $1 AND gender = '' AND attendance = 'in_person'`, f.regA.ID); n != 1 {
		t.Errorf("after erasure the registration keeps its gender (or lost its attendance)")
	}
}
