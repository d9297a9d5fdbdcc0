-- +goose Up

-- A meeting's documents (internal/document): a symbol, titles in English
-- and French, who may read it, and one file per language (document_files),
-- each file's bytes in 1 MiB rows (document_chunks).
CREATE TABLE documents (
    id             bigserial PRIMARY KEY,
    meeting_id     bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    -- A document shown under an agenda item; the item's removal moves it
    -- to the meeting's general documents.
    agenda_item_id bigint REFERENCES agenda_items (id) ON DELETE SET NULL,
    symbol         text NOT NULL DEFAULT '',
    title_en       text NOT NULL DEFAULT '',
    title_fr       text NOT NULL DEFAULT '',
    access         text NOT NULL CHECK (access IN ('public', 'participants', 'secretariat')),
    -- 1-based order among the meeting's documents.
    position       integer NOT NULL CHECK (position > 0),
    -- Withdrawn documents are read by nobody but kept, with their files,
    -- for the record (the audit trail names them).
    withdrawn_at   timestamptz,
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_meeting_idx ON documents (meeting_id, position) WHERE withdrawn_at IS NULL;

-- One uploaded file: a version of a document in one language. Replacing a
-- file adds a version; the newest is the one served. A file row and its
-- chunks are written in one transaction, so an interrupted upload leaves
-- nothing (version is set last, under the document's lock).
CREATE TABLE document_files (
    id           bigserial PRIMARY KEY,
    document_id  bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    language     text NOT NULL CHECK (language ~ '^[a-z]{2}$'),
    version      integer CHECK (version > 0),
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL,
    chunk_size   integer NOT NULL CHECK (chunk_size > 0),
    uploaded_by  bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (document_id, language, version)
);

-- The bytes, in order: chunk n holds bytes [n*chunk_size, (n+1)*chunk_size).
-- Stored EXTERNAL: out of line without compression, since PDF, Office
-- files and images are compressed already (and a range request then reads
-- only the slices it needs).
CREATE TABLE document_chunks (
    file_id bigint NOT NULL REFERENCES document_files (id) ON DELETE CASCADE,
    n       integer NOT NULL CHECK (n >= 0),
    data    bytea NOT NULL,
    PRIMARY KEY (file_id, n)
);
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- The public pages show documents: their cached copies go stale with them
-- (see 00013; a new file version touches documents.updated_at).
CREATE TRIGGER documents_changed AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION agora_meeting_changed();

-- +goose Down
DROP TRIGGER documents_changed ON documents;
DROP TABLE document_chunks;
DROP TABLE document_files;
DROP TABLE documents;
