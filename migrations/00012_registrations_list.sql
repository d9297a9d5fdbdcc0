-- +goose Up
-- The registrations list is sorted and paged in SQL in protocol order:
-- states by name in the reader's language, then people by last and first
-- name, then id (registration.Service.Registrations). The names compare as
-- golang.org/x/text/collate with collate.Loose compared them in Go: at
-- primary strength (case and accents do not tell names apart, punctuation
-- does) and non-deterministic, so two names equal at that strength are
-- equal and the next key decides, not their bytes.
CREATE COLLATION agora_protocol_en (provider = icu, locale = 'en-u-ks-level1', deterministic = false);
CREATE COLLATION agora_protocol_fr (provider = icu, locale = 'fr-u-ks-level1', deterministic = false);
-- People's names: ICU's English and French rules are the same at primary
-- strength (only Canadian French is tailored), so one collation and one
-- index serve both languages; the registration tests hold the two orders
-- against the Go collator's.
CREATE COLLATION agora_names (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
-- A page walks this index one state after another, from the cursor on.
CREATE INDEX registrations_list_idx ON registrations
    (meeting_id, state_code, last_name COLLATE agora_names, first_name COLLATE agora_names, id);

-- +goose Down
DROP INDEX registrations_list_idx;
DROP COLLATION agora_names;
DROP COLLATION agora_protocol_fr;
DROP COLLATION agora_protocol_en;
