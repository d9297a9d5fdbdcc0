-- +goose Up

-- Arrivals at the door, one row per person and day of the meeting (a
-- meeting over several days checks people in each morning). The day is
-- the date in the meeting's time zone. registrations.checked_in_at stays
-- the first arrival (what lists and statistics count as "attended"); the
-- rows say on which days.
CREATE TABLE check_ins (
    registration_id bigint NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    -- The registration's meeting, so that a day's count needs no join.
    meeting_id      bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    day             date NOT NULL,
    checked_in_at   timestamptz NOT NULL DEFAULT now(),
    checked_in_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (registration_id, day)
);
CREATE INDEX check_ins_meeting_day_idx ON check_ins (meeting_id, day);

-- Check-ins made before this table existed count for the day they were made.
INSERT INTO check_ins (registration_id, meeting_id, day, checked_in_at)
SELECT r.id, r.meeting_id, (r.checked_in_at AT TIME ZONE m.timezone)::date, r.checked_in_at
FROM registrations r JOIN meetings m ON m.id = r.meeting_id
WHERE r.checked_in_at IS NOT NULL;

-- +goose Down
DROP TABLE check_ins;
