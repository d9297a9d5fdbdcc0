-- +goose Up

-- A participant's request for a visa support letter, with the passport
-- data it needs. These data are collected for this letter only, shown to
-- the secretariat only, and deleted by the retention job shortly after
-- the meeting (privacy.ApplyRetention), by erasure, and with the
-- registration.
CREATE TABLE visa_requests (
    registration_id  bigint PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    passport_number  text NOT NULL CHECK (length(passport_number) BETWEEN 1 AND 40),
    nationality      text NOT NULL CHECK (length(nationality) BETWEEN 1 AND 100),
    date_of_birth    date NOT NULL,
    passport_expires date NOT NULL,
    status           text NOT NULL CHECK (status IN ('requested', 'approved')),
    requested_at     timestamptz NOT NULL DEFAULT now(),
    approved_at      timestamptz,
    approved_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((status = 'approved') = (approved_at IS NOT NULL))
);

-- +goose Down
DROP TABLE visa_requests;
