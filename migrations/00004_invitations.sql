-- +goose Up

-- A state's focal points (Permanent Correspondents and their deputies):
-- the contacts who receive invitations for that state.
CREATE TABLE focal_points (
    id         bigserial PRIMARY KEY,
    state_code text NOT NULL REFERENCES states (code),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email      text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    language   text NOT NULL CHECK (language IN ('en', 'fr')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX focal_points_state_email_key ON focal_points (state_code, lower(email));

-- One invitation per state and meeting. Its registration link carries a
-- token computed from the server's secret key and the nonce (HMAC), so the
-- link can be shown again; only a hash of the token is stored for lookup.
CREATE TABLE invitations (
    id         bigserial PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    state_code text NOT NULL REFERENCES states (code),
    nonce      bytea NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    -- How many times the invitation was sent; each round has its own emails.
    rounds     integer NOT NULL DEFAULT 0,
    sent_at    timestamptz,
    reminded_at timestamptz,
    revoked_at timestamptz,
    created_by bigint REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (meeting_id, state_code)
);

-- Secrets the application generates for itself when none is configured
-- (AGORA_SECRET_KEY), shared by every process on the database.
CREATE TABLE app_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The mail log outlives what it talks about.
ALTER TABLE outgoing_mail
    ADD CONSTRAINT outgoing_mail_meeting_fkey FOREIGN KEY (meeting_id) REFERENCES meetings (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE outgoing_mail DROP CONSTRAINT outgoing_mail_meeting_fkey;
DROP TABLE app_secrets;
DROP TABLE invitations;
DROP TABLE focal_points;
