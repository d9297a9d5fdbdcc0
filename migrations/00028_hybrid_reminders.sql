-- +goose Up
-- Hybrid meetings and reminders (issue 13, items 5 and 6).
--
-- A hybrid meeting may limit the people in the room (in_person_capacity,
-- 0: no limit); each registration says how the person attends. gender is
-- self-declared and optional ('' when not given), shown only in aggregate.
ALTER TABLE meetings
    ADD COLUMN in_person_capacity integer NOT NULL DEFAULT 0 CHECK (in_person_capacity >= 0),
    -- Days before the registration deadline at which the focal points of
    -- invitees with nobody confirmed are reminded (0: never).
    ADD COLUMN reminder_focal_points_days integer NOT NULL DEFAULT 0
        CHECK (reminder_focal_points_days BETWEEN 0 AND 90),
    -- Days before the meeting at which confirmed participants get the
    -- practical reminder (0: never).
    ADD COLUMN reminder_participants_days integer NOT NULL DEFAULT 0
        CHECK (reminder_participants_days BETWEEN 0 AND 90);

ALTER TABLE registrations
    ADD COLUMN attendance text NOT NULL DEFAULT 'in_person' CHECK (attendance IN ('in_person', 'online')),
    ADD COLUMN gender text NOT NULL DEFAULT '' CHECK (gender IN ('', 'woman', 'man', 'other', 'undisclosed'));

-- Registrations of online meetings so far attended online.
UPDATE registrations r SET attendance = 'online' FROM meetings m WHERE m.id = r.meeting_id AND m.format = 'online';

-- The automatic reminders sent, one row per meeting and kind: the worker
-- that inserts the row sends the reminder in the same transaction, and a
-- second worker finds the key taken (it waits on the first one's insert
-- and then does nothing).
CREATE TABLE meeting_reminders (
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('focal_points', 'participants')),
    sent_at    timestamptz NOT NULL DEFAULT now(),
    -- How many emails went out (for the meeting's page).
    emails     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, kind)
);

-- +goose Down
DROP TABLE meeting_reminders;
ALTER TABLE registrations DROP COLUMN gender, DROP COLUMN attendance;
ALTER TABLE meetings DROP COLUMN reminder_participants_days, DROP COLUMN reminder_focal_points_days,
    DROP COLUMN in_person_capacity;
