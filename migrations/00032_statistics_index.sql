-- +goose Up
-- The participation statistics (internal/statistics) count every
-- registration of the meetings of a period by status, state, role,
-- funding, check-in, attendance and gender, and tell new people from
-- returning ones by address. This index holds all of it next to the
-- meeting, so that a year's figures (some 50,000 registrations on a large
-- instance) are read by index-only scans without visiting the table.
CREATE INDEX registrations_stats_idx ON registrations (meeting_id)
    INCLUDE (status, state_code, delegation_role, funded, checked_in_at, attendance, gender, anonymised_at, email);

-- +goose Down
DROP INDEX registrations_stats_idx;
