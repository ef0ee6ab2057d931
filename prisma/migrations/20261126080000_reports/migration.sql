-- Signed compliance report exports (issue 7, docs/reports.md): one row per export with its scope,
-- progress, hash, signature and the ledger checkpoint it embeds; the exported bytes in 1 MiB
-- chunks (so every app instance can serve any export, and nothing needs a shared disk); and
-- scheduled reports that the job queue runs and delivers to a notification channel.
CREATE TABLE "report_schedules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "cadence" TEXT NOT NULL,
    "channel_id" UUID,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "last_report_id" UUID,
    "last_status" TEXT,
    "last_error" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "report_schedules_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "report_schedules_next_run_at_idx" ON "report_schedules"("next_run_at");
CREATE INDEX "report_schedules_channel_id_idx" ON "report_schedules"("channel_id");

ALTER TABLE "report_schedules" ADD CONSTRAINT "report_schedules_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "report_exports" (
    "id" UUID NOT NULL,
    "environment" TEXT NOT NULL,
    "period_from" TIMESTAMPTZ(3) NOT NULL,
    "period_to" TIMESTAMPTZ(3) NOT NULL,
    "format" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "rows_done" INTEGER NOT NULL DEFAULT 0,
    "rows_total" INTEGER,
    "sha256" TEXT,
    "size_bytes" BIGINT,
    "signature" TEXT,
    "checkpoint_sequence" BIGINT,
    "ledger_sequence" BIGINT,
    "summary" JSONB,
    "exported_by" TEXT NOT NULL,
    "exported_by_name" TEXT,
    "schedule_id" UUID,
    "error" TEXT,
    "exported_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "report_exports_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "report_exports_exported_at_id_idx" ON "report_exports"("exported_at", "id");
CREATE INDEX "report_exports_schedule_id_idx" ON "report_exports"("schedule_id");

ALTER TABLE "report_exports" ADD CONSTRAINT "report_exports_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "report_schedules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "report_export_chunks" (
    "report_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "report_export_chunks_pkey" PRIMARY KEY ("report_id", "seq")
);

ALTER TABLE "report_export_chunks" ADD CONSTRAINT "report_export_chunks_report_id_fkey" FOREIGN KEY ("report_id") REFERENCES "report_exports"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A JSON report names the ledger entries of the documents behind each deployment.
CREATE INDEX "ledger_entries_document_id_idx" ON "ledger_entries"("document_id");
