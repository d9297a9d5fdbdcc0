-- +goose Up

-- Web sessions (alexedwards/scs postgresstore): any process serves any request.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins, for throttling per account and per address.
CREATE TABLE login_failures (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    address    text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (lower(email), at);
CREATE INDEX login_failures_address_idx ON login_failures (address, at);

-- Password reset links: single use, short lived; only a hash is kept.
CREATE TABLE password_resets (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE login_failures;
DROP TABLE sessions;
