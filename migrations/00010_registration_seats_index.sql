-- +goose Up
-- The seat count taken under the quota lock reads only confirmed rows of
-- one meeting and state; with thousands of registrations this index keeps
-- it an index-only probe instead of a scan while the lock is held.
CREATE INDEX registrations_confirmed_idx ON registrations (meeting_id, state_code, funded) WHERE status = 'confirmed';

-- +goose Down
DROP INDEX registrations_confirmed_idx;
