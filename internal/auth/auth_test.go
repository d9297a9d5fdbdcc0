package auth_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/testdb"
)

func TestCreateUserValidation(t *testing.T) {
	db, _ := testdb.New(t)
	store := auth.NewStore(db)
	ctx := context.Background()
	good := auth.NewUser{Email: "Focal.Point@Example.org", Name: "Marie Curie", Role: "focal_point", State: "fr", Language: "fr", Password: "a long enough passphrase"}
	u, err := store.CreateUser(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "focal.point@example.org" || *u.StateCode != "FR" || u.PasswordHash == good.Password {
		t.Errorf("stored %+v", u)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") || !auth.CheckPassword(u, good.Password) || auth.CheckPassword(u, "wrong password!!") {
		t.Error("password not stored as a working argon2id hash")
	}
	if _, err := store.CreateUser(ctx, good); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("same email in another case: want conflict, got %v", err)
	}

	mod := func(f func(*auth.NewUser)) auth.NewUser { n := good; n.Email = "other@example.org"; f(&n); return n }
	tests := []struct {
		name  string
		in    auth.NewUser
		field string
	}{
		{"bad email", mod(func(n *auth.NewUser) { n.Email = "not-an-email" }), "email"},
		{"email with a name", mod(func(n *auth.NewUser) { n.Email = "Bob <bob@example.org>" }), "email"},
		{"no name", mod(func(n *auth.NewUser) { n.Name = "  " }), "name"},
		{"unknown role", mod(func(n *auth.NewUser) { n.Role = "king" }), "role"},
		{"focal point without state", mod(func(n *auth.NewUser) { n.State = "" }), "state"},
		{"state not in roster", mod(func(n *auth.NewUser) { n.State = "QQ" }), "state"},
		{"secretariat with a state", mod(func(n *auth.NewUser) { n.Role = "secretariat" }), "state"},
		{"language", mod(func(n *auth.NewUser) { n.Language = "de" }), "language"},
		{"short password", mod(func(n *auth.NewUser) { n.Password = "short" }), "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.CreateUser(ctx, tt.in)
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid || e.Fields[tt.field].Key == "" {
				t.Fatalf("want a field error on %s, got %v", tt.field, err)
			}
		})
	}
	var n int
	_ = db.Get(&n, `SELECT count(*) FROM users`)
	if n != 1 {
		t.Errorf("rejected accounts were written: %d users", n)
	}
}

func TestTokens(t *testing.T) {
	db, _ := testdb.New(t)
	store := auth.NewStore(db)
	ctx := context.Background()
	if _, err := store.CreateUser(ctx, auth.NewUser{Email: "sec@example.org", Name: "Sec", Role: "secretariat", Language: "en", Password: "a long enough passphrase"}); err != nil {
		t.Fatal(err)
	}
	secret, tok, err := store.CreateToken(ctx, auth.SystemActor("test"), "SEC@example.org", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) < 40 || !strings.HasPrefix(secret, "agora_") {
		t.Fatalf("token %q is too short to carry 128 bits", secret)
	}
	// The secret is nowhere in the database, in any form but its hash.
	var hits int
	err = db.Get(&hits, `SELECT count(*) FROM api_tokens t WHERE t::text LIKE '%' || $1 || '%' OR encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, secret[6:])
	if err != nil || hits != 0 {
		t.Fatalf("token stored in clear (%d rows, %v)", hits, err)
	}

	u, err := store.Authenticate(ctx, secret)
	if err != nil || u.Email != "sec@example.org" {
		t.Fatalf("authenticate: %+v %v", u, err)
	}
	tokens, _ := store.Tokens(ctx, "sec@example.org")
	if len(tokens) != 1 || tokens[0].LastUsedAt == nil {
		t.Fatalf("last use not recorded: %+v", tokens)
	}
	for _, bad := range []string{"", "agora_", secret + "x", "Bearer " + secret, strings.ToUpper(secret)} {
		if _, err := store.Authenticate(ctx, bad); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("token %q: want unauthorized, got %v", bad, err)
		}
	}
	if _, err := store.RevokeToken(ctx, auth.SystemActor("test"), itoa(tok.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(ctx, secret); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("revoked token: want unauthorized, got %v", err)
	}
	if _, err := store.RevokeToken(ctx, auth.SystemActor("test"), "999999"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown token id: want not found, got %v", err)
	}
}

func itoa(n int64) string {
	return strconv.FormatInt(n, 10)
}
