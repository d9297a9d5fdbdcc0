-- +goose Up

-- Meetings invite organisations next to states, with seats of their own,
-- and may override the seats of any invitee:
-- quotas = {"FR": {"seats": 4, "funded_seats": 2}, "EUDA": {"seats": 1, "funded_seats": 0}}.
-- The seats an invitee has are its override, else the default of its kind
-- (seats_per_state or seats_per_organisation); registration's countUsage
-- reads them under the quota lock.
ALTER TABLE meetings
    ADD COLUMN seats_per_organisation integer NOT NULL DEFAULT 1 CHECK (seats_per_organisation BETWEEN 0 AND 1000),
    ADD COLUMN funded_seats_per_organisation integer NOT NULL DEFAULT 0 CHECK (funded_seats_per_organisation BETWEEN 0 AND 1000),
    ADD COLUMN quotas jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(quotas) = 'object');

CREATE TABLE meeting_organisations (
    meeting_id        bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organisation_code text NOT NULL REFERENCES organisations (code),
    PRIMARY KEY (meeting_id, organisation_code)
);

-- An invitation and a registration belong to one invitee: a state or an
-- organisation. invitee is whichever code is set; codes of both kinds
-- never collide (migrations/00019), so everything that works per invitee
-- (one invitation per meeting, the quota lock, the seat counts, the
-- waiting list, the lists in protocol order) keys on it. A personal
-- invitation (a guest) will be a third owner: the check below is the one
-- to widen.
ALTER TABLE invitations
    ALTER COLUMN state_code DROP NOT NULL,
    ADD COLUMN organisation_code text REFERENCES organisations (code),
    ADD COLUMN invitee text GENERATED ALWAYS AS (coalesce(state_code, organisation_code)) STORED,
    ADD CONSTRAINT invitations_invitee_check CHECK (num_nonnulls(state_code, organisation_code) = 1);
CREATE UNIQUE INDEX invitations_meeting_invitee_key ON invitations (meeting_id, invitee);

ALTER TABLE registrations
    ALTER COLUMN state_code DROP NOT NULL,
    ADD COLUMN organisation_code text REFERENCES organisations (code),
    ADD COLUMN invitee text GENERATED ALWAYS AS (coalesce(state_code, organisation_code)) STORED,
    ADD CONSTRAINT registrations_invitee_check CHECK (num_nonnulls(state_code, organisation_code) = 1);

-- The indexes that served (meeting, state) now serve (meeting, invitee):
-- the seat count under the quota lock, the waiting list, the list pages.
DROP INDEX registrations_quota_idx;
DROP INDEX registrations_confirmed_idx;
DROP INDEX registrations_waitlist_idx;
DROP INDEX registrations_list_idx;
CREATE INDEX registrations_quota_idx ON registrations (meeting_id, invitee, status);
CREATE INDEX registrations_confirmed_idx ON registrations (meeting_id, invitee, funded) WHERE status = 'confirmed';
CREATE INDEX registrations_waitlist_idx ON registrations (meeting_id, invitee, waitlisted_at, id)
    WHERE status = 'waitlisted';
CREATE INDEX registrations_list_idx ON registrations
    (meeting_id, invitee, last_name COLLATE agora_names, first_name COLLATE agora_names, id);

-- +goose Down
DROP INDEX registrations_list_idx;
DROP INDEX registrations_waitlist_idx;
DROP INDEX registrations_confirmed_idx;
DROP INDEX registrations_quota_idx;
DELETE FROM registrations WHERE state_code IS NULL;
ALTER TABLE registrations
    DROP CONSTRAINT registrations_invitee_check,
    DROP COLUMN invitee,
    DROP COLUMN organisation_code,
    ALTER COLUMN state_code SET NOT NULL;
CREATE INDEX registrations_quota_idx ON registrations (meeting_id, state_code, status);
CREATE INDEX registrations_confirmed_idx ON registrations (meeting_id, state_code, funded) WHERE status = 'confirmed';
CREATE INDEX registrations_waitlist_idx ON registrations (meeting_id, state_code, waitlisted_at, id)
    WHERE status = 'waitlisted';
CREATE INDEX registrations_list_idx ON registrations
    (meeting_id, state_code, last_name COLLATE agora_names, first_name COLLATE agora_names, id);
DROP INDEX invitations_meeting_invitee_key;
DELETE FROM invitations WHERE state_code IS NULL;
ALTER TABLE invitations
    DROP CONSTRAINT invitations_invitee_check,
    DROP COLUMN invitee,
    DROP COLUMN organisation_code,
    ALTER COLUMN state_code SET NOT NULL;
DROP TABLE meeting_organisations;
ALTER TABLE meetings
    DROP COLUMN quotas,
    DROP COLUMN funded_seats_per_organisation,
    DROP COLUMN seats_per_organisation;
