package meeting_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/testdb"
	"github.com/coe-agora/agora/internal/validate"
)

func setup(t *testing.T) (*meeting.Service, auth.Actor, meeting.Meeting) {
	t.Helper()
	db, _ := testdb.New(t)
	users := auth.NewStore(db)
	u, err := users.CreateUser(context.Background(), auth.NewUser{Email: "sec@example.org", Name: "Sec", Role: auth.RoleSecretariat, Language: "en", Password: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	svc := meeting.NewService(db, validate.New())
	sec := auth.Actor{User: &u}
	f := meeting.DefaultFields()
	f.Kind, f.TitleEN, f.TitleFR = "expert_group", "Expert group on prisons", "Groupe d'experts sur les prisons"
	f.StartsAt = time.Date(2027, 3, 9, 8, 30, 0, 0, time.UTC)
	f.EndsAt = f.StartsAt.Add(8 * time.Hour)
	m, err := svc.Create(context.Background(), sec, f)
	if err != nil {
		t.Fatal(err)
	}
	return svc, sec, m
}

func TestAgendaRules(t *testing.T) {
	svc, sec, m := setup(t)
	ctx := context.Background()
	h := func(hours float64) *time.Time {
		t := m.StartsAt.Add(time.Duration(hours * float64(time.Hour)))
		return &t
	}
	first, err := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "Opening", TitleFR: "Ouverture", StartsAt: h(0), EndsAt: h(1)})
	if err != nil {
		t.Fatal(err)
	}
	child, err := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "Welcome", ParentID: &first.ID})
	if err != nil || child.Number != "1.1" {
		t.Fatalf("sub-item: %+v %v", child, err)
	}
	tests := []struct {
		name  string
		f     meeting.ItemFields
		field string
	}{
		{"no title", meeting.ItemFields{}, "title_en"},
		{"before the meeting", meeting.ItemFields{TitleEN: "Early", StartsAt: h(-1)}, "starts_at"},
		{"after the meeting", meeting.ItemFields{TitleEN: "Late", StartsAt: h(7), EndsAt: h(9)}, "ends_at"},
		{"ends before it starts", meeting.ItemFields{TitleEN: "Odd", StartsAt: h(3), EndsAt: h(2)}, "ends_at"},
		{"end without start", meeting.ItemFields{TitleEN: "Odd", EndsAt: h(2)}, "starts_at"},
		{"overlaps a timed sibling", meeting.ItemFields{TitleEN: "Clash", StartsAt: h(0.5), EndsAt: h(1.5)}, "starts_at"},
		{"sub-sub-item", meeting.ItemFields{TitleEN: "Deep", ParentID: &child.ID}, "parent_id"},
		{"parent elsewhere", meeting.ItemFields{TitleEN: "Lost", ParentID: ptr(int64(987654))}, "parent_id"},
		{"speaker without name", meeting.ItemFields{TitleEN: "Talk", Speakers: meeting.Speakers{{Function: "Chair"}}}, "speakers[0].name"},
		{"position past the end", meeting.ItemFields{TitleEN: "Far", Position: 5}, "position"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.AddItem(ctx, sec, m.ID, tt.f)
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Fields[tt.field].Key == "" {
				t.Fatalf("want a field error on %s, got %v", tt.field, err)
			}
		})
	}
	// Touching but not overlapping is fine.
	if _, err := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "Next", StartsAt: h(1), EndsAt: h(2)}); err != nil {
		t.Fatalf("adjacent item rejected: %v", err)
	}
	items, _ := svc.Agenda(ctx, sec, m.ID)
	if len(items) != 3 {
		t.Fatalf("rejected items were written: %d items", len(items))
	}
}

func ptr[T any](v T) *T { return &v }

// Many reorders at once: the agenda always ends in one of the requested
// orders, positions stay 1..n, nothing is lost or duplicated.
func TestConcurrentReorders(t *testing.T) {
	svc, sec, m := setup(t)
	ctx := context.Background()
	var ids []int64
	for i := range 8 {
		it, err := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "Item " + string(rune('A'+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	orders := make([][]int64, 12)
	for i := range orders {
		o := append([]int64{}, ids...)
		rand.Shuffle(len(o), func(a, b int) { o[a], o[b] = o[b], o[a] })
		orders[i] = o
	}
	var wg sync.WaitGroup
	errs := make([]error, len(orders))
	for i, o := range orders {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = svc.Reorder(ctx, sec, m.ID, o) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("reorder %d: %v", i, err)
		}
	}
	items, err := svc.Agenda(ctx, sec, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int64, len(items))
	for i, it := range items {
		got[i] = it.ID
		if it.Position != i+1 || it.Number != strconv.Itoa(i+1) {
			t.Errorf("item %d at index %d has position %d, number %q", it.ID, i, it.Position, it.Number)
		}
	}
	matched := false
	for _, o := range orders {
		if slices.Equal(o, got) {
			matched = true
		}
	}
	if !matched {
		t.Fatalf("final order %v is none of the requested ones", got)
	}
	if _, err := svc.Reorder(ctx, sec, m.ID, ids[:7]); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a reorder that leaves an item out must be refused, got %v", err)
	}
	dup := append(append([]int64{}, ids[:7]...), ids[0])
	if _, err := svc.Reorder(ctx, sec, m.ID, dup); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a reorder naming an item twice must be refused, got %v", err)
	}
}

func TestMoveAndDeleteKeepPositionsDense(t *testing.T) {
	svc, sec, m := setup(t)
	ctx := context.Background()
	a, _ := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "A"})
	b, _ := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "B"})
	c, _ := svc.AddItem(ctx, sec, m.ID, meeting.ItemFields{TitleEN: "C", Position: 1})
	// C first, then A, B. Move B under A, then delete C.
	if _, err := svc.UpdateItem(ctx, sec, b.ID, func(f *meeting.ItemFields) error { f.ParentID = &a.ID; f.Position = 0; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteItem(ctx, sec, c.ID); err != nil {
		t.Fatal(err)
	}
	items, _ := svc.Agenda(ctx, sec, m.ID)
	if len(items) != 2 || items[0].ID != a.ID || items[0].Number != "1" || items[1].ID != b.ID || items[1].Number != "1.1" {
		t.Fatalf("agenda after move and delete: %+v", items)
	}
	hist, err := svc.History(ctx, sec, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var whats []string
	for _, h := range hist {
		whats = append(whats, h.What)
	}
	want := []string{"create", "agenda.add", "agenda.add", "agenda.add", "agenda.update", "agenda.update", "agenda.delete"}
	if !slices.Equal(whats, want) {
		t.Errorf("history %v, want %v", whats, want)
	}
}
