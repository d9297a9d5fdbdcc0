-- +goose Up
-- An email's display name is a delegate's first and last names (at most
-- 100 characters each, registrations' CHECK) and the space between them:
-- 201 characters, one more than this column allowed, so the longest names
-- the forms accept could not be mailed. The limit is mail.MaxNameLength;
-- a test holds this CHECK to it.
ALTER TABLE outgoing_mail DROP CONSTRAINT outgoing_mail_to_name_check;
ALTER TABLE outgoing_mail ADD CONSTRAINT outgoing_mail_to_name_check CHECK (length(to_name) <= 201);

-- +goose Down
UPDATE outgoing_mail SET to_name = left(to_name, 200) WHERE length(to_name) > 200;
ALTER TABLE outgoing_mail DROP CONSTRAINT outgoing_mail_to_name_check;
ALTER TABLE outgoing_mail ADD CONSTRAINT outgoing_mail_to_name_check CHECK (length(to_name) <= 200);
