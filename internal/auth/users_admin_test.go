package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/testdb"
)

func newAccount(t *testing.T, s *auth.Store, email, role, state string) auth.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), auth.NewUser{Email: email, Name: email, Role: role, State: state,
		Language: "en", Password: "a long enough passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAccountAdministrationRules(t *testing.T) {
	db, _ := testdb.New(t)
	s := auth.NewStore(db)
	ctx := context.Background()
	admin := newAccount(t, s, "admin@example.org", auth.RoleAdmin, "")
	sec := newAccount(t, s, "sec@example.org", auth.RoleSecretariat, "")
	fp := newAccount(t, s, "fp@example.org", auth.RoleFocalPoint, "FR")
	asAdmin, asSec, asFP := auth.Actor{User: &admin}, auth.Actor{User: &sec}, auth.Actor{User: &fp}

	tests := []struct {
		name string
		by   auth.Actor
		id   int64
		ch   auth.UserChange
		want error       // a sentinel, or nil
		code apperr.Code // when want is nil and an error is expected
	}{
		{"secretariat may not change roles", asSec, sec.ID, auth.UserChange{Role: auth.RoleAdmin, Language: "en"}, auth.ErrNotAdmin, ""},
		{"focal point may not change roles", asFP, fp.ID, auth.UserChange{Role: auth.RoleAdmin, Language: "en"}, auth.ErrNotAdmin, ""},
		{"anonymous may not change roles", auth.Actor{}, fp.ID, auth.UserChange{Role: auth.RoleAdmin, Language: "en"}, auth.ErrNotAdmin, ""},
		{"the last admin keeps the role", asAdmin, admin.ID, auth.UserChange{Role: auth.RoleSecretariat, Language: "en"}, auth.ErrLastAdmin, ""},
		{"a focal point needs a state", asAdmin, sec.ID, auth.UserChange{Role: auth.RoleFocalPoint, Language: "en"}, nil, apperr.Invalid},
		{"a state must be in the roster", asAdmin, sec.ID, auth.UserChange{Role: auth.RoleFocalPoint, State: "QQ", Language: "en"}, nil, apperr.Invalid},
		{"unknown role", asAdmin, sec.ID, auth.UserChange{Role: "king", Language: "en"}, nil, apperr.Invalid},
		{"unknown language", asAdmin, sec.ID, auth.UserChange{Role: auth.RoleSecretariat, Language: "de"}, nil, apperr.Invalid},
		{"unknown account", asAdmin, 999999, auth.UserChange{Role: auth.RoleSecretariat, Language: "en"}, nil, apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ChangeUser(ctx, tt.by, tt.id, tt.ch)
			switch {
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("got %v, want %v", err, tt.want)
			case tt.want == nil && !apperr.Is(err, tt.code):
				t.Fatalf("got %v, want a %s error", err, tt.code)
			}
		})
	}
	if err := s.DeleteUser(ctx, asAdmin, admin.ID); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("deleting the last admin: %v", err)
	}
	if err := s.DeleteUser(ctx, asSec, fp.ID); !errors.Is(err, auth.ErrNotAdmin) {
		t.Errorf("secretariat deleting an account: %v", err)
	}

	// A focal point moved to the secretariat loses their state; one moved
	// to another state is bound to it.
	u, err := s.ChangeUser(ctx, asAdmin, fp.ID, auth.UserChange{Role: auth.RoleFocalPoint, State: "de", Language: "fr"})
	if err != nil || *u.StateCode != "DE" || u.Language != "fr" {
		t.Fatalf("move to DE: %+v %v", u, err)
	}
	u, err = s.ChangeUser(ctx, asAdmin, fp.ID, auth.UserChange{Role: auth.RoleSecretariat, State: "DE", Language: "fr"})
	if err != nil || u.StateCode != nil || u.Role != auth.RoleSecretariat {
		t.Fatalf("to secretariat: %+v %v", u, err)
	}
	// With a second admin, the first may step down; then the second is the last.
	if _, err := s.ChangeUser(ctx, asAdmin, sec.ID, auth.UserChange{Role: auth.RoleAdmin, Language: "en"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeUser(ctx, asAdmin, admin.ID, auth.UserChange{Role: auth.RoleSecretariat, Language: "en"}); err != nil {
		t.Fatalf("an admin steps down while another remains: %v", err)
	}
	sec.Role = auth.RoleAdmin
	if err := s.DeleteUser(ctx, asSec, sec.ID); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("deleting the new last admin: %v", err)
	}
	if err := s.DeleteUser(ctx, asSec, admin.ID); err != nil {
		t.Errorf("deleting a former admin: %v", err)
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 || users[0].ID != sec.ID {
		t.Errorf("users after the changes: %+v %v", users, err)
	}
}

// Two admins demoting each other at the same moment: one must stay.
func TestAdminsCannotDemoteEachOtherAtOnce(t *testing.T) {
	db, _ := testdb.New(t)
	s := auth.NewStore(db)
	ctx := context.Background()
	for round := 0; round < 10; round++ {
		_, _ = db.Exec(`DELETE FROM users`)
		a := newAccount(t, s, "a@example.org", auth.RoleAdmin, "")
		b := newAccount(t, s, "b@example.org", auth.RoleAdmin, "")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]auth.User{{a, b}, {b, a}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				by := pair[0]
				_, errs[i] = s.ChangeUser(ctx, auth.Actor{User: &by}, pair[1].ID, auth.UserChange{Role: auth.RoleSecretariat, Language: "en"})
			}()
		}
		wg.Wait()
		n, err := s.CountAdmins(ctx)
		if err != nil || n != 1 {
			t.Fatalf("round %d: %d admins left (%v, %v)", round, n, errs[0], errs[1])
		}
	}
}
