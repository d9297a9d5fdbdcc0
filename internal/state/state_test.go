package state_test

import (
	"context"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/state"
	"github.com/coe-agora/agora/internal/testdb"
)

func indexOf(states []state.State, code string) int {
	for i, s := range states {
		if s.Code == code {
			return i
		}
	}
	return -1
}

func TestProtocolOrder(t *testing.T) {
	db, _ := testdb.New(t)
	store := state.NewStore(db)
	ctx := context.Background()

	fr, err := store.States(ctx, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if len(fr) != len(state.Roster) {
		t.Fatalf("got %d states, the roster has %d", len(fr), len(state.Roster))
	}
	// In French, Allemagne (DE) comes before Andorre (AD) and Égypte (EG)
	// sorts among the E's, before Espagne (ES), not after Z.
	before := [][2]string{{"DE", "AD"}, {"EG", "ES"}, {"ES", "EE"}, {"MK", "MT"}, {"SK", "CZ"}}
	for _, p := range before {
		if indexOf(fr, p[0]) > indexOf(fr, p[1]) {
			t.Errorf("French order: %s should come before %s", p[0], p[1])
		}
	}
	if fr[0].NameFR != "Albanie" || fr[1].NameFR != "Algérie" || fr[2].NameFR != "Allemagne" {
		t.Errorf("French list starts %s, %s, %s; want Albanie, Algérie, Allemagne", fr[0].NameFR, fr[1].NameFR, fr[2].NameFR)
	}

	en, err := store.States(ctx, "en")
	if err != nil {
		t.Fatal(err)
	}
	// In English, Germany (DE) comes after Andorra (AD); Türkiye sorts under T.
	if indexOf(en, "AD") > indexOf(en, "DE") {
		t.Error("English order: Andorra should come before Germany")
	}
	if i, j := indexOf(en, "TR"), indexOf(en, "TN"); i < j {
		t.Errorf("English order: Türkiye (%d) should follow Tunisia (%d)", i, j)
	}
}

func TestRosterNames(t *testing.T) {
	db, _ := testdb.New(t)
	store := state.NewStore(db)
	want := map[string][2]string{
		"MK": {"North Macedonia", "Macédoine du Nord"},
		"MD": {"Republic of Moldova", "République de Moldova"},
		"TR": {"Türkiye", "Türkiye"},
		"SK": {"Slovak Republic", "République slovaque"},
	}
	for code, names := range want {
		s, err := store.State(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		if s.NameEN != names[0] || s.NameFR != names[1] {
			t.Errorf("%s: got %q / %q, want %q / %q", code, s.NameEN, s.NameFR, names[0], names[1])
		}
	}
}

func TestUpdateState(t *testing.T) {
	db, _ := testdb.New(t)
	store := state.NewStore(db)
	ctx := context.Background()

	got, err := store.UpdateState(ctx, auth.SystemActor("test"), "RU", state.Update{NameEN: "Russian Federation", NameFR: "Fédération de Russie", Status: "inactive"})
	if err != nil || got.Status != "inactive" {
		t.Fatalf("update: %+v %v", got, err)
	}

	tests := []struct {
		name  string
		in    state.Update
		field string
	}{
		{"empty english name", state.Update{NameEN: " ", NameFR: "France", Status: "member"}, "name_en"},
		{"missing french name", state.Update{NameEN: "France", Status: "member"}, "name_fr"},
		{"unknown status", state.Update{NameEN: "France", NameFR: "France", Status: "friend"}, "status"},
		{"two lines", state.Update{NameEN: "Fra\nnce", NameFR: "France", Status: "member"}, "name_en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.UpdateState(ctx, auth.SystemActor("test"), "FR", tt.in)
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Fields[tt.field].Key == "" {
				t.Fatalf("want a field error on %s, got %v", tt.field, err)
			}
			s, _ := store.State(ctx, "FR")
			if s.NameEN != "France" || s.Status != "member" {
				t.Fatalf("a rejected update changed the state: %+v", s)
			}
		})
	}
	if _, err := store.UpdateState(ctx, auth.SystemActor("test"), "XX", state.Update{NameEN: "X", NameFR: "X", Status: "member"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown code: want not found, got %v", err)
	}
}
