-- +goose Up
-- Every status change of an email writes an entry into every index that
-- covers the row. The Message-ID carries 120 random bits, so it needs no
-- unique index; the status index leaves out 'sent', most rows, which the
-- log finds by walking the primary key.
ALTER TABLE outgoing_mail DROP CONSTRAINT outgoing_mail_message_id_key;
DROP INDEX outgoing_mail_status_idx;
CREATE INDEX outgoing_mail_status_idx ON outgoing_mail (status, id DESC) WHERE status <> 'sent';

-- +goose Down
DROP INDEX outgoing_mail_status_idx;
CREATE INDEX outgoing_mail_status_idx ON outgoing_mail (status, id DESC);
ALTER TABLE outgoing_mail ADD CONSTRAINT outgoing_mail_message_id_key UNIQUE (message_id);
