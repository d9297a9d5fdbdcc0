package registration_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

type fixture struct {
	e     *apptest.Env
	m     meeting.Meeting
	links map[string]string // state → invitation token
}

// setup publishes a meeting open for registration (FR, DE, MA invited;
// 2 seats and 1 funded seat per state) and invites the states.
func setup(t *testing.T, edit func(map[string]any), opts ...apptest.Options) fixture {
	t.Helper()
	e := apptest.Start(t, opts...)
	start := time.Now().Add(40 * 24 * time.Hour).Truncate(time.Hour)
	body := map[string]any{
		"kind": "plenary", "title_en": "Plenary", "title_fr": "Plénière",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(24 * time.Hour).Format(time.RFC3339),
		"registration_closes_at": start.Add(-24 * time.Hour).Format(time.RFC3339),
		"audience":               "custom", "invited_states": []string{"FR", "DE", "MA"},
		"seats_per_state": 2, "funded_seats_per_state": 1,
	}
	if edit != nil {
		edit(body)
	}
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", body, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, nil)
	var invs struct {
		Invitations []invitation.Invitation `json:"invitations"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/invitations", m.ID), "secretariat", nil, 200, &invs)
	links := map[string]string{}
	for _, inv := range invs.Invitations {
		links[inv.State] = inv.RegistrationURL[strings.LastIndex(inv.RegistrationURL, "/")+1:]
	}
	return fixture{e: e, m: m, links: links}
}

func person(i int) map[string]any {
	return map[string]any{
		"first_name": "Person", "last_name": fmt.Sprintf("Number %03d", i), "email": fmt.Sprintf("p%03d@example.org", i),
		"delegation_role": "delegate", "language": "en",
	}
}

func (f fixture) path(suffix string) string {
	return fmt.Sprintf("/api/v1/meetings/%d%s", f.m.ID, suffix)
}

func (f fixture) count(t *testing.T, where string, args ...any) int {
	t.Helper()
	var n int
	if err := f.e.App.DB.Get(&n, `SELECT count(*) FROM registrations WHERE meeting_id = $1 AND `+where, append([]any{f.m.ID}, args...)...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRegistrationValidation(t *testing.T) {
	f := setup(t, nil)
	long := strings.Repeat("x", 501)
	tests := []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"no first name", func(b map[string]any) { b["first_name"] = "  " }, "first_name"},
		{"name without letters", func(b map[string]any) { b["last_name"] = "12345" }, "last_name"},
		{"name over 100 characters", func(b map[string]any) { b["last_name"] = strings.Repeat("é", 101) }, "last_name"},
		{"name on two lines", func(b map[string]any) { b["first_name"] = "Ann\nBcc: x@example.org" }, "first_name"},
		{"bad email", func(b map[string]any) { b["email"] = "not-an-address" }, "email"},
		{"unknown role", func(b map[string]any) { b["delegation_role"] = "king" }, "delegation_role"},
		{"unknown language", func(b map[string]any) { b["language"] = "de" }, "language"},
		{"dietary too long", func(b map[string]any) { b["dietary"] = long }, "dietary"},
		{"function too long", func(b map[string]any) { b["function"] = long }, "function"},
		{"link for another state", func(b map[string]any) { b["state"] = "DE" }, "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := person(1)
			b["invitation_token"] = f.links["FR"]
			tt.edit(b)
			code, body := f.e.Do("POST", f.path("/registrations"), "", b)
			if code != 422 || apptest.ErrorFields(body)[tt.field] == "" {
				t.Fatalf("got %d %s", code, body)
			}
		})
	}
	// Names in any script are welcome.
	for i, name := range []string{"Ελένη", "Олександр", "Nuñez-O'Brien", "N'Diaye", "محمد"} {
		b := person(100 + i)
		b["first_name"], b["invitation_token"] = name, f.links["MA"]
		if i >= 2 {
			b["invitation_token"] = f.links["DE"]
		}
		if code, body := f.e.Do("POST", f.path("/registrations"), "", b); code != 201 {
			t.Errorf("name %q: %d %s", name, code, body)
		}
	}
	if n := f.count(t, "first_name = 'Person'"); n != 0 {
		t.Errorf("rejected registrations were written: %d", n)
	}
}

func TestRegistrationRefusals(t *testing.T) {
	f := setup(t, nil)
	b := person(1)
	b["invitation_token"] = f.links["FR"]
	var res registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", b, 201, &res)
	if res.Status != "confirmed" || !strings.Contains(res.ManageURL, "/registrations/manage/reg_") {
		t.Fatalf("first registration: %+v", res)
	}

	dup := person(1)
	dup["email"] = "P001@Example.ORG"
	dup["invitation_token"] = f.links["DE"]
	if code, body := f.e.Do("POST", f.path("/registrations"), "", dup); code != 409 || !strings.Contains(string(body), "already registered") {
		t.Errorf("same email in other case: %d %s", code, body)
	}
	if code, _ := f.e.Do("POST", f.path("/registrations"), "", person(2)); code != 401 {
		t.Errorf("no link, not signed in: %d", code)
	}
	forged := person(3)
	forged["invitation_token"] = "inv_" + strings.Repeat("A", 43)
	if code, _ := f.e.Do("POST", f.path("/registrations"), "", forged); code != 404 {
		t.Errorf("forged link: %d", code)
	}
	// A revoked link stops working at once.
	f.e.JSON("POST", f.path("/invitations/MA/revoke"), "secretariat", nil, 204, nil)
	revoked := person(4)
	revoked["invitation_token"] = f.links["MA"]
	if code, _ := f.e.Do("POST", f.path("/registrations"), "", revoked); code != 404 {
		t.Errorf("revoked link: %d", code)
	}
	// The link of one meeting does not open another.
	other := setup(t, nil)
	wrong := person(5)
	wrong["invitation_token"] = other.links["FR"]
	if code, _ := f.e.Do("POST", f.path("/registrations"), "", wrong); code != 404 {
		t.Errorf("link of another meeting: %d", code)
	}
	if n := f.count(t, "true"); n != 1 {
		t.Errorf("refused registrations were written: %d rows", n)
	}

	// Registration closed: the link has expired.
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	if _, err := f.e.App.DB.ExecContext(ctx, `UPDATE meetings SET registration_closes_at = $2 WHERE id = $1`, f.m.ID, past); err != nil {
		t.Fatal(err)
	}
	late := person(6)
	late["invitation_token"] = f.links["FR"]
	if code, _ := f.e.Do("POST", f.path("/registrations"), "", late); code != 404 {
		t.Errorf("expired link: %d", code)
	}
	delete(late, "invitation_token")
	late["state"] = "FR"
	if code, body := f.e.Do("POST", f.path("/registrations"), "fp_FR", late); code != 409 || !strings.Contains(string(body), "closed") {
		t.Errorf("focal point after closing: %d %s", code, body)
	}
	// Cancelled meeting: nobody registers.
	if _, err := f.e.App.DB.ExecContext(ctx, `UPDATE meetings SET registration_closes_at = NULL WHERE id = $1`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	f.e.JSON("POST", f.path("/cancel"), "secretariat", map[string]string{"reason": "No quorum"}, 200, nil)
	if code, body := f.e.Do("POST", f.path("/registrations"), "secretariat", late); code != 409 || !strings.Contains(string(body), "cancelled") {
		t.Errorf("cancelled meeting: %d %s", code, body)
	}
	if n := f.count(t, "true"); n != 1 {
		t.Errorf("refused registrations were written: %d rows", n)
	}
}

// Many people registering for one state at the same moment: never more
// confirmed than seats, never more funded than funded seats, everyone else
// on the waiting list in the order they came.
func TestQuotasUnderConcurrency(t *testing.T) {
	f := setup(t, nil)
	second := apptest.Start(t, apptest.Options{Join: f.e}) // another agora process on the same database
	const people = 60
	var wg sync.WaitGroup
	codes := make([]int, people)
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := person(i)
			b["invitation_token"] = f.links["FR"]
			b["funding_requested"] = true
			env := f.e
			if i%2 == 1 {
				env = second
			}
			// A client retries a 503 ("busy, try again"), as its Retry-After asks.
			for try := 0; try < 5; try++ {
				if codes[i], _ = env.Do("POST", f.path("/registrations"), "", b); codes[i] != http.StatusServiceUnavailable {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusCreated {
			t.Fatalf("registration %d: status %d", i, c)
		}
	}
	if n := f.count(t, "status = 'confirmed' AND state_code = 'FR'"); n != 2 {
		t.Errorf("%d confirmed for 2 seats", n)
	}
	if n := f.count(t, "funded"); n != 1 {
		t.Errorf("%d funded for 1 funded seat", n)
	}
	if n := f.count(t, "status = 'waitlisted'"); n != people-2 {
		t.Errorf("%d waitlisted, want %d", n, people-2)
	}
	if n := f.count(t, "status = 'confirmed' AND NOT funded AND funding_requested"); n != 1 {
		t.Errorf("the second confirmed person should be confirmed without funding (%d)", n)
	}

	// Cancelling a confirmed seat promotes the earliest waiting person.
	var first struct {
		ID    int64  `db:"id"`
		Email string `db:"email"`
	}
	if err := f.e.App.DB.Get(&first, `SELECT id, email FROM registrations WHERE meeting_id = $1 AND status = 'waitlisted' ORDER BY waitlisted_at, id LIMIT 1`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	var confirmedID int64
	if err := f.e.App.DB.Get(&confirmedID, `SELECT id FROM registrations WHERE meeting_id = $1 AND status = 'confirmed' AND funded`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", confirmedID), "fp_FR", nil, 200, nil)
	var promoted registration.Registration
	f.e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", first.ID), "secretariat", nil, 200, &promoted)
	if promoted.Status != "confirmed" || !promoted.Funded {
		t.Errorf("earliest waiting person after a funded seat was freed: %s funded=%v", promoted.Status, promoted.Funded)
	}
	if n := f.count(t, "status = 'confirmed'"); n != 2 {
		t.Errorf("%d confirmed after cancel and promotion", n)
	}
	var mails int
	if err := f.e.App.DB.Get(&mails, `SELECT count(*) FROM outgoing_mail WHERE registration_id = $1 AND kind = 'registration_promoted'`, first.ID); err != nil || mails != 1 {
		t.Errorf("promotion emails: %d (%v)", mails, err)
	}
}

func TestWaitingListKeepsArrivalOrder(t *testing.T) {
	f := setup(t, func(b map[string]any) { b["seats_per_state"], b["funded_seats_per_state"] = 1, 0 })
	var ids []int64
	for i := range 5 {
		b := person(i)
		b["invitation_token"] = f.links["DE"]
		var res registration.Result
		f.e.JSON("POST", f.path("/registrations"), "", b, 201, &res)
		ids = append(ids, res.ID)
	}
	// Cancel the seat holder, then each new holder: seats go 1, 2, 3, 4 in order.
	for i := range 4 {
		f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", ids[i]), "secretariat", nil, 200, nil)
		var next registration.Registration
		f.e.JSON("GET", fmt.Sprintf("/api/v1/registrations/%d", ids[i+1]), "secretariat", nil, 200, &next)
		if next.Status != "confirmed" {
			t.Fatalf("after cancelling %d, %d is %s", i, i+1, next.Status)
		}
		if n := f.count(t, "status = 'confirmed'"); n != 1 {
			t.Fatalf("%d confirmed with one seat", n)
		}
	}
}

func TestApprovalAndAuthorization(t *testing.T) {
	f := setup(t, func(b map[string]any) { b["requires_approval"] = true })
	b := person(1)
	b["invitation_token"] = f.links["FR"]
	var res registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", b, 201, &res)
	if res.Status != "pending" {
		t.Fatalf("self-registration on a meeting needing approval: %s", res.Status)
	}
	reg := fmt.Sprintf("/api/v1/registrations/%d", res.ID)
	// Who may act on a French registration.
	matrix := []struct {
		as     string
		action string
		want   int
	}{
		{"", "/approve", 401},
		{"fp_DE", "/approve", 404}, // another state's registration: as if it did not exist
		{"fp_DE", "", 404},
		{"fp_DE", "/decline", 404},
		{"fp_DE", "/cancel", 404},
		{"fp_FR", "/check-in", 403},
		{"fp_FR", "", 200},
		{"fp_FR", "/approve", 200},
		{"secretariat", "/check-in", 200},
		{"admin", "", 200},
	}
	for _, m := range matrix {
		method := "POST"
		if m.action == "" {
			method = "GET"
		}
		if code, body := f.e.Do(method, reg+m.action, m.as, nil); code != m.want {
			t.Errorf("%s %s as %q: %d, want %d (%s)", method, m.action, m.as, code, m.want, body)
		}
	}
	var lists struct {
		Registrations []registration.Row `json:"registrations"`
	}
	f.e.JSON("GET", f.path("/registrations"), "fp_FR", nil, 200, &lists)
	if len(lists.Registrations) != 1 {
		t.Errorf("FR focal point sees %d registrations", len(lists.Registrations))
	}
	if code, _ := f.e.Do("GET", f.path("/registrations?state=FR"), "fp_DE", nil); code != 403 {
		t.Errorf("DE focal point listing FR: %d", code)
	}
	f.e.JSON("GET", f.path("/registrations"), "fp_DE", nil, 200, &lists)
	if len(lists.Registrations) != 0 {
		t.Errorf("DE focal point sees FR's registrations")
	}
	// Focal points register their own state only; the secretariat any invited state.
	de := person(2)
	de["state"] = "FR"
	if code, _ := f.e.Do("POST", f.path("/registrations"), "fp_DE", de); code != 403 {
		t.Errorf("DE focal point registering for FR: %d", code)
	}
	de["state"] = "DE"
	var byFP registration.Result
	f.e.JSON("POST", f.path("/registrations"), "fp_DE", de, 201, &byFP)
	if byFP.Status != "confirmed" {
		t.Errorf("a focal point's own nomination needs no approval: %s", byFP.Status)
	}
	notInvited := person(3)
	notInvited["state"] = "IT"
	if code, body := f.e.Do("POST", f.path("/registrations"), "secretariat", notInvited); code != 422 || apptest.ErrorFields(body)["state"] == "" {
		t.Errorf("state not invited: %d %s", code, body)
	}
	// Decline with a reason.
	c := person(4)
	c["invitation_token"] = f.links["FR"]
	f.e.JSON("POST", f.path("/registrations"), "", c, 201, &res)
	var declined registration.Registration
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/decline", res.ID), "fp_FR", map[string]string{"reason": "Not part of the delegation"}, 200, &declined)
	if declined.Status != "declined" || declined.DeclineReason == "" {
		t.Errorf("declined: %+v", declined)
	}
	if code, _ := f.e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", res.ID), "fp_FR", nil); code != 409 {
		t.Errorf("approving a declined registration: %d", code)
	}
}

func TestSelfServiceAndReplacement(t *testing.T) {
	f := setup(t, nil)
	b := person(1)
	b["invitation_token"], b["language"] = f.links["FR"], "fr"
	var res registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", b, 201, &res)
	token := res.ManageURL[strings.LastIndex(res.ManageURL, "/")+1:]
	var own registration.Registration
	f.e.JSON("GET", "/api/v1/manage/"+token, "", nil, 200, &own)
	if own.ID != res.ID {
		t.Fatalf("manage link opens %d", own.ID)
	}
	if code, _ := f.e.Do("GET", "/api/v1/manage/"+token[:len(token)-2]+"xx", "", nil); code != 404 {
		t.Errorf("tampered manage link: %d", code)
	}
	f.e.JSON("PATCH", "/api/v1/manage/"+token, "", map[string]any{"function": "Chef de bureau", "list_consent": true}, 200, &own)
	if own.Function != "Chef de bureau" || !own.ListConsent || own.ConsentAt == nil {
		t.Errorf("edited: %+v", own)
	}
	if code, body := f.e.Do("PATCH", "/api/v1/manage/"+token, "", map[string]any{"email": "bad"}); code != 422 || apptest.ErrorFields(body)["email"] == "" {
		t.Errorf("bad edit: %d %s", code, body)
	}
	var ps struct {
		Participants []registration.Participant `json:"participants"`
	}
	f.e.JSON("GET", f.path("/participants"), "fp_DE", nil, 200, &ps)
	if len(ps.Participants) != 1 || ps.Participants[0].Function != "Chef de bureau" {
		t.Errorf("public list: %+v", ps)
	}

	// The focal point passes the seat to someone else.
	var repl registration.Result
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/replace", res.ID), "fp_FR", person(2), 201, &repl)
	if repl.Status != "confirmed" || repl.ReplacesID == nil || *repl.ReplacesID != res.ID {
		t.Errorf("replacement: %+v", repl)
	}
	f.e.JSON("GET", "/api/v1/manage/"+token, "", nil, 200, &own)
	if own.Status != "cancelled" {
		t.Errorf("replaced person is %s", own.Status)
	}
	if code, _ := f.e.Do("POST", "/api/v1/manage/"+token+"/cancel", "", nil); code != 409 {
		t.Errorf("cancelling twice: %d", code)
	}
	replToken := repl.ManageURL[strings.LastIndex(repl.ManageURL, "/")+1:]
	f.e.JSON("POST", "/api/v1/manage/"+replToken+"/cancel", "", nil, 200, &own)
	if own.Status != "cancelled" {
		t.Errorf("self-cancel: %s", own.Status)
	}
	var kinds []string
	if err := f.e.App.DB.Select(&kinds, `SELECT kind FROM outgoing_mail WHERE meeting_id = $1 AND registration_id IS NOT NULL ORDER BY id`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	want := "registration_confirmed registration_replaced registration_confirmed registration_cancelled"
	if strings.Join(kinds, " ") != want {
		t.Errorf("emails: %v", kinds)
	}
	var attendance struct {
		States []registration.StateCount `json:"states"`
	}
	f.e.JSON("GET", f.path("/attendance?lang=fr"), "secretariat", nil, 200, &attendance)
	if len(attendance.States) != 3 || attendance.States[0].StateName != "Allemagne" {
		t.Errorf("attendance: %+v", attendance.States)
	}
}

func TestExportsOverTheAPI(t *testing.T) {
	f := setup(t, nil)
	for i, code := range []string{"FR", "DE", "MA"} {
		b := person(i)
		b["invitation_token"] = f.links[code]
		b["last_name"] = "=cmd|' /C calc'!A0"
		f.e.JSON("POST", f.path("/registrations"), "", b, 201, nil)
	}
	code, body := f.e.Do("GET", f.path("/registrations.csv?lang=fr"), "secretariat", nil)
	text := string(body)
	if code != 200 || !strings.HasPrefix(text, "\uFEFF") {
		t.Fatalf("CSV: %d %q", code, text[:min(len(text), 40)])
	}
	lines := strings.Split(strings.TrimSpace(text), "\r\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[1], "Allemagne;") || !strings.HasPrefix(lines[2], "France;") || !strings.HasPrefix(lines[3], "Maroc;") {
		t.Errorf("French CSV not in French protocol order: %q", lines)
	}
	if strings.Contains(text, ";=cmd") || !strings.Contains(text, "'=cmd") {
		t.Errorf("formula injection not neutralised")
	}
	code, body = f.e.Do("GET", f.path("/registrations.csv"), "fp_FR", nil)
	if code != 200 || strings.Count(string(body), "\r\n") != 2 {
		t.Errorf("focal point export: %d, %d lines", code, strings.Count(string(body), "\r\n"))
	}
	if code, _ := f.e.Do("GET", f.path("/registrations.xlsx?state=FR"), "fp_DE", nil); code != 403 {
		t.Errorf("DE focal point exporting FR: %d", code)
	}
	code, body = f.e.Do("GET", f.path("/registrations.xlsx?lang=en"), "secretariat", nil)
	if code != 200 || !strings.HasPrefix(string(body), "PK") {
		t.Errorf("XLSX: %d", code)
	}
}
