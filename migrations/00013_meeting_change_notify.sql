-- +goose Up
-- Every `agora serve` process keeps the public meeting pages, calendar files
-- and agenda API in memory and LISTENs on agora_meeting_changed to drop a
-- meeting's copies when it changes. The notice is sent here, by the
-- database, inside the writing transaction — so it goes out only on commit,
-- and no writer can forget it (services, privacy erasure, retention, an
-- operator's SQL). The payload is the meeting id, or '*' when any meeting
-- may show the change (the roster names the invited states). PostgreSQL
-- sends one notice per distinct payload and transaction, so reordering a
-- whole agenda sends one.

-- +goose StatementBegin
CREATE FUNCTION agora_meeting_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'states' THEN
        PERFORM pg_notify('agora_meeting_changed', '*');
    ELSIF TG_TABLE_NAME = 'meetings' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('agora_meeting_changed', OLD.id::text);
        ELSE
            PERFORM pg_notify('agora_meeting_changed', NEW.id::text);
        END IF;
    ELSE -- agenda_items, meeting_states: a row moved to another meeting changes both
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('agora_meeting_changed', OLD.meeting_id::text);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('agora_meeting_changed', NEW.meeting_id::text);
        END IF;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER meetings_changed AFTER INSERT OR UPDATE OR DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION agora_meeting_changed();
CREATE TRIGGER agenda_items_changed AFTER INSERT OR UPDATE OR DELETE ON agenda_items
    FOR EACH ROW EXECUTE FUNCTION agora_meeting_changed();
CREATE TRIGGER meeting_states_changed AFTER INSERT OR UPDATE OR DELETE ON meeting_states
    FOR EACH ROW EXECUTE FUNCTION agora_meeting_changed();
CREATE TRIGGER states_changed AFTER INSERT OR UPDATE OR DELETE ON states
    FOR EACH STATEMENT EXECUTE FUNCTION agora_meeting_changed();

-- +goose Down
DROP TRIGGER states_changed ON states;
DROP TRIGGER meeting_states_changed ON meeting_states;
DROP TRIGGER agenda_items_changed ON agenda_items;
DROP TRIGGER meetings_changed ON meetings;
DROP FUNCTION agora_meeting_changed();
