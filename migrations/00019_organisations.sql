-- +goose Up

-- Organisations next to the states of the roster: international bodies
-- (the EU drugs agency, UNODC, WHO …), NGOs and academic bodies, invited
-- as observers. Their codes share one namespace with the states' codes
-- (see invitee_code_free below), so that a code names one invitee
-- whatever its kind: a quota lock, an invitation, a focal point's account
-- and a registration all key on that code.
CREATE TABLE organisations (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,16}$'),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_fr    text NOT NULL CHECK (length(name_fr) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('international', 'ngo', 'academic', 'other')),
    status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A state and an organisation never share a code. Two inserts racing each
-- other (one per table) serialise on one advisory lock, so neither can
-- miss the other's row.
-- +goose StatementBegin
CREATE FUNCTION invitee_code_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('agora.invitee_codes'));
    IF (TG_TABLE_NAME = 'organisations' AND EXISTS (SELECT 1 FROM states WHERE code = NEW.code))
       OR (TG_TABLE_NAME = 'states' AND EXISTS (SELECT 1 FROM organisations WHERE code = NEW.code)) THEN
        RAISE EXCEPTION 'invitee code % is taken', NEW.code
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'invitee_code_key';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER organisations_code_free BEFORE INSERT OR UPDATE OF code ON organisations
    FOR EACH ROW EXECUTE FUNCTION invitee_code_free();
CREATE TRIGGER states_code_free BEFORE INSERT OR UPDATE OF code ON states
    FOR EACH ROW EXECUTE FUNCTION invitee_code_free();

-- Every invitee, whatever its kind, in one place: lists in protocol order
-- sort on (rank, name, code): member states, partner states, observer
-- states, inactive states, then organisations.
CREATE VIEW invitees AS
    SELECT code, name_en, name_fr, 'state' AS kind, status,
           CASE status WHEN 'member' THEN 0 WHEN 'partner' THEN 1 WHEN 'observer' THEN 2 ELSE 3 END AS rank
    FROM states
    UNION ALL
    SELECT code, name_en, name_fr, 'organisation' AS kind, status, 4 AS rank
    FROM organisations;

-- Focal points of an organisation: the same table as a state's, bound to
-- exactly one invitee. invitee is whichever code is set.
ALTER TABLE focal_points
    ALTER COLUMN state_code DROP NOT NULL,
    ADD COLUMN organisation_code text REFERENCES organisations (code),
    ADD COLUMN invitee text GENERATED ALWAYS AS (coalesce(state_code, organisation_code)) STORED,
    ADD CONSTRAINT focal_points_invitee_check CHECK (num_nonnulls(state_code, organisation_code) = 1);
CREATE UNIQUE INDEX focal_points_organisation_email_key ON focal_points (organisation_code, lower(email))
    WHERE organisation_code IS NOT NULL;
CREATE INDEX focal_points_invitee_idx ON focal_points (invitee);

-- A focal point's account speaks for one state or one organisation.
ALTER TABLE users
    ADD COLUMN organisation_code text REFERENCES organisations (code),
    DROP CONSTRAINT users_check,
    ADD CONSTRAINT users_focal_point_binding CHECK (
        num_nonnulls(state_code, organisation_code) <= 1
        AND (role = 'focal_point') = (num_nonnulls(state_code, organisation_code) = 1));

-- +goose Down
ALTER TABLE users
    DROP CONSTRAINT users_focal_point_binding,
    DROP COLUMN organisation_code,
    ADD CONSTRAINT users_check CHECK ((role = 'focal_point') = (state_code IS NOT NULL));
DROP INDEX focal_points_invitee_idx;
DROP INDEX focal_points_organisation_email_key;
DELETE FROM focal_points WHERE state_code IS NULL;
ALTER TABLE focal_points
    DROP CONSTRAINT focal_points_invitee_check,
    DROP COLUMN invitee,
    DROP COLUMN organisation_code,
    ALTER COLUMN state_code SET NOT NULL;
DROP VIEW invitees;
DROP TRIGGER states_code_free ON states;
DROP TRIGGER organisations_code_free ON organisations;
DROP FUNCTION invitee_code_free();
DROP TABLE organisations;
