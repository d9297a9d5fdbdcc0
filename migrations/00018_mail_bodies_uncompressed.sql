-- +goose Up
-- The bodies of an email are written once, read once by the worker and
-- kept for the mail log. Compressing them (pglz, the default) saved about
-- a quarter of their size — 0.75 kB an invitation — and cost PostgreSQL
-- 25–35 µs of CPU per email between the insert and the claim: in an
-- invitation run, 160–170 µs per email in all instead of 185–210, CPU the
-- SMTP server needs when it shares the machine (docs/PERFORMANCE.md, the
-- invitation run). Large bodies still go out of line into the TOAST
-- table, uncompressed. Rows written before keep their compressed bodies.
ALTER TABLE outgoing_mail
    ALTER COLUMN text_body SET STORAGE EXTERNAL,
    ALTER COLUMN html_body SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE outgoing_mail
    ALTER COLUMN text_body SET STORAGE EXTENDED,
    ALTER COLUMN html_body SET STORAGE EXTENDED;
