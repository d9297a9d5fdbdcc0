-- +goose Up

-- A person attending a meeting for a state.
CREATE TABLE registrations (
    id                bigserial PRIMARY KEY,
    meeting_id        bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    state_code        text NOT NULL REFERENCES states (code),
    invitation_id     bigint REFERENCES invitations (id) ON DELETE SET NULL,
    first_name        text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name         text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    -- Normalised (trimmed, lower case) so that uniqueness ignores case.
    email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    function          text NOT NULL DEFAULT '',
    organisation      text NOT NULL DEFAULT '',
    delegation_role   text NOT NULL CHECK (delegation_role IN ('head', 'delegate', 'expert', 'adviser', 'observer')),
    language          text NOT NULL CHECK (language IN ('en', 'fr')),
    funding_requested boolean NOT NULL DEFAULT false,
    -- Holds one of the state's funded seats (only while confirmed).
    funded            boolean NOT NULL DEFAULT false,
    dietary           text NOT NULL DEFAULT '',
    accessibility     text NOT NULL DEFAULT '',
    list_consent      boolean NOT NULL DEFAULT false,
    consent_at        timestamptz,
    status            text NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted', 'declined', 'cancelled')),
    decline_reason    text NOT NULL DEFAULT '',
    -- Arrival on the waiting list: the earliest is promoted first.
    waitlisted_at     timestamptz,
    checked_in_at     timestamptz,
    -- The manage link: an HMAC of the server key and this nonce; only its
    -- hash is stored.
    manage_nonce      bytea NOT NULL,
    manage_hash       bytea NOT NULL UNIQUE,
    source            text NOT NULL CHECK (source IN ('link', 'focal_point', 'secretariat')),
    created_by        bigint REFERENCES users (id),
    replaces_id       bigint REFERENCES registrations (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT funded OR status = 'confirmed'),
    CHECK ((status = 'waitlisted') = (waitlisted_at IS NOT NULL))
);
-- One live registration per person and meeting; someone who cancelled or
-- was declined may register again.
CREATE UNIQUE INDEX registrations_meeting_email_key ON registrations (meeting_id, email)
    WHERE status NOT IN ('cancelled', 'declined');
CREATE INDEX registrations_quota_idx ON registrations (meeting_id, state_code, status);
CREATE INDEX registrations_waitlist_idx ON registrations (meeting_id, state_code, waitlisted_at, id)
    WHERE status = 'waitlisted';

ALTER TABLE outgoing_mail
    ADD CONSTRAINT outgoing_mail_registration_fkey FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE outgoing_mail DROP CONSTRAINT outgoing_mail_registration_fkey;
DROP TABLE registrations;
