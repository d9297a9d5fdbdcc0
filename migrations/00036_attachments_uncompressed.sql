-- +goose Up
-- Attachments are PDFs whose streams are already compressed: PostgreSQL's
-- pglz, tried on every letter stored, compresses the few plain parts,
-- gives up on the whole for saving too little, and has spent the CPU
-- anyway — the CPU the SMTP server needs in an invitation run, which
-- stores a letter per state and language (docs/PERFORMANCE.md). They go
-- out of line into the TOAST table uncompressed, as mail bodies do.
ALTER TABLE mail_attachments ALTER COLUMN content SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE mail_attachments ALTER COLUMN content SET STORAGE EXTENDED;
