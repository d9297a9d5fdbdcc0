-- +goose Up

-- Files attached to emails (an invitation letter as PDF), stored once and
-- shared by every email that carries them: a state's letter in one
-- language goes to each of its focal points who read that language.
CREATE TABLE mail_attachments (
    id           bigserial PRIMARY KEY,
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200 AND filename !~ '[\r\n"/\\]'),
    content_type text NOT NULL CHECK (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    content      bytea NOT NULL,
    -- Names a document that can be reused (a state's invitation letter for
    -- one version of a meeting, sent again in a later round); NULL: none.
    cache_key    text UNIQUE CHECK (length(cache_key) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE outgoing_mail ADD COLUMN attachment_id bigint REFERENCES mail_attachments (id) ON DELETE SET NULL;
CREATE INDEX outgoing_mail_attachment_idx ON outgoing_mail (attachment_id) WHERE attachment_id IS NOT NULL;

-- +goose Down
ALTER TABLE outgoing_mail DROP COLUMN attachment_id;
DROP TABLE mail_attachments;
