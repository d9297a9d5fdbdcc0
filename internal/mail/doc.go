// Package mail is Agora's transactional outbox and its SMTP worker.
//
// Every email is a row of outgoing_mail written by [Outbox.Enqueue] in the
// same transaction as the change that causes it, so an email exists if and
// only if its cause was committed. A [Worker] (one or more per database, in
// any number of processes) claims due rows with FOR UPDATE SKIP LOCKED and a
// lease, sends them through a [Pool] of SMTP connections, and records the
// outcome:
//
//	queued ──claim──▶ sending ──250──▶ sent
//	   ▲                 │ 4xx, network error ──▶ retrying ──(due)──▶ sending …
//	   │                 │ 5xx, too many attempts, too old ──▶ failed
//	   │                 └ lease ran out (worker died) ──▶ due again
//	withheld ──Release (SMTP configured)──┘    failed, sent ──Resend──▶ queued
//
// Delivery is at least once: a worker that dies after the server accepted a
// message but before it recorded that will have the message sent again when
// the lease runs out. The Message-ID is kept across attempts so receiving
// clients can discard such a duplicate.
//
// [Renderer] turns the templates under templates/email into the subject,
// text and HTML of a message in the recipient's language.
package mail
