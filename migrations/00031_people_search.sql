-- +goose Up
-- The secretariat's people search (internal/statistics, issue 16): a name,
-- an address or an organisation found whatever its case and accents
-- ("muller" finds "Müller", "ELODIE" finds "Élodie"), through a trigram
-- index. unaccent and pg_trgm are in PostgreSQL's contrib, which Debian's
-- postgresql package ships; both are trusted extensions, so the owner of
-- the database may create them.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (its dictionary could change), so an index
-- cannot use it directly; this wrapper names the dictionary and is
-- declared IMMUTABLE, the usual way. Changing the unaccent rules would
-- mean rebuilding the index below.
-- +goose StatementBegin
CREATE FUNCTION agora_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, t))
$$;
-- +goose StatementEnd

-- What the search matches: the names, the address and the organisation of
-- registrations still holding personal data (anonymised ones are left out
-- of the people search, and of this index).
CREATE INDEX registrations_people_idx ON registrations
    USING gin (agora_fold(first_name || ' ' || last_name || ' ' || email || ' ' || organisation) gin_trgm_ops)
    WHERE anonymised_at IS NULL;

-- +goose Down
DROP INDEX registrations_people_idx;
DROP FUNCTION agora_fold(text);
