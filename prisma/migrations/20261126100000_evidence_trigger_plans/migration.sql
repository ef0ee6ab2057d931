-- The per-row evidence triggers (a ledger entry must extend the head; a document must have its bytes) query the
-- partitioned tables once per inserted row. PL/pgSQL caches those plans for the life of a connection: planned while
-- the tables were small (a new installation, a fresh month), they kept sequential scans as the tables grew, and
-- every append scanned the whole ledger (ingestion fell from ~3,000 to ~500 events/s until autovacuum's ANALYZE
-- happened to invalidate the plans). Their lookups are all served by the partitions' primary-key and hash indexes:
-- plan them that way whatever the tables' size.
ALTER FUNCTION "vitrine_ledger_extends_head"() SET enable_seqscan = off;
ALTER FUNCTION "vitrine_document_has_body"() SET enable_seqscan = off;
