package registration_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apptest"
	"github.com/coe-agora/agora/internal/registration"
)

// hybrid publishes a hybrid meeting whose room holds room people (3
// seats per state, FR, DE and MA invited).
func hybrid(t *testing.T, room int) fixture {
	return setup(t, func(b map[string]any) {
		b["format"], b["online_url"], b["venue_en"] = "hybrid", "https://meet.example.org/hybrid", "Palais de l'Europe"
		b["in_person_capacity"], b["seats_per_state"], b["funded_seats_per_state"] = room, 3, 0
	})
}

func (f fixture) linkPerson(i int, st, attendance string) map[string]any {
	b := person(i)
	b["invitation_token"] = f.links[st]
	if attendance != "" {
		b["attendance"] = attendance
	}
	return b
}

// The room of a hybrid meeting holds under concurrency, across states:
// registrations that all arrive at once, each for a state with seats
// left, fill the room and no more; the others are told, on the field,
// that the room is full and that online has room. Each state's lock
// alone would let one person per state in at the same time, past the
// room's size.
func TestRoomOfAHybridMeetingHoldsUnderConcurrency(t *testing.T) {
	f := hybrid(t, 2)
	db := f.e.App.DB
	// Everyone waits behind an edit of the meeting under way, then all
	// go at once.
	hold := holding(t, db, `SELECT pg_advisory_xact_lock($1::int, -1)`, f.m.ID)
	states := []string{"FR", "DE", "MA", "FR", "DE", "MA"}
	regs := make([]*pending, len(states))
	for i, st := range states {
		regs[i] = f.send("POST", f.path("/registrations"), "", f.linkPerson(i, st, "in_person"))
	}
	allDone := make(chan struct{})
	go func() {
		for _, r := range regs {
			<-r.done
		}
		close(allDone)
	}()
	waitForLockWaits(t, db, len(states), allDone)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	created, full := 0, 0
	for i, r := range regs {
		code, body := r.wait()
		switch {
		case code == 201:
			created++
		case code == 422 && strings.Contains(apptest.ErrorFields(body)["attendance"], "online"):
			full++
		default:
			t.Errorf("registration %d: %d %s", i, code, body)
		}
	}
	if created != 2 || full != 4 {
		t.Errorf("%d registered and %d told the room is full, want 2 and 4", created, full)
	}
	if n := f.count(t, "status = 'confirmed' AND attendance = 'in_person'"); n != 2 {
		t.Errorf("%d confirmed in the room of 2", n)
	}
	if n := f.count(t, "true"); n != 2 {
		t.Errorf("%d registrations written, want only the 2 that fit", n)
	}

	// Online has no limit: the same people register online.
	var online registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", f.linkPerson(10, "MA", "online"), 201, &online)
	if online.Status != registration.StatusConfirmed || online.Attendance != "online" {
		t.Errorf("online registration: %s, %s", online.Status, online.Attendance)
	}
	var mailText string
	if err := db.Get(&mailText, `SELECT text_body FROM outgoing_mail WHERE registration_id = $1 AND kind = 'registration_confirmed'`, online.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mailText, "You attend: online") {
		t.Errorf("the confirmation does not say how the person attends:\n%s", mailText)
	}
	// Not in the room by their manage link either, while it is full …
	token := online.ManageURL[strings.LastIndex(online.ManageURL, "/")+1:]
	code, body := f.e.Do("PATCH", "/api/v1/manage/"+token, "", map[string]any{"attendance": "in_person"})
	if code != 422 || apptest.ErrorFields(body)["attendance"] == "" {
		t.Errorf("moving into the full room: %d %s, want 422 on attendance", code, body)
	}
	// … but once someone in the room goes online, there is a place.
	var inRoom []int64
	if err := db.Select(&inRoom, `SELECT id FROM registrations WHERE meeting_id = $1 AND attendance = 'in_person' ORDER BY id`, f.m.ID); err != nil {
		t.Fatal(err)
	}
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", inRoom[0]), "secretariat", nil, 200, nil)
	var moved registration.Registration
	f.e.JSON("PATCH", "/api/v1/manage/"+token, "", map[string]any{"attendance": "in_person"}, 200, &moved)
	if moved.Attendance != "in_person" || f.count(t, "status = 'confirmed' AND attendance = 'in_person'") != 2 {
		t.Errorf("after a place freed: %s, %d in the room", moved.Attendance, f.count(t, "status = 'confirmed' AND attendance = 'in_person'"))
	}
}

// The way of attending must fit the meeting: online at an in-person
// meeting is a field error and writes nothing; unsaid, it is the
// meeting's own. The room's size cannot go below the people in it.
func TestAttendanceFitsTheMeeting(t *testing.T) {
	f := setup(t, nil) // in person
	code, body := f.e.Do("POST", f.path("/registrations"), "", f.linkPerson(0, "FR", "online"))
	if code != 422 || apptest.ErrorFields(body)["attendance"] == "" {
		t.Errorf("online at an in-person meeting: %d %s", code, body)
	}
	code, body = f.e.Do("POST", f.path("/registrations"), "", f.linkPerson(1, "FR", "by pigeon"))
	if code != 422 || apptest.ErrorFields(body)["attendance"] == "" {
		t.Errorf("unknown attendance: %d %s", code, body)
	}
	code, body = f.e.Do("POST", f.path("/registrations"), "", func() map[string]any {
		b := f.linkPerson(2, "FR", "")
		b["gender"] = "martian"
		return b
	}())
	if code != 422 || apptest.ErrorFields(body)["gender"] == "" {
		t.Errorf("unknown gender: %d %s", code, body)
	}
	if n := f.count(t, "true"); n != 0 {
		t.Errorf("%d registrations written by refused requests", n)
	}
	var r registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", f.linkPerson(3, "FR", ""), 201, &r)
	if r.Attendance != "in_person" {
		t.Errorf("attendance unsaid: %q, want in_person", r.Attendance)
	}
	code, body = f.e.Do("PATCH", f.path(""), "secretariat", map[string]any{"in_person_capacity": 5})
	if code != 422 || apptest.ErrorFields(body)["in_person_capacity"] == "" {
		t.Errorf("a room for an in-person meeting: %d %s", code, body)
	}

	h := hybrid(t, 3)
	for i := range 2 {
		h.e.JSON("POST", h.path("/registrations"), "", h.linkPerson(i, "FR", "in_person"), 201, nil)
	}
	code, body = h.e.Do("PATCH", h.path(""), "secretariat", map[string]any{"in_person_capacity": 1})
	if code != 422 || !strings.Contains(apptest.ErrorFields(body)["in_person_capacity"], "2") {
		t.Errorf("room below the 2 people in it: %d %s", code, body)
	}
	var capacity int
	if err := h.e.App.DB.Get(&capacity, `SELECT in_person_capacity FROM meetings WHERE id = $1`, h.m.ID); err != nil || capacity != 3 {
		t.Errorf("room after the refused edit: %d (%v), want 3", capacity, err)
	}
}

// Gender is self-declared: the person sees it, the lists of the
// secretariat and focal points never show it per person.
func TestGenderIsNotShownOnLists(t *testing.T) {
	f := setup(t, nil)
	b := f.linkPerson(0, "FR", "")
	b["gender"] = "woman"
	var r registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", b, 201, &r)
	var stored string
	if err := f.e.App.DB.Get(&stored, `SELECT gender FROM registrations WHERE id = $1`, r.ID); err != nil || stored != "woman" {
		t.Fatalf("gender stored: %q (%v)", stored, err)
	}
	token := r.ManageURL[strings.LastIndex(r.ManageURL, "/")+1:]
	if _, body := f.e.Do("GET", "/api/v1/manage/"+token, "", nil); !strings.Contains(string(body), `"gender":"woman"`) {
		t.Errorf("the person's own view lacks their gender: %s", body)
	}
	for _, path := range []string{f.path("/registrations"), fmt.Sprintf("/api/v1/registrations/%d", r.ID)} {
		for _, as := range []string{"secretariat", "fp_FR"} {
			code, body := f.e.Do("GET", path, as, nil)
			if code != 200 || strings.Contains(string(body), "gender") || strings.Contains(string(body), "woman") {
				t.Errorf("GET %s as %s: %d, shows the gender: %s", path, as, code, body)
			}
		}
	}
}

// A seat a state frees goes to the first person waiting who fits: one
// waiting for the room while it is full is passed over for the next,
// who attends online, and gets the room once a place in it is free.
func TestWaitingListPassesOverThoseWaitingForAFullRoom(t *testing.T) {
	f := setup(t, func(b map[string]any) {
		b["format"], b["online_url"] = "hybrid", "https://meet.example.org/hybrid"
		b["in_person_capacity"], b["seats_per_state"], b["funded_seats_per_state"] = 1, 1, 0
	})
	var a, inRoom, online, d registration.Result
	f.e.JSON("POST", f.path("/registrations"), "", f.linkPerson(0, "FR", "online"), 201, &a)
	f.e.JSON("POST", f.path("/registrations"), "", f.linkPerson(1, "FR", "in_person"), 201, &inRoom)
	f.e.JSON("POST", f.path("/registrations"), "", f.linkPerson(2, "FR", "online"), 201, &online)
	f.e.JSON("POST", f.path("/registrations"), "", f.linkPerson(3, "DE", "in_person"), 201, &d)
	if a.Status != "confirmed" || inRoom.Status != "waitlisted" || online.Status != "waitlisted" || d.Status != "confirmed" {
		t.Fatalf("statuses %s %s %s %s", a.Status, inRoom.Status, online.Status, d.Status)
	}
	status := func(id int64) string {
		var s string
		if err := f.e.App.DB.Get(&s, `SELECT status FROM registrations WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return s
	}
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", a.ID), "secretariat", nil, 200, nil)
	if status(inRoom.ID) != "waitlisted" || status(online.ID) != "confirmed" {
		t.Errorf("after FR's seat freed: in-person %s, online %s; want waitlisted (room full) and confirmed", status(inRoom.ID), status(online.ID))
	}
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", online.ID), "secretariat", nil, 200, nil)
	if status(inRoom.ID) != "waitlisted" {
		t.Errorf("FR's seat freed again but the room is still full: %s", status(inRoom.ID))
	}
	f.e.JSON("POST", fmt.Sprintf("/api/v1/registrations/%d/cancel", d.ID), "secretariat", nil, 200, nil)
	if status(inRoom.ID) != "confirmed" {
		t.Errorf("the room freed: the person waiting for it is %s", status(inRoom.ID))
	}
}
