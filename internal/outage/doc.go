// Package outage holds the fault scenarios of Agora's operations: real
// `agora serve` processes (built and run by internal/proctest) under load
// while what they depend on goes away and comes back.
//
//   - TestPostgresRestartUnderLoad: PostgreSQL (a private cluster, see
//     Cluster) is stopped and started again, in "fast" then "immediate"
//     mode, while clients read agendas and pages and register delegates.
//     Agora must answer 503 with a JSON error and Retry-After, never 500,
//     report not ready, and recover without a restart; no registration may
//     be half written, duplicated or over a quota.
//   - TestSMTPOutageDuringInvitationRun: Mailpit is stopped in the middle
//     of an invitation run and started again a minute later
//     (-outage.smtp-down); every invitation must then be delivered exactly
//     once and none given up.
//   - TestPostgresRestartWhileSending: PostgreSQL restarts while the mail
//     worker is sending; mail must resume, and nothing be sent twice.
//
// -outage.pg-down (default 3s) sets how long PostgreSQL stays down. With
// the defaults the package takes about two minutes, most of it the SMTP
// outage and the worker's pauses after it.
//
// The scenarios assert outcomes, never speed; each logs how long it took.
// They need the PostgreSQL server binaries (initdb, pg_ctl), Mailpit
// (internal/testmail) and the shared test server of internal/testdb.
package outage
