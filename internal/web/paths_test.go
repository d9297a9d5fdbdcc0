package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// pastItem is a meeting in the public list of past meetings.
var pastItem = regexp.MustCompile(`<li id="meeting-(\d+)">`)

// speakersInDB reads an agenda item's speakers from the database.
func speakersInDB(t *testing.T, e *apptest.Env, itemID int64) meeting.Speakers {
	t.Helper()
	var raw []byte
	if err := e.App.DB.Get(&raw, `SELECT speakers FROM agenda_items WHERE id = $1`, itemID); err != nil {
		t.Fatal(err)
	}
	var sp meeting.Speakers
	if err := json.Unmarshal(raw, &sp); err != nil {
		t.Fatal(err)
	}
	return sp
}

// Saving an agenda item on the secretariat's page keeps its speakers'
// links to their registrations; the API refuses a link to a registration
// of another meeting, with the field named, and writes nothing.
func TestAgendaSpeakersKeepTheirRegistrations(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Expert group on prisons", false)
	other, otherTokens := delegationMeeting(t, e, "Expert group on cannabis", false)
	reg := selfRegister(t, e, m, tokens["FR"], "Camille", "Lefèvre", "camille.lefevre@sante.gouv.example")
	stranger := selfRegister(t, e, other, otherTokens["DE"], "Dieter", "Fremd", "dieter.fremd@bund.example")

	var item meeting.Item
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID), "secretariat", map[string]any{
		"title_en": "Prison health", "title_fr": "Santé en prison",
		"speakers": []map[string]any{{"name": "Camille Lefèvre", "function": "Rapporteure", "registration_id": reg.ID},
			{"name": "Jan Novak", "function": "Chair"}},
	}, 201, &item)

	// The page shows who is linked, and saving the form keeps the link of
	// the speaker whose name is unchanged.
	sec := signInHTTP(t, e, "secretariat@example.org")
	agenda := fmt.Sprintf("/secretariat/meetings/%d/agenda", m.ID)
	code, page := sec.get(agenda + "?edit=" + fmt.Sprint(item.ID) + "&lang=en")
	if code != http.StatusOK || !strings.Contains(page, `id="speakers-linked"`) || !strings.Contains(page, "Linked to their registration: Camille Lefèvre.") {
		t.Errorf("the editor does not say which speakers are linked (%d)", code)
	}
	code, _ = sec.post(fmt.Sprintf("%s/%d", agenda, item.ID), page, url.Values{
		"title_en": {"Health in prisons"}, "title_fr": {"Santé en prison"},
		"speakers": {"camille lefèvre — Rapporteure générale\nJan Novak — Chair\nAnna Berg — Expert"}})
	if code != http.StatusSeeOther {
		t.Fatalf("saving the item: %d", code)
	}
	sp := speakersInDB(t, e, item.ID)
	if len(sp) != 3 || sp[0].RegistrationID == nil || *sp[0].RegistrationID != reg.ID || sp[0].Function != "Rapporteure générale" ||
		sp[1].RegistrationID != nil || sp[2].RegistrationID != nil {
		t.Errorf("speakers after saving the form: %+v", sp)
	}
	var title string
	if err := e.App.DB.Get(&title, `SELECT title_en FROM agenda_items WHERE id = $1`, item.ID); err != nil || title != "Health in prisons" {
		t.Errorf("title after saving the form: %q %v", title, err)
	}

	// A link to another meeting's registration: 422 on the field, nothing written.
	bad := []map[string]any{{"name": "Dieter Fremd", "registration_id": stranger.ID}}
	code, body := e.Do("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", item.ID), "secretariat", map[string]any{"title_en": "Changed", "speakers": bad})
	if code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)["speakers[0].registration_id"] == "" {
		t.Errorf("PATCH with a stranger's registration: %d %s", code, body)
	}
	if got := speakersInDB(t, e, item.ID); len(got) != 3 || got[0].Name != "camille lefèvre" {
		t.Errorf("speakers after a refused PATCH: %+v", got)
	}
	if err := e.App.DB.Get(&title, `SELECT title_en FROM agenda_items WHERE id = $1`, item.ID); err != nil || title != "Health in prisons" {
		t.Errorf("title after a refused PATCH: %q %v", title, err)
	}
	code, body = e.Do("POST", fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID), "secretariat", map[string]any{
		"title_en": "Other", "speakers": []map[string]any{{"name": "A", "registration_id": reg.ID}, {"name": "B", "registration_id": stranger.ID}}})
	if code != http.StatusUnprocessableEntity || apptest.ErrorFields(body)["speakers[1].registration_id"] == "" || apptest.ErrorFields(body)["speakers[0].registration_id"] != "" {
		t.Errorf("POST with a stranger's registration: %d %s", code, body)
	}
	var n int
	if err := e.App.DB.Get(&n, `SELECT count(*) FROM agenda_items WHERE meeting_id = $1`, m.ID); err != nil || n != 1 {
		t.Errorf("agenda items after a refused POST: %d %v", n, err)
	}
	// A link to a registration of the meeting itself is taken.
	e.JSON("PATCH", fmt.Sprintf("/api/v1/agenda-items/%d", item.ID), "secretariat", map[string]any{
		"speakers": []map[string]any{{"name": "Camille Lefèvre", "registration_id": reg.ID}}}, 200, nil)
	// (The list given replaces the old one: no function left over from it.)
	if got := speakersInDB(t, e, item.ID); len(got) != 1 || got[0].RegistrationID == nil || *got[0].RegistrationID != reg.ID || got[0].Function != "" {
		t.Errorf("speakers after a good PATCH: %+v", got)
	}
}

// registerConsenting registers a person who agrees to the public list.
func registerConsenting(t *testing.T, e *apptest.Env, m meeting.Meeting, token, first, email string) (int64, string) {
	t.Helper()
	var res struct {
		ID        int64  `json:"id"`
		ManageURL string `json:"manage_url"`
	}
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/registrations", m.ID), "", map[string]any{
		"invitation_token": token, "first_name": first, "last_name": "Listed", "email": email,
		"delegation_role": "delegate", "language": "fr", "list_consent": true,
	}, 201, &res)
	return res.ID, res.ManageURL[strings.LastIndex(res.ManageURL, "/")+1:]
}

// consentInDB is a registration's consent and its date, as stored.
func consentInDB(t *testing.T, e *apptest.Env, id int64) (bool, bool) {
	t.Helper()
	var got struct {
		Consent bool `db:"list_consent"`
		Dated   bool `db:"dated"`
	}
	if err := e.App.DB.Get(&got, `SELECT list_consent, consent_at IS NOT NULL AS dated FROM registrations WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return got.Consent, got.Dated
}

// Consent to the list of participants can be withdrawn from the manage
// page after registration closed (the privacy notice says "at any time"),
// but not given again then.
func TestListConsentWithdrawnAfterRegistrationCloses(t *testing.T) {
	e := apptest.Start(t)
	m, tokens := delegationMeeting(t, e, "Expert group on prisons", false)
	id, token := registerConsenting(t, e, m, tokens["FR"], "Claire", "claire.listed@example.org")
	apiID, apiToken := registerConsenting(t, e, m, tokens["FR"], "Bruno", "bruno.listed@example.org")
	if consent, dated := consentInDB(t, e, id); !consent || !dated {
		t.Fatalf("consent before: %v %v", consent, dated)
	}
	if _, err := e.App.DB.Exec(`UPDATE meetings SET registration_closes_at = now() - interval '1 hour' WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}

	visitor := signInHTTP(t, e, "")
	manage := "/registrations/manage/" + token
	code, page := visitor.get(manage + "?lang=fr")
	if code != http.StatusOK || !strings.Contains(page, `id="withdraw-consent"`) || !strings.Contains(page, "Retirer mon consentement") {
		t.Fatalf("manage page after closing offers no withdrawal (%d)", code)
	}
	if strings.Contains(page, `name="first_name"`) {
		t.Errorf("the edit form is still offered after registration closed")
	}
	if code, _ = visitor.post(manage+"/consent/withdraw", page, url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("withdrawing: %d", code)
	}
	if consent, dated := consentInDB(t, e, id); consent || dated {
		t.Errorf("consent after withdrawing on the page: %v (dated %v)", consent, dated)
	}
	_, page = visitor.get(manage + "?lang=fr")
	if !strings.Contains(page, "Vous ne figurez plus sur la liste des participants.") || !strings.Contains(page, "vous n&#39;y figurez pas") ||
		strings.Contains(page, `id="withdraw-consent"`) {
		t.Errorf("manage page after withdrawing does not say so")
	}

	// Through the API: withdrawing works, giving it back does not.
	e.JSON("PATCH", "/api/v1/manage/"+apiToken, "", map[string]any{"list_consent": false}, 200, nil)
	if consent, _ := consentInDB(t, e, apiID); consent {
		t.Errorf("consent after withdrawing over the API")
	}
	for _, tok := range []string{token, apiToken} {
		if code, body := e.Do("PATCH", "/api/v1/manage/"+tok, "", map[string]any{"list_consent": true}); code != http.StatusConflict {
			t.Errorf("giving consent after registration closed: %d %s", code, body)
		}
	}
	if consent, _ := consentInDB(t, e, id); consent {
		t.Errorf("consent given again after registration closed")
	}
	if code, _ := e.Do("PATCH", "/api/v1/manage/"+apiToken, "", map[string]any{"list_consent": false, "function": "Judge"}); code != http.StatusConflict {
		t.Errorf("other changes slipped in with a withdrawal after closing: %d", code)
	}
	var listed struct {
		Participants []map[string]any `json:"participants"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/participants", m.ID), "secretariat", nil, 200, &listed)
	if len(listed.Participants) != 0 {
		t.Errorf("participants listed after withdrawing: %v", listed.Participants)
	}
}

// pastMeeting creates and publishes a meeting and moves its dates daysAgo
// days into the past (the API refuses no date, but a meeting that has
// ended is the point here, so the dates are set in the database).
func pastMeeting(t *testing.T, e *apptest.Env, title string, public bool, daysAgo int) meeting.Meeting {
	t.Helper()
	var m meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{
		"kind": "bureau", "title_en": title, "title_fr": title + " (fr)",
		"starts_at": "2027-05-04T09:00:00+02:00", "ends_at": "2027-05-04T17:00:00+02:00", "public": public,
	}, 201, &m)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/agenda", m.ID), "secretariat", map[string]any{
		"title_en": "Agenda of " + title, "title_fr": "Ordre du jour de " + title}, 201, nil)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/publish", m.ID), "secretariat", nil, 200, &m)
	if _, err := e.App.DB.Exec(`UPDATE meetings SET starts_at = now() - make_interval(days => $2) - interval '8 hours',
		ends_at = now() - make_interval(days => $2), registration_opens_at = NULL, registration_closes_at = NULL WHERE id = $1`, m.ID, daysAgo); err != nil {
		t.Fatal(err)
	}
	return m
}

// Past meetings have a public list (public, not cancelled, paged, most
// recent first) reached from the list of upcoming ones, each with its
// agenda; the secretariat has an archive of every past meeting, in its
// navigation, from which held and cancelled ones can be archived.
func TestPastMeetingsAndTheArchive(t *testing.T) {
	e := apptest.Start(t)
	held := pastMeeting(t, e, "Held bureau", true, 2)
	archived := pastMeeting(t, e, "Archived bureau", true, 3)
	e.JSON("POST", fmt.Sprintf("/api/v1/meetings/%d/archive", archived.ID), "secretariat", nil, 200, nil)
	cancelled := pastMeeting(t, e, "Cancelled bureau", true, 1)
	if _, err := e.App.DB.Exec(`UPDATE meetings SET lifecycle = 'cancelled', cancel_reason = 'Strike' WHERE id = $1`, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	private := pastMeeting(t, e, "Private bureau", false, 1)
	upcoming := publishedMeeting(t, e, true)
	var older []int64
	for i := 0; i < 21; i++ {
		older = append(older, pastMeeting(t, e, fmt.Sprintf("Old bureau %02d", i), true, 30+i).ID)
	}

	code, list, _ := getPage(t, e, "/meetings?lang=fr")
	if code != 200 || !strings.Contains(list, `<a href="/meetings/past" id="past-link">Réunions passées</a>`) {
		t.Errorf("the list of upcoming meetings does not lead to the past ones (%d)", code)
	}
	for _, as := range [][]string{nil, {"Authorization", "Bearer " + e.Tokens["fp_FR"]}} {
		code, first, _ := getPage(t, e, "/meetings/past?lang=fr", as...)
		if code != 200 {
			t.Fatalf("past meetings: %d", code)
		}
		inOrder(t, first, "Réunions passées", "Held bureau (fr)", "Archived bureau (fr)", "Old bureau 00 (fr)")
		for _, hidden := range []meeting.Meeting{cancelled, private, upcoming} {
			if strings.Contains(first, fmt.Sprintf(`href="/meetings/%d"`, hidden.ID)) {
				t.Errorf("past meetings list %q", hidden.TitleEN)
			}
		}
		if !strings.Contains(first, fmt.Sprintf(`href="/meetings/%d/agenda/print"`, archived.ID)) {
			t.Errorf("no agenda link for the archived meeting")
		}
		m := nextLink.FindStringSubmatch(first)
		if m == nil {
			t.Fatal("no link to older meetings")
		}
		_, second, _ := getPage(t, e, html.UnescapeString(m[1]), as...)
		ids := map[int64]int{}
		for _, page := range []string{first, second} {
			for _, x := range pastItem.FindAllStringSubmatch(page, -1) {
				id, _ := strconv.ParseInt(x[1], 10, 64)
				ids[id]++
			}
		}
		if len(ids) != 23 || ids[held.ID] != 1 || ids[archived.ID] != 1 || ids[older[20]] != 1 {
			t.Errorf("two pages of past meetings hold %d meetings: %v", len(ids), ids)
		}
		if nextLink.MatchString(second) || !strings.Contains(second, `rel="first"`) {
			t.Errorf("second page of past meetings: wrong links")
		}
	}
	// An address whose page means nothing shows the first page.
	if code, page, _ := getPage(t, e, "/meetings/past?cursor=nonsense&lang=en"); code != 200 || !strings.Contains(page, fmt.Sprintf(`<li id="meeting-%d">`, held.ID)) {
		t.Errorf("past meetings with a bad cursor: %d", code)
	}
	if code, page, _ := getPage(t, e, "/secretariat/archive?cursor=nonsense", "Authorization", "Bearer "+e.Tokens["secretariat"]); code != 200 || !strings.Contains(page, fmt.Sprintf(`id="meeting-%d"`, held.ID)) {
		t.Errorf("archive with a bad cursor: %d", code)
	}
	// A past meeting's page shows its agenda to anyone.
	if code, page, _ := getPage(t, e, fmt.Sprintf("/meetings/%d?lang=en", archived.ID)); code != 200 || !strings.Contains(page, "Agenda of Archived bureau") {
		t.Errorf("archived meeting's page: %d", code)
	}

	sec := "Bearer " + e.Tokens["secretariat"]
	code, dash, _ := getPage(t, e, "/secretariat?lang=en", "Authorization", sec)
	if code != 200 || !strings.Contains(dash, `<a href="/secretariat/archive">Past meetings</a>`) {
		t.Errorf("the dashboard does not lead to the archive (%d)", code)
	}
	code, arch, _ := getPage(t, e, "/secretariat/archive?lang=fr", "Authorization", sec)
	if code != 200 {
		t.Fatalf("archive: %d", code)
	}
	inOrder(t, arch, "Réunions passées et archivées", "Cancelled bureau (fr)", "Held bureau (fr)", "Archived bureau (fr)")
	for _, m := range []meeting.Meeting{cancelled, private, held, archived} {
		if !strings.Contains(arch, fmt.Sprintf(`id="meeting-%d"`, m.ID)) {
			t.Errorf("the archive lacks %q", m.TitleEN)
		}
	}
	if strings.Contains(arch, fmt.Sprintf(`id="meeting-%d"`, upcoming.ID)) {
		t.Errorf("the archive lists an upcoming meeting")
	}
	for id, want := range map[int64]bool{held.ID: true, cancelled.ID: true, archived.ID: false} {
		if got := strings.Contains(arch, fmt.Sprintf(`action="/secretariat/meetings/%d/archive"`, id)); got != want {
			t.Errorf("archive button for meeting %d: %v, want %v", id, got, want)
		}
	}
	if code, _, _ := getPage(t, e, "/secretariat/archive", "Authorization", "Bearer "+e.Tokens["fp_FR"]); code == 200 {
		t.Errorf("a focal point sees the secretariat's archive")
	}
}

// The home page shows the next public meetings to everyone, and to someone
// signed in what waits for them: the secretariat the meetings needing its
// action, a focal point their state's open invitations and approvals.
func TestHomePageShowsWhatWaits(t *testing.T) {
	e := apptest.Start(t)
	public := publishedMeeting(t, e, true)
	open, _ := delegationMeeting(t, e, "Expert group on drug checking", false)
	vetted, tokens := delegationMeeting(t, e, "Expert group on prisons", true)
	selfRegister(t, e, vetted, tokens["FR"], "Camille", "Lefèvre", "camille.lefevre@sante.gouv.example")
	selfRegister(t, e, vetted, tokens["DE"], "Dieter", "Wartend", "dieter.wartend@bund.example")
	var draft meeting.Meeting
	e.JSON("POST", "/api/v1/meetings", "secretariat", map[string]any{"kind": "bureau", "title_en": "Bureau draft",
		"starts_at": "2027-06-01T09:00:00+02:00", "ends_at": "2027-06-01T17:00:00+02:00", "public": true}, 201, &draft)
	held := pastMeeting(t, e, "Held bureau", true, 2)

	for lang, words := range map[string][]string{"en": {"Upcoming meetings", "Plenary of Permanent Correspondents", "Past meetings"},
		"fr": {"Réunions à venir", "Réunion plénière des correspondants permanents", "Réunions passées"}} {
		code, home, _ := getPage(t, e, "/?lang="+lang)
		if code != 200 {
			t.Fatalf("home: %d", code)
		}
		inOrder(t, home, words...)
		if !strings.Contains(home, fmt.Sprintf(`<a href="/meetings/%d">`, public.ID)) {
			t.Errorf("home (%s) does not link the upcoming public meeting", lang)
		}
		for _, hidden := range []meeting.Meeting{open, vetted, draft, held} {
			if strings.Contains(home, fmt.Sprintf(`/meetings/%d"`, hidden.ID)) {
				t.Errorf("home (%s) shows %q to a visitor", lang, hidden.TitleEN)
			}
		}
		if strings.Contains(home, `id="tasks"`) {
			t.Errorf("home (%s) shows tasks to a visitor", lang)
		}
	}

	task := func(page string, id int64) string {
		i := strings.Index(page, fmt.Sprintf(`<li id="task-%d">`, id))
		if i < 0 {
			return ""
		}
		rest := page[i+1:]
		end := strings.Index(rest, `<li id="task-`)
		if end < 0 {
			end = strings.Index(rest, "</section>")
		}
		return page[i : i+1+end]
	}
	_, home, _ := getPage(t, e, "/?lang=en", "Authorization", "Bearer "+e.Tokens["secretariat"])
	if got := task(home, vetted.ID); !strings.Contains(got, fmt.Sprintf(`href="/secretariat/meetings/%d/registrations?status=pending">Registrations awaiting approval: 2<`, vetted.ID)) {
		t.Errorf("secretariat's task for the meeting with approvals:\n%s", got)
	}
	if got := task(home, draft.ID); !strings.Contains(got, "Draft: not published yet") {
		t.Errorf("secretariat's task for the draft:\n%s", got)
	}
	if got := task(home, held.ID); !strings.Contains(got, "Held: to archive") {
		t.Errorf("secretariat's task for the held meeting:\n%s", got)
	}
	if task(home, open.ID) != "" || task(home, public.ID) != "" {
		t.Errorf("the secretariat is told to act on meetings that need nothing")
	}

	_, home, _ = getPage(t, e, "/?lang=fr", "Authorization", "Bearer "+e.Tokens["fp_FR"])
	if got := task(home, open.ID); !strings.Contains(got, "Votre État est invité et les inscriptions sont ouvertes.") ||
		!strings.Contains(got, fmt.Sprintf(`href="/meetings/%d/delegation"`, open.ID)) {
		t.Errorf("focal point's open invitation:\n%s", got)
	}
	if got := task(home, vetted.ID); !strings.Contains(got, "Personnes de votre État en attente de votre approbation : 1") {
		t.Errorf("focal point's approvals (their state's only):\n%s", got)
	}
	if task(home, draft.ID) != "" || task(home, public.ID) != "" || task(home, held.ID) != "" {
		t.Errorf("the focal point is shown meetings that do not wait for them")
	}
	// After approving, the approval no longer waits.
	var regs struct {
		Registrations []struct {
			ID int64 `json:"id"`
		} `json:"registrations"`
	}
	e.JSON("GET", fmt.Sprintf("/api/v1/meetings/%d/registrations?status=pending", vetted.ID), "fp_FR", nil, 200, &regs)
	e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/approve", regs.Registrations[0].ID), "fp_FR", nil, 200, nil)
	_, home, _ = getPage(t, e, "/?lang=fr", "Authorization", "Bearer "+e.Tokens["fp_FR"])
	if got := task(home, vetted.ID); strings.Contains(got, "en attente de votre approbation") {
		t.Errorf("an approved registration still waits:\n%s", got)
	}
}

// The agenda editor lists the meeting's confirmed participants, delegates
// and guests, to choose speakers among them: a chosen participant whose
// name is typed gets the link, one not typed is added with their invitee
// or organisation, a participant no longer chosen loses the link (the
// line stays), and a choice that is not a participant of the meeting is a
// field error that writes nothing. Read back from the database and the API.
func TestAgendaSpeakersChosenAmongParticipants(t *testing.T) {
	e := apptest.Start(t)
	m, path := guestMeeting(t, e, map[string]any{"audience": "custom", "invited_states": []string{"FR"}, "seats_per_state": 2})
	var camille registration.Result
	e.JSON("POST", path+"/registrations", "secretariat", map[string]any{"state": "FR", "first_name": "Camille", "last_name": "Lefèvre",
		"email": "camille.lefevre@sante.gouv.example", "delegation_role": "head", "language": "fr"}, 201, &camille)
	var g registration.Guest
	e.JSON("POST", path+"/guests", "secretariat", map[string]any{"first_name": "Amélie", "last_name": "Chercheuse",
		"email": "amelie@univ.example", "language": "fr", "role": "expert"}, 201, &g)
	var amelie registration.Result
	e.JSON("POST", path+"/registrations", "", map[string]any{"invitation_token": g.RegistrationURL[strings.LastIndex(g.RegistrationURL, "/")+1:],
		"first_name": "Amélie", "last_name": "Chercheuse", "email": "amelie@univ.example", "organisation": "Université de Strasbourg",
		"delegation_role": "expert", "language": "fr"}, 201, &amelie)
	var item meeting.Item
	e.JSON("POST", path+"/agenda", "secretariat", map[string]any{"title_en": "Prevention at school", "title_fr": "La prévention à l'école",
		"speakers": []map[string]any{{"name": "Jan Novak", "function": "Chair"}}}, 201, &item)

	sec := signInHTTP(t, e, "secretariat@example.org")
	agenda := fmt.Sprintf("/secretariat/meetings/%d/agenda", m.ID)
	code, page := sec.get(fmt.Sprintf("%s?edit=%d&lang=en", agenda, item.ID))
	for _, want := range []string{`name="speaker_registrations"`, "Speakers among the participants",
		fmt.Sprintf(`<option value="%d">Camille Lefèvre — France</option>`, camille.ID),
		fmt.Sprintf(`<option value="%d">Amélie Chercheuse — Université de Strasbourg</option>`, amelie.ID)} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the editor (%d) lacks %s", code, want)
		}
	}
	save := func(ids []int64, speakers string) (int, string) {
		v := url.Values{"title_en": {"Prevention at school"}, "title_fr": {"La prévention à l'école"}, "speakers": {speakers}, "speaker_picker": {"1"}}
		for _, id := range ids {
			v.Add("speaker_registrations", fmt.Sprint(id))
		}
		return sec.post(fmt.Sprintf("%s/%d", agenda, item.ID), page, v)
	}
	link := func(sp meeting.Speaker) int64 {
		if sp.RegistrationID == nil {
			return 0
		}
		return *sp.RegistrationID
	}

	// Both chosen: Camille's typed line takes her link, Amélie is added.
	if code, _ := save([]int64{amelie.ID, camille.ID}, "Jan Novak — Chair\ncamille lefèvre — Rapporteure"); code != http.StatusSeeOther {
		t.Fatalf("saving with two participants chosen: %d", code)
	}
	sp := speakersInDB(t, e, item.ID)
	if len(sp) != 3 || sp[0].Name != "Jan Novak" || link(sp[0]) != 0 || sp[1].Name != "camille lefèvre" || link(sp[1]) != camille.ID ||
		sp[2].Name != "Amélie Chercheuse" || sp[2].Function != "Université de Strasbourg" || link(sp[2]) != amelie.ID {
		t.Errorf("speakers after choosing two participants: %+v", sp)
	}
	var agendaAPI struct {
		Items []meeting.Item `json:"items"`
	}
	e.JSON("GET", path+"/agenda", "secretariat", nil, 200, &agendaAPI)
	if len(agendaAPI.Items) != 1 || len(agendaAPI.Items[0].Speakers) != 3 || link(agendaAPI.Items[0].Speakers[2]) != amelie.ID {
		t.Errorf("the API reads back %+v", agendaAPI.Items)
	}
	_, page = sec.get(fmt.Sprintf("%s?edit=%d&lang=fr", agenda, item.ID))
	for _, id := range []int64{camille.ID, amelie.ID} {
		if !strings.Contains(page, fmt.Sprintf(`<option value="%d" selected>`, id)) {
			t.Errorf("registration %d is linked but not shown chosen", id)
		}
	}
	if !strings.Contains(page, "Intervenants parmi les participants") {
		t.Error("the French editor does not name the list")
	}

	// Camille no longer chosen: her line stays, unlinked; Amélie is not added twice.
	if code, _ := save([]int64{amelie.ID}, "Jan Novak — Chair\nCamille Lefèvre — Rapporteure\nAmélie Chercheuse — Université de Strasbourg"); code != http.StatusSeeOther {
		t.Fatalf("saving with one participant chosen: %d", code)
	}
	sp = speakersInDB(t, e, item.ID)
	if len(sp) != 3 || link(sp[1]) != 0 || link(sp[2]) != amelie.ID {
		t.Errorf("speakers after unchoosing Camille: %+v", sp)
	}

	// Not a participant of the meeting: a field error, nothing written.
	for _, bad := range []string{"abc", "999999"} {
		v := url.Values{"title_en": {"Changed"}, "title_fr": {"Changé"}, "speakers": {"X"}, "speaker_picker": {"1"}, "speaker_registrations": {bad}}
		code, body := sec.post(fmt.Sprintf("%s/%d?lang=en", agenda, item.ID), page, v)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-speaker_registrations"`) {
			t.Errorf("choosing %q: %d, without the field's error", bad, code)
		}
	}
	if got := speakersInDB(t, e, item.ID); len(got) != 3 || got[0].Name != "Jan Novak" {
		t.Errorf("speakers after refused saves: %+v", got)
	}
}
