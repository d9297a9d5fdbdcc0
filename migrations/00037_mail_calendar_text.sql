-- +goose Up
-- An email's calendar is an iCalendar object: UTF-8 text (RFC 5545). As
-- bytea it crossed the wire in hex, twice its size, both ways — written by
-- every invitation, read back by the worker's claim — and PostgreSQL
-- compressed it with pglz on the way in. As text it is sent as it is and
-- stored out of line uncompressed, as the bodies are (00018): about
-- 0.6 kB more per email with a calendar. A stored calendar that is not
-- valid UTF-8 (Agora writes none: it renders calendars from validated
-- text) is dropped from its row, with its method, rather than failing the
-- migration; the email stays in the log. The table is rewritten: 4.5 s
-- for 100,000 emails (323 MB) on a development machine.
-- +goose StatementBegin
CREATE FUNCTION pg_temp.agora_utf8(b bytea) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN convert_from(b, 'UTF8');
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
    RETURN NULL;
END $$;
-- +goose StatementEnd
UPDATE outgoing_mail SET calendar = NULL, calendar_method = NULL
WHERE calendar IS NOT NULL AND pg_temp.agora_utf8(calendar) IS NULL;
DROP FUNCTION pg_temp.agora_utf8(bytea);
ALTER TABLE outgoing_mail
    ALTER COLUMN calendar TYPE text USING convert_from(calendar, 'UTF8'),
    ALTER COLUMN calendar SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE outgoing_mail
    ALTER COLUMN calendar TYPE bytea USING convert_to(calendar, 'UTF8'),
    ALTER COLUMN calendar SET STORAGE EXTENDED;
