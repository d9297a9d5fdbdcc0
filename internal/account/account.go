// Package account handles what a signed-in person does with their own
// account: resetting a forgotten password by an emailed, single-use,
// expiring link.
package account

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/mail"
	"github.com/coe-agora/agora/internal/postgres"
)

// Service sends and honours password reset links.
type Service struct {
	db       *sqlx.DB
	users    *auth.Store
	outbox   *mail.Outbox
	renderer *mail.Renderer
	baseURL  string
}

// NewService returns the account service.
func NewService(db *sqlx.DB, users *auth.Store, outbox *mail.Outbox, renderer *mail.Renderer, baseURL string) *Service {
	return &Service{db: db, users: users, outbox: outbox, renderer: renderer, baseURL: baseURL}
}

// RequestReset emails a reset link to the account with this address, in
// the account's language. For an unknown address it does nothing and
// reports no error, so the page answers the same either way.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	secret, u, ok, err := s.users.StartReset(ctx, email)
	if err != nil || !ok {
		return err
	}
	data := struct {
		Name string
		URL  string
	}{u.Name, s.baseURL + "/password/reset/" + secret}
	subject, text, html, err := s.renderer.Render("password_reset", u.Language, data)
	if err != nil {
		return err
	}
	return postgres.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		_, _, err := s.outbox.Enqueue(ctx, tx, mail.Message{
			Kind: "password_reset", To: u.Email, ToName: u.Name, Language: u.Language,
			Subject: subject, Text: text, HTML: html,
			DedupeKey: fmt.Sprintf("password_reset:%x", auth.HashToken(secret)[:12]),
		})
		return err
	})
}

// Reset sets a new password with a reset link's secret.
func (s *Service) Reset(ctx context.Context, secret, password string) (auth.User, error) {
	return s.users.FinishReset(ctx, secret, password)
}
