-- +goose Up

-- When the delegates were told of a change (internal/digest): NULL means
-- not yet looked at. Changes that do not concern delegates, and changes of
-- a meeting that was not published, are marked too, so each change is
-- looked at once.
ALTER TABLE meeting_changes ADD COLUMN notified_at timestamptz;

-- The history recorded before this migration is not news: without this,
-- the first pass would email every delegate about changes made long ago.
UPDATE meeting_changes SET notified_at = at;

-- The digest's question, "which meetings have changes not yet told, and
-- how recent is the newest?", reads only this small index.
CREATE INDEX meeting_changes_pending_idx ON meeting_changes (meeting_id, at)
    WHERE notified_at IS NULL;

-- +goose Down
DROP INDEX meeting_changes_pending_idx;
ALTER TABLE meeting_changes DROP COLUMN notified_at;
