package demo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/coe-agora/agora/internal/auth"
	"github.com/coe-agora/agora/internal/meeting"
	"github.com/coe-agora/agora/internal/registration"
)

// Report says what Seed created, and how to sign in.
type Report struct {
	// Password is the password of every demo account. It is shown once,
	// by Write, and stored nowhere else.
	Password string
	Accounts []auth.User
	// FocalPoints is the number of focal-point contacts added.
	FocalPoints int
	Meetings    []meeting.Meeting
	// Registrations counts registrations by status.
	Registrations map[string]int
	// States is the number of states and organisations with at least one registration.
	States    int
	CheckedIn int
	// Emails counts the mail log's rows by status (withheld, queued …).
	Emails  map[string]int
	BaseURL string
	// Documents counts the meetings' documents, Files their files.
	Documents, Files int
}

// report counts what the demo left in the database.
func (s *seeder) report(ctx context.Context) (Report, error) {
	r := Report{Password: s.password, Accounts: s.accounts, FocalPoints: s.contacts, Meetings: s.meetings,
		Registrations: map[string]int{}, Emails: map[string]int{}, BaseURL: s.a.Config.BaseURL}
	var counts []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.a.DB.SelectContext(ctx, &counts, `SELECT status, count(*) AS n FROM registrations GROUP BY status`); err != nil {
		return Report{}, fmt.Errorf("demo: count registrations: %w", err)
	}
	for _, c := range counts {
		r.Registrations[c.Status] = c.N
	}
	counts = nil
	if err := s.a.DB.SelectContext(ctx, &counts, `SELECT status, count(*) AS n FROM outgoing_mail GROUP BY status`); err != nil {
		return Report{}, fmt.Errorf("demo: count emails: %w", err)
	}
	for _, c := range counts {
		r.Emails[c.Status] = c.N
	}
	err := s.a.DB.GetContext(ctx, &r.States, `SELECT count(DISTINCT invitee) FROM registrations`)
	if err == nil {
		err = s.a.DB.GetContext(ctx, &r.Documents, `SELECT count(*) FROM documents`)
	}
	if err == nil {
		err = s.a.DB.GetContext(ctx, &r.Files, `SELECT count(*) FROM document_files`)
	}
	if err == nil {
		err = s.a.DB.GetContext(ctx, &r.CheckedIn, `SELECT count(*) FROM registrations WHERE checked_in_at IS NOT NULL`)
	}
	if err != nil {
		return Report{}, fmt.Errorf("demo: count states: %w", err)
	}
	return r, nil
}

// Write prints the report for the operator: what was created, then the
// demo accounts and their password — the only place the password appears.
func (r Report) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Demo data created:\n")
	fmt.Fprintf(&b, "  %d meetings:\n", len(r.Meetings))
	ms := append([]meeting.Meeting{}, r.Meetings...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].StartsAt.Before(ms[j].StartsAt) })
	for _, m := range ms {
		fmt.Fprintf(&b, "    %s  %-19s  %s\n", m.StartsAt.In(m.Zone()).Format("2006-01-02"),
			strings.ReplaceAll(m.Status, "_", " "), m.TitleEN)
	}
	fmt.Fprintf(&b, "  %d focal-point contacts\n", r.FocalPoints)
	fmt.Fprintf(&b, "  %d documents (%d files)\n", r.Documents, r.Files)
	total := 0
	var parts []string
	for _, st := range registration.Statuses {
		if n := r.Registrations[st]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	fmt.Fprintf(&b, "  %d registrations from %d states and organisations: %s; %d checked in\n", total, r.States, strings.Join(parts, ", "), r.CheckedIn)
	emails := 0
	parts = parts[:0]
	statuses := make([]string, 0, len(r.Emails))
	for st := range r.Emails {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	for _, st := range statuses {
		emails += r.Emails[st]
		parts = append(parts, fmt.Sprintf("%d %s", r.Emails[st], st))
	}
	fmt.Fprintf(&b, "  %d emails in the mail log (%s)", emails, strings.Join(parts, ", "))
	if r.Emails["withheld"] > 0 {
		b.WriteString(": no SMTP server is configured, so they are kept, not sent")
	}
	b.WriteString("\n\nDemo accounts: for trying Agora out only. They share one password, shown\nhere once; sign in at " + r.BaseURL + "/login\n")
	for _, u := range r.Accounts {
		role := strings.ReplaceAll(u.Role, "_", " ")
		if u.Invitee != nil {
			role += " (" + *u.Invitee + ")"
		}
		fmt.Fprintf(&b, "  %-20s %s\n", role, u.Email)
	}
	fmt.Fprintf(&b, "  password: %s\n", r.Password)
	_, err := io.WriteString(w, b.String())
	return err
}
