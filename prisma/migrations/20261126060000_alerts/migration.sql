-- Alerts (DESIGN.md "Alert rules"): one row per (rule, subject, environment), its timeline of
-- every change and action, notification channels, and the delivery log per alert state.
CREATE TABLE "alerts" (
    "id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "environment" TEXT,
    "subject_kind" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "subject_label" TEXT NOT NULL,
    "artifact_id" UUID,
    "summary" TEXT NOT NULL,
    "evidence" JSONB NOT NULL,
    "condition_active" BOOLEAN NOT NULL DEFAULT true,
    "fire_count" INTEGER NOT NULL DEFAULT 1,
    "assignee_id" UUID,
    "suppressed_until" TIMESTAMPTZ(3),
    "suppression_reason" TEXT,
    "first_fired_at" TIMESTAMPTZ(3) NOT NULL,
    "last_fired_at" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "escalated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "alerts_dedupe_key_key" ON "alerts"("dedupe_key");
CREATE INDEX "alerts_status_severity_idx" ON "alerts"("status", "severity");
CREATE INDEX "alerts_environment_idx" ON "alerts"("environment");
CREATE INDEX "alerts_rule_idx" ON "alerts"("rule");
CREATE INDEX "alerts_artifact_id_idx" ON "alerts"("artifact_id");
CREATE INDEX "alerts_created_at_id_idx" ON "alerts"("created_at", "id");
CREATE INDEX "alerts_updated_at_id_idx" ON "alerts"("updated_at", "id");

ALTER TABLE "alerts" ADD CONSTRAINT "alerts_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_artifact_id_fkey" FOREIGN KEY ("artifact_id") REFERENCES "artifacts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every change to an alert, in order: fired, refired, reopened, condition-cleared, acknowledged,
-- assigned, commented, resolved, suppressed, unsuppressed, escalated, notified.
CREATE TABLE "alert_events" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    "data" JSONB,
    "ledger_sequence" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_events_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "alert_events_alert_id_created_at_idx" ON "alert_events"("alert_id", "created_at");
CREATE INDEX "alert_events_kind_created_at_idx" ON "alert_events"("kind", "created_at");

ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Where notifications go (Settings > Notifications), and which alerts each channel receives.
CREATE TABLE "notification_channels" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT,
    "secret" TEXT,
    "config" JSONB NOT NULL,
    "min_severity" TEXT NOT NULL DEFAULT 'low',
    "rules" TEXT[],
    "environments" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "notification_channels_name_key" ON "notification_channels"("name");

-- One delivery per (channel, alert state): the same state is never delivered twice.
CREATE TABLE "notification_deliveries" (
    "id" UUID NOT NULL,
    "alert_id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "state_key" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "notification_deliveries_channel_id_state_key_key" ON "notification_deliveries"("channel_id", "state_key");
CREATE INDEX "notification_deliveries_alert_id_idx" ON "notification_deliveries"("alert_id");

ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alerts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
