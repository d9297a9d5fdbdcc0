-- +goose Up
-- The venue, and the reasons given for a cancelled meeting or a declined
-- registration, are read in English and in French like the rest of a
-- meeting. The venue typed so far was the English one (the API's `venue`
-- stays its English name); the existing reason columns stay the English
-- reasons.
ALTER TABLE meetings RENAME COLUMN venue TO venue_en;
ALTER TABLE meetings ADD COLUMN venue_fr text NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN cancel_reason_fr text NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN decline_reason_fr text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE registrations DROP COLUMN decline_reason_fr;
ALTER TABLE meetings DROP COLUMN cancel_reason_fr;
ALTER TABLE meetings DROP COLUMN venue_fr;
ALTER TABLE meetings RENAME COLUMN venue_en TO venue;
