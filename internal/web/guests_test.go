package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/pdftest"
	"github.com/coe-agora/agora/internal/registration"
	"github.com/coe-agora/agora/internal/testmail"
)

// guestMeeting creates and publishes a meeting whose funding requests the
// secretariat decides; its registration is open.
func guestMeeting(t *testing.T, e *apptest.Env, extra map[string]any) (meeting.Meeting, string) {
	t.Helper()
	start := time.Now().Add(45 * 24 * time.Hour).Truncate(time.Hour)
	body := map[string]any{
		"kind": "expert_group", "title_en": "Expert group on prevention", "title_fr": "Groupe d'experts sur la prévention",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(8 * time.Hour).Format(time.RFC3339),
		"funding_decision": "secretariat",
	}
	for k, v := range extra {
		body[k] = v
	}
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", body, 201, &m)
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	e.JSON("POST", path+"/publish", "secretariat", nil, 200, nil)
	return m, path
}

func guestMailTo(t *testing.T, mp *testmail.Server, n int, to, subject string) *testmail.Message {
	t.Helper()
	if _, err := mp.WaitCount(n, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	msgs, err := mp.Messages()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range msgs {
		if s.To[0].Address == to && strings.Contains(s.Subject, subject) {
			full, err := mp.Message(s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return full
		}
	}
	t.Fatalf("no email to %s about %q among %d", to, subject, len(msgs))
	return nil
}

// The secretariat invites a person by name and email: the guest gets
// their personal link in their language, the link registers that address
// only (in any case), the guest holds their own seat, and their funding
// request waits for the secretariat's decision, emailed to them.
func TestGuestInvitationAndFunding(t *testing.T) {
	mp := testmail.Start(t)
	e := apptest.Start(t, apptest.Options{SMTPURL: mp.SMTPURL()})
	m, path := guestMeeting(t, e, nil)
	if m.FundingDecision != "secretariat" {
		t.Fatalf("funding_decision: %q", m.FundingDecision)
	}

	good := map[string]any{"first_name": "Amélie", "last_name": "Chercheuse", "email": "Amelie.Chercheuse@Univ.example",
		"language": "fr", "role": "expert", "funding_offered": true}
	// Bad input: a field error each, nothing written.
	for field, bad := range map[string]any{"role": "boss", "email": "not-an-email", "language": "de", "first_name": "  ", "last_name": "123"} {
		b := map[string]any{}
		for k, v := range good {
			b[k] = v
		}
		b[field] = bad
		if code, body := e.Do("POST", path+"/guests", "secretariat", b); code != 422 || apptest.ErrorFields(body)[field] == "" {
			t.Errorf("%s=%v: %d %s, want a 422 on %s", field, bad, code, body, field)
		}
	}
	for _, who := range []string{"", "fp_FR", "admin_only"} {
		if _, ok := e.Tokens[who]; !ok && who != "" {
			continue
		}
		if code, _ := e.Do("POST", path+"/guests", who, good); code != 401 && code != 403 {
			t.Errorf("inviting a guest as %q: %d", who, code)
		}
	}
	if n := dbCount(t, e, `SELECT count(*) FROM guests`); n != 0 {
		t.Fatalf("refused invitations wrote %d guests", n)
	}

	var g registration.Guest
	e.JSON("POST", path+"/guests", "secretariat", good, 201, &g)
	if g.ID == 0 || g.Email != "amelie.chercheuse@univ.example" || !strings.Contains(g.RegistrationURL, "/register/gst_") {
		t.Fatalf("guest: %+v", g)
	}
	if code, body := e.Do("POST", path+"/guests", "secretariat", good); code != 422 || apptest.ErrorFields(body)["email"] == "" {
		t.Errorf("inviting the same person twice: %d %s", code, body)
	}
	inv := guestMailTo(t, mp, 1, "amelie.chercheuse@univ.example", "Invitation personnelle")
	for _, want := range []string{"Bonjour Amélie Chercheuse", "en qualité de expert(e)", "Groupe d'experts sur la prévention",
		"prendre en charge vos frais de voyage", g.RegistrationURL} {
		if !strings.Contains(inv.Text, want) {
			t.Errorf("the invitation lacks %q:\n%s", want, inv.Text)
		}
	}
	var list struct {
		Guests []registration.Guest `json:"guests"`
	}
	e.JSON("GET", path+"/guests", "secretariat", nil, 200, &list)
	if len(list.Guests) != 1 || list.Guests[0].RegistrationStatus != nil || list.Guests[0].RegistrationURL != g.RegistrationURL {
		t.Fatalf("guests: %+v", list.Guests)
	}
	if code, _ := e.Do("GET", path+"/guests", "fp_FR", nil); code != 403 {
		t.Errorf("a focal point lists guests: %d", code)
	}

	// The link registers its address only.
	token := g.RegistrationURL[strings.LastIndex(g.RegistrationURL, "/")+1:]
	reg := map[string]any{"invitation_token": token, "first_name": "Amélie", "last_name": "Chercheuse",
		"email": "someone.else@univ.example", "delegation_role": "delegate", "language": "fr", "funding_requested": true, "list_consent": true}
	if code, body := e.Do("POST", path+"/registrations", "", reg); code != 422 || !strings.Contains(apptest.ErrorFields(body)["email"], "amelie.chercheuse@univ.example") {
		t.Errorf("the guest link with another address: %d %s", code, body)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE meeting_id = $1`, m.ID); n != 0 {
		t.Fatalf("a refused registration wrote %d rows", n)
	}
	reg["email"] = "AMELIE.chercheuse@UNIV.example"
	var r registration.Result
	e.JSON("POST", path+"/registrations", "", reg, 201, &r)
	if r.Status != "confirmed" || r.DelegationRole != "expert" || r.Funded || r.FundingState != "requested" || r.GuestID == nil || *r.GuestID != g.ID || r.State != "" {
		t.Fatalf("the guest's registration: %+v", r)
	}
	var row struct {
		Invitee *string `db:"invitee"`
		GuestID *int64  `db:"guest_id"`
	}
	if err := e.App.DB.Get(&row, `SELECT invitee, guest_id FROM registrations WHERE id = $1`, r.ID); err != nil || row.Invitee != nil || row.GuestID == nil {
		t.Fatalf("the row: %+v %v", row, err)
	}
	e.JSON("GET", path+"/guests", "secretariat", nil, 200, &list)
	if st := list.Guests[0].RegistrationStatus; st == nil || *st != "confirmed" || *list.Guests[0].FundingStatus != "requested" {
		t.Errorf("the guest's status after registering: %+v", list.Guests[0])
	}

	// The guest is on the secretariat's list and its CSV, under "Experts and guests".
	if code, body := e.Do("GET", path+"/registrations", "secretariat", nil); code != 200 || !strings.Contains(string(body), "amelie.chercheuse@univ.example") {
		t.Errorf("the registrations list: %d %s", code, body)
	}
	if code, body := e.Do("GET", path+"/registrations.csv", "secretariat", nil); code != 200 || !strings.Contains(string(body), "Experts and guests") ||
		!strings.Contains(string(body), "Chercheuse") {
		t.Errorf("the CSV: %d %s", code, body)
	}
	// A speaker on the agenda is linked to the guest's registration.
	var agenda struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	e.JSON("GET", path+"/agenda", "secretariat", nil, 200, &agenda)
	var itemID int64
	if len(agenda.Items) > 0 {
		itemID = agenda.Items[0].ID
	} else {
		var it struct {
			ID int64 `json:"id"`
		}
		e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Keynote", "title_fr": "Conférence"}, 201, &it)
		itemID = it.ID
	}
	e.JSON("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", itemID), "secretariat", map[string]any{
		"speakers": []map[string]any{{"name": "Amélie Chercheuse", "function": "Researcher", "registration_id": r.ID}}}, 200, nil)
	var linked int64
	if err := e.App.DB.Get(&linked, `SELECT (speakers -> 0 ->> 'registration_id')::bigint FROM agenda_items WHERE id = $1`, itemID); err != nil || linked != r.ID {
		t.Errorf("the speaker's link: %d %v", linked, err)
	}

	// On the list of participants, under "Experts and guests", in each language.
	staff := signInHTTP(t, e, "secretariat@example.org")
	for lang, want := range map[string][]string{"en": {"Experts and guests", "Amélie Chercheuse", "Expert"},
		"fr": {"Experts et invités", "Amélie Chercheuse", "Expert"}} {
		if code, html := staff.get(fmt.Sprintf("/meetings/%d/participants?lang=%s", m.ID, lang)); code != 200 || !inOrderIn(html, want...) {
			t.Errorf("the list of participants (%s): %d, want %v in order", lang, code, want)
		}
	}
	// The confirmation says the request waits for a decision.
	confirmed := guestMailTo(t, mp, 2, "amelie.chercheuse@univ.example", "Inscription confirmée")
	if !strings.Contains(confirmed.Text, "le secrétariat décidera") || strings.Contains(confirmed.Text, "sans prise en charge") {
		t.Errorf("the confirmation of a request that waits:\n%s", confirmed.Text)
	}
	// It speaks of a personal invitation, not of a delegation.
	for _, body := range []string{confirmed.Text, confirmed.HTML} {
		if !strings.Contains(body, "Votre inscription sur invitation personnelle est") || strings.Contains(body, "délégation suivante") ||
			!strings.Contains(body, "inscrit(e) à cette réunion sur") || !strings.Contains(body, ", sur invitation personnelle.") {
			t.Errorf("a guest's confirmation reads as a delegation's:\n%s", body)
		}
	}

	// The funding decision: the secretariat's only, emailed in French.
	fundPath := fmt.Sprintf("/api/v1/registrations/%d/funding", r.ID)
	if code, _ := e.Do("POST", fundPath, "fp_FR", map[string]any{"funded": true}); code != 403 {
		t.Errorf("a focal point decides funding: %d", code)
	}
	if code, body := e.Do("POST", fundPath, "secretariat", map[string]any{}); code != 422 || apptest.ErrorFields(body)["funded"] == "" {
		t.Errorf("no decision: %d %s", code, body)
	}
	var decided registration.Registration
	e.JSON("POST", fundPath, "secretariat", map[string]any{"funded": true}, 200, &decided)
	if !decided.Funded || decided.FundingState != "granted" {
		t.Fatalf("granted: %+v", decided)
	}
	var funded bool
	if err := e.App.DB.Get(&funded, `SELECT funded FROM registrations WHERE id = $1`, r.ID); err != nil || !funded {
		t.Fatalf("the row after the grant: %v %v", funded, err)
	}
	granted := guestMailTo(t, mp, 3, "amelie.chercheuse@univ.example", "Frais de voyage pris en charge")
	if !strings.Contains(granted.Text, "Le secrétariat a accepté votre demande") {
		t.Errorf("the decision email:\n%s", granted.Text)
	}

	// The guest's badge, and the door finds them.
	if code, pdf := e.Do("GET", path+"/badges.pdf", "secretariat", nil); code != 200 ||
		!strings.Contains(pdftest.Text(t, pdf), "Chercheuse") || !strings.Contains(pdftest.Text(t, pdf), "Experts and guests") {
		t.Errorf("badges: %d %q", code, pdftest.Text(t, pdf))
	}
	if code, body := e.Do("GET", path+"/check-in/search?q=chercheuse", "secretariat", nil); code != 200 || !strings.Contains(string(body), "Chercheuse") {
		t.Errorf("the door's search: %d %s", code, body)
	}
	// A guest's seat cannot be passed on.
	if code, body := e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/replace", r.ID), "secretariat", map[string]any{"first_name": "Other",
		"last_name": "Person", "email": "other@univ.example", "delegation_role": "expert", "language": "en"}); code != 409 {
		t.Errorf("replacing a guest: %d %s", code, body)
	}
	// A guest without funding offered cannot ask for it.
	var g2 registration.Guest
	e.JSON("POST", path+"/guests", "secretariat", map[string]any{"first_name": "Sam", "last_name": "Speaker",
		"email": "sam@talks.example", "language": "en", "role": "speaker"}, 201, &g2)
	tok2 := g2.RegistrationURL[strings.LastIndex(g2.RegistrationURL, "/")+1:]
	var r2 registration.Result
	e.JSON("POST", path+"/registrations", "", map[string]any{"invitation_token": tok2, "first_name": "Sam", "last_name": "Speaker",
		"delegation_role": "head", "language": "en", "funding_requested": true}, 201, &r2)
	if r2.Email != "sam@talks.example" || r2.DelegationRole != "speaker" || r2.FundingRequested {
		t.Errorf("the second guest's registration: %+v", r2)
	}
	if code, _ := e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/funding", r2.ID), "secretariat", map[string]any{"funded": true}); code != 409 {
		t.Errorf("funding without a request: %d", code)
	}

	// Sent again: a second email with the same link.
	var again registration.Guest
	e.JSON("POST", fmt.Sprintf("/api/v1/guests/%d/resend", g2.ID), "secretariat", nil, 200, &again)
	if again.Rounds != 2 || again.RegistrationURL != g2.RegistrationURL {
		t.Errorf("resent: %+v", again)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM outgoing_mail WHERE kind = 'guest_invitation' AND to_address = 'sam@talks.example'`); n != 2 {
		t.Errorf("%d invitations to the speaker, want 2", n)
	}

	// Revoked: the link registers nobody.
	var g3 registration.Guest
	e.JSON("POST", path+"/guests", "secretariat", map[string]any{"first_name": "Rita", "last_name": "Rapporteur",
		"email": "rita@example.org", "language": "en", "role": "rapporteur"}, 201, &g3)
	e.JSON("POST", fmt.Sprintf("/api/v1/guests/%d/revoke", g3.ID), "secretariat", nil, 200, nil)
	tok3 := g3.RegistrationURL[strings.LastIndex(g3.RegistrationURL, "/")+1:]
	if code, _ := e.Do("POST", path+"/registrations", "", map[string]any{"invitation_token": tok3, "first_name": "Rita", "last_name": "Rapporteur",
		"email": "rita@example.org", "delegation_role": "expert", "language": "en"}); code != 404 {
		t.Errorf("a revoked guest link: %d", code)
	}
	// The people search and a person's history know guests (no invitee).
	if code, body := e.Do("GET", "/api/v1/people?q=chercheuse", "secretariat", nil); code != 200 || !strings.Contains(string(body), "Chercheuse") {
		t.Errorf("people search: %d %.300s", code, body)
	}
	if code, body := e.Do("GET", fmt.Sprintf("/api/v1/people/%d", r.ID), "secretariat", nil); code != 200 || !strings.Contains(string(body), "Chercheuse") {
		t.Errorf("the guest's history: %d %.300s", code, body)
	}
	// Privacy: the guest's data come out with the export, and erasure
	// leaves no trace of their name or address in the invitation either.
	if code, body := e.Do("POST", "/api/v1/privacy/export", "admin", map[string]string{"email": "amelie.chercheuse@univ.example"}); code != 200 ||
		!strings.Contains(string(body), "Chercheuse") {
		t.Errorf("privacy export of the guest: %d %.300s", code, body)
	}
	e.JSON("POST", "/api/v1/privacy/erase", "admin", map[string]string{"email": "amelie.chercheuse@univ.example"}, 200, nil)
	if n := dbCount(t, e, `SELECT count(*) FROM guests WHERE email = 'amelie.chercheuse@univ.example' OR last_name = 'Chercheuse'`); n != 0 {
		t.Errorf("erasure left %d personal invitations naming the guest", n)
	}
	for _, action := range []string{"guest.invite", "guest.revoke", "registration.funding"} {
		if n := dbCount(t, e, `SELECT count(*) FROM audit_log WHERE action = $1`, action); n == 0 {
			t.Errorf("no %s in the audit trail", action)
		}
	}
}

// Concurrent decisions never fund more people than the invitee has
// funded seats: each grant is decided under the invitee's quota lock.
func TestConcurrentFundingDecisions(t *testing.T) {
	e := apptest.Start(t)
	_, path := guestMeeting(t, e, map[string]any{"seats_per_state": 8, "funded_seats_per_state": 2})
	const n = 8
	ids := make([]int64, n)
	for i := range ids {
		var r registration.Result
		e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Del", "last_name": fmt.Sprint("Egate ", i),
			"email": fmt.Sprintf("del%d@fr.example", i), "delegation_role": "delegate", "language": "fr", "funding_requested": true}, 201, &r)
		if r.Status != "confirmed" || r.Funded || r.FundingState != "requested" {
			t.Fatalf("with secretariat decisions, registering grants nothing: %+v", r)
		}
		ids[i] = r.ID
	}
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = e.Do("POST", fmt.Sprintf("/api/v1/registrations/%d/funding", id), "secretariat", map[string]any{"funded": true})
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 409:
			conflict++
		}
	}
	if ok != 2 || conflict != n-2 {
		t.Errorf("concurrent grants: %v (want 2 × 200, %d × 409)", codes, n-2)
	}
	if got := dbCount(t, e, `SELECT count(*) FROM registrations WHERE invitee = 'FR' AND funded`); got != 2 {
		t.Errorf("%d funded for FR's 2 funded seats", got)
	}
}

// Guests come last on the secretariat's list, and paging walks into and
// through their group: every registration once, in order.
func TestGuestsOnThePagedList(t *testing.T) {
	e := apptest.Start(t)
	m, path := guestMeeting(t, e, nil)
	want := []string{}
	for _, n := range []string{"Abel", "Zoé"} {
		email := strings.ToLower(strings.ReplaceAll(n, "é", "e")) + "@fr.example"
		e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": n, "last_name": "Delegate",
			"email": email, "delegation_role": "delegate", "language": "fr"}, 201, nil)
		want = append(want, email)
	}
	for _, n := range []string{"Anna", "Bruno", "Chloé"} {
		email := strings.ToLower(strings.ReplaceAll(n, "é", "e")) + "@guest.example"
		var g registration.Guest
		e.JSON("POST", path+"/guests", "secretariat", map[string]any{"first_name": n, "last_name": n + "son", "email": email,
			"language": "en", "role": "expert"}, 201, &g)
		token := g.RegistrationURL[strings.LastIndex(g.RegistrationURL, "/")+1:]
		e.JSON("POST", path+"/registrations", "", map[string]any{"invitation_token": token, "first_name": n, "last_name": n + "son",
			"language": "en"}, 201, nil)
		want = append(want, email)
	}
	var got []string
	cursor := ""
	for range 10 {
		var page struct {
			Registrations []registration.Registration `json:"registrations"`
			Next          *string                     `json:"next"`
		}
		e.JSON("GET", path+"/registrations?limit=2&cursor="+cursor, "secretariat", nil, 200, &page)
		for _, r := range page.Registrations {
			got = append(got, r.Email)
		}
		if page.Next == nil {
			break
		}
		cursor = *page.Next
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("paged list: %v, want %v", got, want)
	}
	// The secretariat's page shows the guests' group with its count.
	staff := signInHTTP(t, e, "secretariat@example.org")
	if code, html := staff.get(fmt.Sprintf("/secretariat/meetings/%d/registrations?lang=en", m.ID)); code != 200 || !inOrderIn(html, "Zoé", "Experts and guests", "Anna", "Chloé") {
		t.Errorf("the registrations page: %d %.200s", code, html)
	}
}

// The secretariat's pages in French: a wrong role on the invite form is
// a field error (nothing written), revoke and resend act, and a grant
// past the invitee's funded seats is refused on the funding page.
func TestGuestPagesInFrench(t *testing.T) {
	e := apptest.Start(t)
	m, path := guestMeeting(t, e, map[string]any{"seats_per_state": 3, "funded_seats_per_state": 1})
	staff := signInHTTP(t, e, "secretariat@example.org")
	guests := fmt.Sprintf("/secretariat/meetings/%d/guests", m.ID)
	_, page := staff.get(guests + "?lang=fr")
	if !strings.Contains(page, "Invitations personnelles") || !strings.Contains(page, "Experts et invités") {
		t.Errorf("the guests page in French: %.300s", page)
	}
	code, body := staff.post(guests+"?lang=fr", page, url.Values{"first_name": {"Rui"}, "last_name": {"Costa"},
		"email": {"rui@example.org"}, "language": {"en"}, "role": {"boss"}})
	if code != 422 || !strings.Contains(body, `id="e-role"`) {
		t.Errorf("a wrong role: %d", code)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM guests`); n != 0 {
		t.Fatalf("a refused invitation wrote %d", n)
	}
	if code, _ := staff.post(guests+"?lang=fr", page, url.Values{"first_name": {"Rui"}, "last_name": {"Costa"},
		"email": {"rui@example.org"}, "language": {"en"}, "role": {"chair"}}); code != 303 {
		t.Fatalf("inviting: %d", code)
	}
	var id int64
	if err := e.App.DB.Get(&id, `SELECT id FROM guests WHERE email = 'rui@example.org' AND role = 'chair'`); err != nil {
		t.Fatal(err)
	}
	_, page = staff.get(guests + "?lang=fr")
	if code, _ := staff.post(fmt.Sprintf("%s/%d/revoke", guests, id), page, url.Values{}); code != 303 {
		t.Errorf("revoke: %d", code)
	}
	if code, _ := staff.post(fmt.Sprintf("%s/%d/resend", guests, id), page, url.Values{}); code != 303 {
		t.Errorf("resend: %d", code)
	}
	var status string
	var rounds int
	if err := e.App.DB.QueryRow(`SELECT status, rounds FROM guests WHERE id = $1`, id).Scan(&status, &rounds); err != nil || status != "active" || rounds != 2 {
		t.Errorf("after revoke and resend: %s %d %v", status, rounds, err)
	}

	// Two FR requests for FR's one funded seat: the second grant is refused on the page.
	var ids []int64
	for i := range 2 {
		var r registration.Result
		e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Del", "last_name": fmt.Sprint("Egate", i),
			"email": fmt.Sprintf("d%d@fr.example", i), "delegation_role": "delegate", "language": "fr", "funding_requested": true}, 201, &r)
		ids = append(ids, r.ID)
	}
	funding := fmt.Sprintf("/secretariat/meetings/%d/funding", m.ID)
	_, page = staff.get(funding + "?lang=fr")
	if !strings.Contains(page, "Pris en charge : 0 sur 1") || !strings.Contains(page, "en attente de décision : 2") {
		t.Errorf("the funding page: %.2000s", page)
	}
	if code, _ := staff.post(fmt.Sprintf("%s/%d?lang=fr", funding, ids[0]), page, url.Values{"decision": {"grant"}}); code != 303 {
		t.Errorf("grant: %d", code)
	}
	code, body = staff.post(fmt.Sprintf("%s/%d?lang=fr", funding, ids[1]), page, url.Values{"decision": {"grant"}})
	if code != 409 || !strings.Contains(body, "toutes les places prises en charge") {
		t.Errorf("a grant past the funded seats: %d %.300s", code, body)
	}
	if code, _ := staff.post(fmt.Sprintf("%s/%d?lang=fr", funding, ids[1]), page, url.Values{"decision": {"refuse"}}); code != 303 {
		t.Errorf("refuse: %d", code)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE funded`); n != 1 {
		t.Errorf("%d funded", n)
	}
	if n := dbCount(t, e, `SELECT count(*) FROM registrations WHERE funding_decision = 'refused'`); n != 1 {
		t.Errorf("%d refused", n)
	}
}

// Once the meeting is held, the statistics count its guests under their
// own roles, and the totals are the sum of the roles' lines.
func TestGuestsInTheStatistics(t *testing.T) {
	e := apptest.Start(t)
	m, path := guestMeeting(t, e, nil)
	for _, g := range []struct{ name, role string }{{"Sam", "speaker"}, {"Cleo", "chair"}} {
		var guest registration.Guest
		e.JSON("POST", path+"/guests", "secretariat", map[string]any{"first_name": g.name, "last_name": "Guest",
			"email": strings.ToLower(g.name) + "@guest.example", "language": "en", "role": g.role}, 201, &guest)
		token := guest.RegistrationURL[strings.LastIndex(guest.RegistrationURL, "/")+1:]
		e.JSON("POST", path+"/registrations", "", map[string]any{"invitation_token": token, "first_name": g.name, "last_name": "Guest",
			"language": "en"}, 201, nil)
	}
	e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Del", "last_name": "Egate",
		"email": "del@fr.example", "delegation_role": "delegate", "language": "fr"}, 201, nil)
	// The meeting took place last year.
	if _, err := e.App.DB.Exec(`UPDATE meetings SET starts_at = '2025-05-05 09:00+00', ends_at = '2025-05-05 17:00+00',
		registration_opens_at = NULL, registration_closes_at = NULL WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Totals struct {
			Confirmed int `json:"confirmed"`
		} `json:"totals"`
		Roles []struct {
			Role      string `json:"role"`
			Confirmed int    `json:"confirmed"`
		} `json:"roles"`
	}
	e.JSON("GET", "/api/v1/statistics/participation?from=2025-01-01&to=2025-12-31", "secretariat", nil, 200, &r)
	sum, got := 0, map[string]int{}
	for _, x := range r.Roles {
		sum += x.Confirmed
		got[x.Role] = x.Confirmed
	}
	if r.Totals.Confirmed != 3 || sum != 3 || got["speaker"] != 1 || got["chair"] != 1 || got["delegate"] != 1 {
		t.Errorf("statistics: totals %d, roles %v (sum %d)", r.Totals.Confirmed, got, sum)
	}
}
