-- +goose Up
-- Email addresses are now stored in one form (validate.NormalizeEmail:
-- NFKC, no invisible format characters, lower case, IDNA ASCII domain), so
-- that "ｄｕｐ@example.org" is "dup@example.org". This brings the addresses
-- already stored to that form where it is safe:
--   * only where the result is plain ASCII, where PostgreSQL's lower() and
--     an ASCII domain give exactly what the application computes (a
--     non-ASCII address keeps the form the old code gave it: trimmed and
--     lower-cased, which the new code gives it too unless it holds
--     compatibility characters);
--   * never where two rows would become one: a twin that already exists
--     next to its original is left for an administrator to resolve.
-- The mail log (outgoing_mail) is left alone: it records what was sent.
-- A database not in UTF8 cannot run normalize(); nothing is changed there.

-- +goose StatementBegin
CREATE FUNCTION pg_temp.agora_email_form(e text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN n ~ '^[ -~]*$' THEN lower(n) ELSE e END
    FROM (SELECT CASE WHEN current_setting('server_encoding') = 'UTF8'
                      THEN btrim(regexp_replace(normalize(btrim(e), NFKC),
                           '[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]', '', 'g'))
                      ELSE e END AS n) x
$$;
-- +goose StatementEnd

UPDATE users u SET email = x.n, updated_at = now()
FROM (SELECT id, pg_temp.agora_email_form(email) AS n FROM users) x
WHERE x.id = u.id AND x.n <> u.email
  AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id <> u.id
                  AND (lower(o.email) = x.n OR pg_temp.agora_email_form(o.email) = x.n));

UPDATE focal_points f SET email = x.n
FROM (SELECT id, pg_temp.agora_email_form(email) AS n FROM focal_points) x
WHERE x.id = f.id AND x.n <> f.email
  AND NOT EXISTS (SELECT 1 FROM focal_points o WHERE o.id <> f.id AND o.state_code = f.state_code
                  AND (lower(o.email) = x.n OR pg_temp.agora_email_form(o.email) = x.n));

UPDATE registrations r SET email = x.n
FROM (SELECT id, pg_temp.agora_email_form(email) AS n FROM registrations) x
WHERE x.id = r.id AND x.n <> r.email
  AND NOT EXISTS (SELECT 1 FROM registrations o WHERE o.id <> r.id AND o.meeting_id = r.meeting_id
                  AND (o.email = x.n OR pg_temp.agora_email_form(o.email) = x.n));

UPDATE login_failures SET email = pg_temp.agora_email_form(email)
WHERE pg_temp.agora_email_form(email) <> email;

DROP FUNCTION pg_temp.agora_email_form(text);

-- Reset emails are counted per account (auth.MaxResetsPerHour).
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at);

-- +goose Down
DROP INDEX password_resets_user_idx;
-- The addresses stay in their normal form: it is a valid form for the
-- older code too.
