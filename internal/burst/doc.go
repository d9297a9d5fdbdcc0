// Package burst holds the scale and resilience scenarios of Agora, run
// against real processes built from cmd/agora (see internal/proctest): a
// registration burst over two `agora serve` processes while one of them is
// killed with SIGKILL; two serve and two worker processes delivering every
// email of a burst to a real SMTP server (Mailpit) exactly once; and a soak
// of thousands of registrations with cancellations, approvals and declines
// interleaved, after which quotas, the waiting-list order and the emails
// are checked against the database and the mailbox.
//
// The package has only tests. They assert outcomes, never speed; they log
// the counts and durations they observe. The soak's size and seed are
// flags (default 10,000 registrations, a new seed each run, logged):
//
//	go test -count=1 -run TestSoak -v ./internal/burst/ -soak.registrations 10000 -soak.seed 42
package burst
