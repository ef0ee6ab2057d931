-- CreateTable
CREATE TABLE "trust_policies" (
    "environment" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "source" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "trust_policies_pkey" PRIMARY KEY ("environment")
);
