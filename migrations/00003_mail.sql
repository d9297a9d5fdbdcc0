-- +goose Up

-- The transactional outbox: every email is a row written in the same
-- transaction as the change that causes it, then delivered by the mail
-- worker (internal/mail). Rows are never deleted by the application: they
-- are the mail log the secretariat reads.
CREATE TABLE outgoing_mail (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
    to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    to_name         text NOT NULL DEFAULT '' CHECK (length(to_name) <= 200),
    language        text NOT NULL CHECK (language IN ('en', 'fr')),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 400),
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    calendar        bytea,
    calendar_method text CHECK (calendar_method IN ('REQUEST', 'CANCEL', 'PUBLISH')),
    -- Meetings and registrations are created by another migration written
    -- at the same time as this one; the foreign keys (ON DELETE SET NULL, so
    -- the log outlives what it talks about) come with a later migration.
    meeting_id      bigint,
    registration_id bigint,
    -- One logical email (e.g. "the invitation of FR to meeting 12 for
    -- x@example.org") is queued at most once, however often it is asked for.
    dedupe_key      text NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 300),
    -- Without the angle brackets; stable across retries so a receiving
    -- client can discard a duplicate delivery.
    message_id      text NOT NULL UNIQUE,
    status          text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed', 'withheld')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- For a row being sent, next_attempt_at equals lease_until: the row is
    -- due again when the lease of a crashed worker runs out, and a single
    -- index serves the claim query.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- When the row last entered the queue (reset by resend and release);
    -- the worker gives up on a row queued longer than its maximum age.
    queued_at       timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((calendar IS NULL) = (calendar_method IS NULL)),
    CHECK ((status = 'sending') = (lease_until IS NOT NULL))
);

-- The claim query: due rows in order, including rows whose lease ran out.
CREATE INDEX outgoing_mail_due_idx ON outgoing_mail (next_attempt_at)
    WHERE status IN ('queued', 'retrying', 'sending');

-- The mail log: newest first (by id, which grows with queued_at, so the
-- primary key already serves the unfiltered log), per meeting, per person,
-- per status; the trailing id lets each index return rows already in log
-- order for cursor pagination.
CREATE INDEX outgoing_mail_meeting_idx ON outgoing_mail (meeting_id, id DESC) WHERE meeting_id IS NOT NULL;
CREATE INDEX outgoing_mail_registration_idx ON outgoing_mail (registration_id) WHERE registration_id IS NOT NULL;
CREATE INDEX outgoing_mail_to_idx ON outgoing_mail (lower(to_address), id DESC);
CREATE INDEX outgoing_mail_status_idx ON outgoing_mail (status, id DESC);

-- +goose Down
DROP TABLE outgoing_mail;
