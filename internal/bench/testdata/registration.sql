-- pgbench's side of BenchmarkRegistration: one registration through an
-- invitation link, as the statements registration.Service.Register sends
-- for it (internal/registration/quota.go and service.go, and
-- mail.Outbox.Enqueue, meeting.Service.LockForSeats): hold the meeting's
-- lock shared (edits and cancellations hold it exclusively), read the
-- meeting, lock the state's quota, count the seats, insert the
-- registration with the status the count (and the quotas read with it,
-- under the lock) decides, queue its email, commit.
-- Variables (-D): meeting; states and invitations, comma-separated in the
-- same order, nstates of each; seats (seats_per_state); mail_template, an
-- outgoing_mail row the app wrote for a registration, whose subject and
-- bodies are copied so rows are the app's size; mail_status, "withheld"
-- as the app writes without SMTP ("queued" also notifies the workers).
-- The benchmark checks that every transaction wrote a registration and an
-- email whose dedupe_key starts with "pgbench:"; a variant must too.
\set s random(1, :nstates)
BEGIN;
SET LOCAL lock_timeout = '5s';
SELECT pg_advisory_xact_lock_shared(:meeting::int, -1);
SELECT m.*, ARRAY(SELECT s.state_code FROM meeting_states s WHERE s.meeting_id = m.id ORDER BY s.state_code),
    ARRAY(SELECT o.organisation_code FROM meeting_organisations o WHERE o.meeting_id = m.id ORDER BY o.organisation_code)
FROM meetings m WHERE m.id = :meeting;
SELECT pg_advisory_xact_lock(:meeting::int, hashtext(split_part(:states, ',', :s)));
SELECT status = 'active' FROM invitations WHERE id = split_part(:invitations, ',', :s)::bigint;
SELECT u.*,
       coalesce((m.quotas -> split_part(:states, ',', :s) ->> 'seats')::int,
                CASE WHEN o.organisation THEN m.seats_per_organisation ELSE m.seats_per_state END) AS seats_per_state,
       coalesce((m.quotas -> split_part(:states, ',', :s) ->> 'funded_seats')::int,
                CASE WHEN o.organisation THEN m.funded_seats_per_organisation ELSE m.funded_seats_per_state END) AS funded_seats_per_state,
       m.capacity
FROM meetings m, LATERAL (
    SELECT count(*) FILTER (WHERE invitee = split_part(:states, ',', :s)) AS state_confirmed,
           count(*) FILTER (WHERE invitee = split_part(:states, ',', :s) AND funded) AS state_funded,
           count(*) AS total_confirmed
    FROM registrations WHERE meeting_id = m.id AND status = 'confirmed') u,
     LATERAL (SELECT EXISTS (SELECT 1 FROM organisations WHERE code = split_part(:states, ',', :s)) AS organisation) o
WHERE m.id = :meeting
\gset
INSERT INTO registrations (meeting_id, state_code, organisation_code, invitation_id, first_name, last_name, email, function,
    organisation, delegation_role, language, funding_requested, funded, dietary, accessibility, list_consent,
    consent_at, status, waitlisted_at, manage_nonce, manage_hash, source, created_by, replaces_id)
VALUES (:meeting, (SELECT code FROM states WHERE code = split_part(:states, ',', :s)),
    (SELECT code FROM organisations WHERE code = split_part(:states, ',', :s)), split_part(:invitations, ',', :s)::bigint, 'Pat', 'Bench',
    'pgbench.' || gen_random_uuid() || '@example.org', '', '', 'delegate', 'en', false, false, '', '', false, NULL,
    CASE WHEN :state_confirmed::int < :seats_per_state::int THEN 'confirmed' ELSE 'waitlisted' END,
    CASE WHEN :state_confirmed::int >= :seats_per_state::int THEN clock_timestamp() END,
    uuid_send(gen_random_uuid()), sha256(uuid_send(gen_random_uuid())), 'link', NULL, NULL)
RETURNING *;
WITH ins AS (
    INSERT INTO outgoing_mail (kind, to_address, to_name, language, subject, text_body, html_body,
        calendar, calendar_method, meeting_id, registration_id, dedupe_key, message_id, status)
    SELECT kind, 'pgbench.' || gen_random_uuid() || '@example.org', to_name, language, subject, text_body, html_body,
        calendar, calendar_method, :meeting, currval('registrations_id_seq'),
        'pgbench:' || currval('registrations_id_seq'), 'pgbench.' || gen_random_uuid() || '@localhost', :mail_status
    FROM outgoing_mail WHERE id = :mail_template
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id, status
)
SELECT id, CASE WHEN status = 'queued' THEN pg_notify('agora_mail', '')::text END IS NULL FROM ins;
COMMIT;
