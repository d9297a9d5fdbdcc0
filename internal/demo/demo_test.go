package demo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/app"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/config"
	"github.com/coe-agora/agora/internal/demo"
	"github.com/coe-agora/agora/internal/document"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/statistics"
	"github.com/coe-agora/agora/internal/testdb"
)

// openApp opens Agora on a fresh database that has the roster and nothing else.
func openApp(t *testing.T) (*app.App, string) {
	t.Helper()
	_, dsn := testdb.New(t)
	cfg, err := config.Load(config.Sources{File: "/dev/null", LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = dsn
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	return a, dsn
}

func TestSeedMakesALivingInstance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _ := openApp(t)
	rep, err := demo.Seed(ctx, a)
	if err != nil {
		t.Fatal(err)
	}

	admin, err := a.Auth.UserByEmail(ctx, demo.AdminEmail)
	if err != nil || admin.Role != auth.RoleAdmin || !auth.CheckPassword(admin, rep.Password) {
		t.Fatalf("the demo admin cannot sign in with the printed password: %+v, %v", admin, err)
	}
	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), rep.Password) != 1 || !strings.Contains(out.String(), demo.AdminEmail) ||
		!strings.Contains(strings.ToLower(out.String()), "demo account") {
		t.Errorf("the report must name the demo admin and show the password once:\n%s", out.String())
	}
	as := auth.Actor{User: &admin}

	// Meetings at every stage, each with a bilingual agenda that has sub-items.
	ms, _, err := a.Meetings.Meetings(ctx, as, meeting.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[string]meeting.Meeting{}
	for _, m := range ms {
		byStatus[m.Status] = m
		if m.TitleEN == "" || m.TitleFR == "" || m.DescriptionEN == "" || m.DescriptionFR == "" {
			t.Errorf("meeting %q is not bilingual", m.TitleEN)
		}
		items, err := a.Meetings.Agenda(ctx, as, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		subs, timed := 0, 0
		for _, it := range items {
			if it.TitleEN == "" || it.TitleFR == "" {
				t.Errorf("agenda item %s of %q is not bilingual", it.Number, m.TitleEN)
			}
			if it.ParentID != nil {
				subs++
			}
			if it.StartsAt != nil {
				timed++
			}
		}
		if len(items) < 4 || subs == 0 || timed == 0 {
			t.Errorf("agenda of %q: %d items, %d sub-items, %d timed", m.TitleEN, len(items), subs, timed)
		}
	}
	for _, st := range []string{meeting.StatusDraft, meeting.StatusRegistrationOpen, meeting.StatusHeld} {
		if _, ok := byStatus[st]; !ok {
			t.Errorf("no %s meeting among %d", st, len(ms))
		}
	}

	// Registrations across many states, in every status, within quotas.
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := a.DB.GetContext(ctx, &n, query, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var plenary, webinar meeting.Meeting
	for _, m := range ms {
		if m.Status == meeting.StatusRegistrationOpen && m.RequiresApproval {
			webinar = m
		} else if m.Status == meeting.StatusRegistrationOpen {
			plenary = m
		}
	}
	if n := count(`SELECT count(DISTINCT state_code) FROM registrations WHERE meeting_id = $1`, plenary.ID); n < 15 {
		t.Errorf("%d states registered for %q, want at least 15", n, plenary.TitleEN)
	}
	// The plenary is hybrid: a room of 70 and people following online.
	if n := count(`SELECT count(*) FROM meetings WHERE id = $1 AND format = 'hybrid' AND in_person_capacity = 70
		AND reminder_focal_points_days > 0 AND reminder_participants_days > 0`, plenary.ID); n != 1 {
		t.Errorf("the plenary is not a hybrid meeting with a room and reminders")
	}
	if n := count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND status = 'confirmed' AND attendance = 'online'`, plenary.ID); n == 0 {
		t.Errorf("nobody follows the hybrid plenary online")
	}
	if n := count(`SELECT count(DISTINCT gender) FROM registrations WHERE meeting_id = $1`, plenary.ID); n < 4 {
		t.Errorf("%d kinds of answers to the gender question, want woman, man, undisclosed and none", n)
	}
	if n := count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND status = 'waitlisted'`, plenary.ID); n == 0 {
		t.Errorf("nobody on the waiting list of %q", plenary.TitleEN)
	}
	if n := count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND status = 'pending'`, webinar.ID); n == 0 {
		t.Errorf("no registration awaiting approval for %q", webinar.TitleEN)
	}
	for _, st := range []string{"confirmed", "waitlisted", "pending", "cancelled", "declined"} {
		if n := count(`SELECT count(*) FROM registrations WHERE status = $1`, st); n == 0 {
			t.Errorf("no %s registration", st)
		}
	}
	if n := count(`
		SELECT count(*) FROM (
			SELECT r.meeting_id, r.invitee FROM registrations r JOIN meetings m ON m.id = r.meeting_id
			WHERE r.status = 'confirmed'
			GROUP BY r.meeting_id, r.invitee, r.organisation_code IS NULL, m.id
			HAVING count(*) > coalesce((m.quotas -> r.invitee ->> 'seats')::int,
			                           CASE WHEN r.organisation_code IS NULL THEN m.seats_per_state ELSE m.seats_per_organisation END)
			    OR count(*) FILTER (WHERE r.funded) > coalesce((m.quotas -> r.invitee ->> 'funded_seats')::int,
			                           CASE WHEN r.organisation_code IS NULL THEN m.funded_seats_per_state ELSE m.funded_seats_per_organisation END)) over`); n != 0 {
		t.Errorf("%d (meeting, invitee) pairs over their quota", n)
	}
	// Organisations take part in the plenary: EUDA's two seats of its
	// own are taken, WHO's one seat too, with a second person waiting.
	for _, c := range []struct {
		code, status string
		want         int
	}{{"EUDA", "confirmed", 2}, {"WHO", "confirmed", 1}, {"WHO", "waitlisted", 1}, {"UNODC", "confirmed", 1}} {
		if n := count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND organisation_code = $2 AND status = $3`,
			plenary.ID, c.code, c.status); n != c.want {
			t.Errorf("plenary: %d %s for %s, want %d", n, c.status, c.code, c.want)
		}
	}
	if n := count(`SELECT count(*) FROM invitations WHERE meeting_id = $1 AND organisation_code IS NOT NULL`, plenary.ID); n != 4 {
		t.Errorf("plenary: %d organisations invited, want 4", n)
	}
	if n := count(`SELECT count(*) FROM users WHERE role = 'focal_point' AND organisation_code = 'EUDA'`); n != 1 {
		t.Errorf("%d focal-point accounts for EUDA, want 1", n)
	}
	if n := count(`SELECT count(*) FROM registrations WHERE funded AND status = 'confirmed'`); n == 0 {
		t.Error("nobody is funded")
	}
	held := byStatus[meeting.StatusHeld]
	checkedIn := count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND checked_in_at IS NOT NULL`, held.ID)
	absent := count(`SELECT count(*) FROM registrations WHERE meeting_id = $1 AND status = 'confirmed' AND checked_in_at IS NULL`, held.ID)
	if checkedIn < 10 || absent == 0 {
		t.Errorf("held meeting: %d checked in, %d confirmed but absent", checkedIn, absent)
	}

	// Focal points in the languages of their states, most member states covered.
	if n := count(`SELECT count(DISTINCT f.state_code) FROM focal_points f JOIN states s ON s.code = f.state_code WHERE s.status = 'member'`); n < 40 {
		t.Errorf("focal points for %d member states, want most of them", n)
	}
	if n := count(`SELECT count(*) FROM focal_points WHERE (state_code IN ('FR','BE','LU','CH','MC','MA','TN','DZ','LB')) <> (language = 'fr')`); n != 0 {
		t.Errorf("%d focal points in the wrong language", n)
	}

	// The mail log has what all this sent: invitations, confirmations …
	mails, _, err := a.Outbox.List(ctx, mail.Filter{Limit: mail.MaxListLimit})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range mails {
		kinds[m.Kind]++
		if m.Status != mail.StatusWithheld {
			t.Errorf("with no SMTP server, mail %d is %s", m.ID, m.Status)
		}
	}
	for _, k := range []string{"invitation", "reminder", "self_registration", "registration_confirmed",
		"registration_waitlisted", "registration_pending", "registration_promoted", "registration_declined"} {
		if kinds[k] == 0 {
			t.Errorf("no %s email in the mail log (%v)", k, kinds)
		}
	}

	// Every meeting has documents at each access level; the public draft
	// agenda is a PDF in both languages, readable by anyone who sees the meeting.
	for _, m := range rep.Meetings {
		ds, _, err := a.Documents.Documents(ctx, document.Reader{Actor: as}, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 3 || ds[0].Access != document.Public || len(ds[0].Files) != 2 || ds[0].Files[0].ContentType != "application/pdf" {
			t.Errorf("%s: documents %+v", m.TitleEN, ds)
		}
	}
	if !strings.Contains(out.String(), "documents (") {
		t.Errorf("the report does not count the documents:\n%s", out.String())
	}

	// Two years of history for the statistics: over the last year,
	// meetings held, people who came back from the year before, a gender
	// balance shown, people checked in.
	stats, err := a.Statistics.Participation(ctx, as, statistics.Filter{
		From: time.Now().AddDate(-1, 0, 0), To: time.Now(), Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Meetings < 5 || stats.People.New == 0 || stats.People.Returning == 0 || stats.Totals.Attended == 0 ||
		stats.Gender.Woman == nil || stats.Gender.Man == nil {
		t.Errorf("the statistics of the last two years show little: %d meetings, people %+v, totals %+v", stats.Meetings, stats.People, stats.Totals)
	}

	// Seeding again is refused, and changes nothing.
	before := count(`SELECT count(*) FROM registrations`)
	if _, err := demo.Seed(ctx, a); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("second seed: %v, want ErrNotEmpty", err)
	}
	if after := count(`SELECT count(*) FROM registrations`); after != before {
		t.Errorf("the refused seed changed registrations: %d → %d", before, after)
	}
}

// The command line: `agora seed --demo --if-empty` as `make run` uses it.
func TestSeedCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the agora binary")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "agora")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/coe-agora/agora/cmd/agora").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	_, dsn := testdb.New(t)
	run := func(args ...string) (code int, stdout, stderr string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "DATABASE_URL=" + dsn, "AGORA_LOG_LEVEL=warn"}
		cmd.Dir = dir
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, o.String(), e.String()
	}

	code, out, errOut := run("seed", "--demo", "--if-empty")
	if code != 0 || !strings.Contains(out, demo.AdminEmail) || !strings.Contains(out, "password: ") {
		t.Fatalf("first seed: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run("seed", "--demo", "--if-empty")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "skipped") {
		t.Errorf("--if-empty on a seeded database: exit %d, want 0 and one line\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run("seed", "--demo")
	if code == 0 || !strings.Contains(errOut, "already has meetings") || strings.Contains(out, "password") {
		t.Errorf("--demo on a seeded database: exit %d, want a refusal\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut = run("seed", "--if-empty"); code != 2 {
		t.Errorf("--if-empty without --demo: exit %d, want 2 (usage)\n%s", code, errOut)
	}
}
