-- +goose Up

-- When a registration's personal data was anonymised (internal/privacy:
-- erasure on request, or the retention job once the meeting is old enough).
-- The row itself stays, with its state, role, status, funding and check-in,
-- so the statistics of past meetings do not change; NULL means the personal
-- data is still held.
ALTER TABLE registrations ADD COLUMN anonymised_at timestamptz;

-- Export and erasure look a person up by address across every meeting.
CREATE INDEX registrations_email_idx ON registrations (email);

-- +goose Down
DROP INDEX registrations_email_idx;
ALTER TABLE registrations DROP COLUMN anonymised_at;
