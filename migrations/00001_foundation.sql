-- +goose Up

-- The roster: member states, partners, observers. The code is an ISO 3166-1
-- alpha-2 code today; international organisations will later get short codes,
-- so the check stays loose here and the strict rule lives in the validation.
CREATE TABLE states (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9-]{1,15}$'),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_fr    text NOT NULL CHECK (length(name_fr) BETWEEN 1 AND 200),
    status     text NOT NULL CHECK (status IN ('member', 'partner', 'observer', 'inactive')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('admin', 'secretariat', 'focal_point')),
    state_code    text REFERENCES states (code),
    language      text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- A focal point speaks for exactly one state; nobody else is bound to one.
    CHECK ((role = 'focal_point') = (state_code IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- API tokens: only a SHA-256 of the secret is kept. The secret has 256
-- random bits, so a fast hash is enough and lookups stay one index probe.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE states;
