-- +goose Up

-- The audit trail: who did what, when. It holds ids, not personal data
-- (names and emails live in the rows it points to), so erasing a person
-- never needs to touch it. It is append-only: the triggers below refuse
-- UPDATE, DELETE and TRUNCATE to every role the application uses.
CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    -- Who: an account (user_id), a secret link (actor 'link'), or Agora itself.
    actor        text NOT NULL CHECK (actor IN ('user', 'link', 'system')),
    user_id      bigint,
    action       text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    meeting_id   bigint,
    state_code   text,
    subject_type text NOT NULL DEFAULT '',
    subject_id   bigint,
    details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_meeting_idx ON audit_log (meeting_id, id) WHERE meeting_id IS NOT NULL;
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, id);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
