package privacy_test

import (
	"reflect"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
)

func TestRetentionAnonymisesOnlyOldMeetingsOnce(t *testing.T) {
	f := setup(t)
	before := f.statistics()
	// A ended 24 months and a day ago; B, 40 days after A, not yet 24 months.
	now := f.a.EndsAt.AddDate(0, 24, 1)
	var atA, atB, mailB int
	atA = f.count(`SELECT count(*) FROM registrations WHERE meeting_id = $1`, f.a.ID)
	atB = f.count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND first_name <> 'Anonymised'`, f.b.ID)
	mailB = f.count(`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND subject <> '[erased]'`, f.b.ID)
	if mailB == 0 {
		t.Fatal("no mail about B to check")
	}

	n, err := f.svc.ApplyRetention(f.ctx, auth.SystemActor("test"), 24, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != atA {
		t.Errorf("%d registrations anonymised, want the %d of A", n, atA)
	}
	if left := f.count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND (anonymised_at IS NULL OR first_name <> 'Anonymised'
		OR email NOT LIKE 'erased-%@invalid' OR dietary <> '' OR function <> '' OR list_consent)`, f.a.ID); left != 0 {
		t.Errorf("%d registrations of A keep personal data", left)
	}
	// Every email of A to its delegates (her cancellation notice too) and
	// about them (the notice to the focal point) is erased.
	if left := f.count(`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND (subject <> '[erased]' OR calendar IS NOT NULL)`, f.a.ID); left != 0 {
		t.Errorf("%d emails of A keep their content", left)
	}
	if n := f.count(`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND to_address = 'fp.fr@example.org'`, f.a.ID); n != 1 {
		t.Errorf("the notice to the focal point lost its recipient")
	}
	if n := f.count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND anonymised_at IS NULL AND first_name <> 'Anonymised'`, f.b.ID); n != atB {
		t.Errorf("B, not old enough, lost personal data: %d of %d registrations left", n, atB)
	}
	if n := f.count(`SELECT count(*) FROM outgoing_mail WHERE meeting_id = $1 AND subject <> '[erased]'`, f.b.ID); n != mailB {
		t.Errorf("B's emails were erased: %d of %d left", n, mailB)
	}
	report, err := f.svc.Export(f.ctx, auth.SystemActor("test"), ysoldeMail)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Registrations) != 1 || report.Registrations[0].MeetingID != f.b.ID {
		t.Errorf("after retention she is held at: %+v", report.Registrations)
	}
	if after := f.statistics(); !reflect.DeepEqual(after, before) {
		t.Errorf("statistics changed:\nbefore %v\nafter  %v", before, after)
	}

	if n, err := f.svc.ApplyRetention(f.ctx, auth.SystemActor("test"), 24, now); err != nil || n != 0 {
		t.Errorf("second run: %d, %v", n, err)
	}
	if _, err := f.svc.ApplyRetention(f.ctx, auth.SystemActor("test"), 0, now); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("zero months: %v", err)
	}
}
