-- +goose Up

-- Funding decided by the secretariat: with 'automatic' a funding request
-- is granted at once while the invitee has funded seats left (as before);
-- with 'secretariat' it waits for a decision (registrations.funding_decision).
ALTER TABLE meetings
    ADD COLUMN funding_decision text NOT NULL DEFAULT 'automatic'
        CHECK (funding_decision IN ('automatic', 'secretariat'));

-- Personal invitations: the secretariat invites a person (an expert, a
-- speaker, a chair, a rapporteur, an observer) by name and email. The
-- link registers that email only; the guest holds one seat, their own,
-- and a funded seat when funding is offered.
CREATE TABLE guests (
    id              bigserial PRIMARY KEY,
    meeting_id      bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name       text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    language        text NOT NULL CHECK (language IN ('en', 'fr')),
    role            text NOT NULL CHECK (role IN ('expert', 'speaker', 'chair', 'rapporteur', 'observer')),
    funding_offered boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    -- The link: an HMAC of the server key and this nonce.
    nonce           bytea NOT NULL,
    token_hash      bytea NOT NULL UNIQUE,
    rounds          integer NOT NULL DEFAULT 0,
    sent_at         timestamptz,
    created_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
-- One personal invitation per person and meeting.
CREATE UNIQUE INDEX guests_meeting_email_key ON guests (meeting_id, email);

-- A registration belongs to a state, an organisation or a guest; a
-- guest's has no invitee (no state's or organisation's quota applies).
ALTER TABLE registrations
    ADD COLUMN guest_id bigint REFERENCES guests (id) ON DELETE CASCADE,
    -- The secretariat's decision on a funding request (meetings with
    -- funding_decision = 'secretariat'): NULL while it waits.
    ADD COLUMN funding_decision text CHECK (funding_decision IN ('granted', 'refused')),
    ADD COLUMN funding_decided_at timestamptz,
    DROP CONSTRAINT registrations_invitee_check,
    ADD CONSTRAINT registrations_invitee_check CHECK (num_nonnulls(state_code, organisation_code, guest_id) = 1),
    DROP CONSTRAINT registrations_delegation_role_check,
    ADD CONSTRAINT registrations_delegation_role_check
        CHECK (delegation_role IN ('head', 'delegate', 'expert', 'adviser', 'observer', 'speaker', 'chair', 'rapporteur'));
CREATE INDEX registrations_guest_idx ON registrations (guest_id) WHERE guest_id IS NOT NULL;
-- The secretariat's list walks invitees then guests (invitee '') in
-- order, each by name: the list index keyed on that.
CREATE INDEX registrations_list_all_idx ON registrations
    (meeting_id, coalesce(invitee, ''), last_name COLLATE agora_names, first_name COLLATE agora_names, id);

-- +goose Down
DROP INDEX registrations_list_all_idx;
DELETE FROM registrations WHERE guest_id IS NOT NULL;
UPDATE registrations SET delegation_role = 'expert' WHERE delegation_role IN ('speaker', 'chair', 'rapporteur');
ALTER TABLE registrations
    DROP CONSTRAINT registrations_delegation_role_check,
    ADD CONSTRAINT registrations_delegation_role_check
        CHECK (delegation_role IN ('head', 'delegate', 'expert', 'adviser', 'observer')),
    DROP CONSTRAINT registrations_invitee_check,
    ADD CONSTRAINT registrations_invitee_check CHECK (num_nonnulls(state_code, organisation_code) = 1),
    DROP COLUMN funding_decided_at,
    DROP COLUMN funding_decision,
    DROP COLUMN guest_id;
DROP TABLE guests;
ALTER TABLE meetings DROP COLUMN funding_decision;
