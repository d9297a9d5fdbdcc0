// Package demo fills an empty Agora with a realistic, living instance, so
// that a newcomer sees the product at work: demo accounts, focal points
// for most member states, meetings at every stage (a draft, two with
// registration open, one held) with bilingual agendas, registrations from
// many states — confirmed, waitlisted, pending, declined, cancelled,
// checked in —, experts invited in their own name, visa support letters
// asked for (one approved, one waiting) and, as a side effect, a mail log
// full of the emails that go with them.
//
// Everything goes through the same services as the web pages, with the
// same rules (quotas, waiting lists, approvals); nothing is written to the
// database behind their back.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/coe-agora/agora/internal/app"
	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/invitation"
	"github.com/coe-agora/agora/internal/meeting"
)

// AdminEmail is the login of the demo administrator.
const AdminEmail = "admin@agora.example"

// ErrNotEmpty is returned when the database already holds meetings: the
// demo only goes into an empty instance, never among real data.
var ErrNotEmpty = errors.New("the database already has meetings; the demo data only goes into an empty database")

// Contents counts what makes a database "not empty" for the demo.
func Contents(ctx context.Context, a *app.App) (meetings, users int, err error) {
	err = a.DB.GetContext(ctx, &meetings, `SELECT count(*) FROM meetings`)
	if err == nil {
		err = a.DB.GetContext(ctx, &users, `SELECT count(*) FROM users`)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("demo: count meetings and users: %w", err)
	}
	return meetings, users, nil
}

// seedLock keeps two demo seeds from interleaving (pg_advisory_lock key).
const seedLock = 7_270_300

// seeder carries what the demo's steps share.
type seeder struct {
	a           *app.App
	now         time.Time
	password    string
	secretariat auth.Actor
	focal       map[string]auth.Actor // focal-point accounts by state
	accounts    []auth.User
	meetings    []meeting.Meeting
	contacts    int
}

// Seed creates the demo on a, which must have been prepared (migrated,
// roster seeded). It refuses with ErrNotEmpty when a meeting exists. The
// services commit step by step: a failure halfway leaves part of the demo
// behind, and the next Seed refuses; start again from an empty database.
func Seed(ctx context.Context, a *app.App) (Report, error) {
	conn, err := a.DB.Connx(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("demo: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, seedLock); err != nil {
		return Report{}, fmt.Errorf("demo: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, seedLock) //nolint:errcheck

	if n, _, err := Contents(ctx, a); err != nil {
		return Report{}, err
	} else if n > 0 {
		return Report{}, ErrNotEmpty
	}
	s := &seeder{a: a, now: time.Now(), password: rand.Text(), focal: map[string]auth.Actor{}}
	steps := []func(context.Context) error{
		s.createAccounts, s.addFocalPoints,
		s.pastMeetings, s.bureau, s.plenary, s.webinar, s.expertGroup, s.documents, s.guests,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return Report{}, err
		}
	}
	return s.report(ctx)
}

// createAccounts creates the administrator, a secretariat officer and
// focal-point accounts for a few states, all with one random password.
func (s *seeder) createAccounts(ctx context.Context) error {
	users := []auth.NewUser{
		{Email: AdminEmail, Name: "Demo Administrator", Role: auth.RoleAdmin, Language: "en"},
		{Email: "sophie.klein@agora.example", Name: "Sophie Klein", Role: auth.RoleSecretariat, Language: "fr"},
	}
	for _, code := range focalAccounts {
		d := delegations[code]
		p := d.People[0]
		users = append(users, auth.NewUser{Email: p.email(d), Name: p.Name(), Role: auth.RoleFocalPoint,
			State: code, Language: p.lang(d)})
	}
	for _, n := range users {
		n.Password = s.password
		u, err := s.a.Auth.CreateUser(ctx, n)
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", n.Email, err)
		}
		s.accounts = append(s.accounts, u)
		switch u.Role {
		case auth.RoleSecretariat:
			s.secretariat = auth.Actor{User: &u}
		case auth.RoleFocalPoint:
			s.focal[n.State] = auth.Actor{User: &u}
		}
	}
	return nil
}

// focalAccounts are the states (and the organisation) whose Permanent
// Correspondent signs in.
var focalAccounts = []string{"FR", "DE", "PL", "GR", "MA", "EUDA"}

// addFocalPoints adds the focal-point contacts that invitations go to.
func (s *seeder) addFocalPoints(ctx context.Context) error {
	codes := make([]string, 0, len(delegations))
	for code := range delegations {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if withoutFocalPoint[code] {
			continue
		}
		d := delegations[code]
		people := d.People[:1]
		if secondFocalPoint[code] {
			people = d.People[:2]
		}
		for _, p := range people {
			_, err := s.a.FocalPoints.Add(ctx, s.secretariat, code, invitation.NewFocalPoint{
				Name: p.Name(), Email: p.email(d), Language: p.lang(d)})
			if err != nil {
				return fmt.Errorf("demo: focal point of %s: %w", code, err)
			}
			s.contacts++
		}
	}
	return nil
}
