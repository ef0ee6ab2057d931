-- CreateEnum
CREATE TYPE "TrustedKeyKind" AS ENUM ('pem', 'openpgp');

-- CreateTable
CREATE TABLE "trusted_keys" (
    "id" UUID NOT NULL,
    "kind" "TrustedKeyKind" NOT NULL,
    "name" TEXT NOT NULL,
    "owner" TEXT,
    "public_key" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "environments" TEXT[],
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "trusted_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trusted_identities" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner" TEXT,
    "subject" TEXT NOT NULL,
    "subject_is_regex" BOOLEAN NOT NULL DEFAULT false,
    "issuer" TEXT NOT NULL,
    "environments" TEXT[],
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "trusted_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trust_roots" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner" TEXT,
    "trusted_root_json" JSONB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "tlog_threshold" INTEGER NOT NULL DEFAULT 1,
    "ctlog_threshold" INTEGER NOT NULL DEFAULT 1,
    "timestamp_threshold" INTEGER NOT NULL DEFAULT 1,
    "environments" TEXT[],
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "trust_roots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trusted_x509_roots" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner" TEXT,
    "certificate_pem" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "environments" TEXT[],
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "trusted_x509_roots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "trusted_keys_name_key" ON "trusted_keys"("name");

-- CreateIndex
CREATE UNIQUE INDEX "trusted_keys_fingerprint_key" ON "trusted_keys"("fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "trusted_identities_name_key" ON "trusted_identities"("name");

-- CreateIndex
CREATE UNIQUE INDEX "trust_roots_name_key" ON "trust_roots"("name");

-- CreateIndex
CREATE UNIQUE INDEX "trust_roots_fingerprint_key" ON "trust_roots"("fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "trusted_x509_roots_name_key" ON "trusted_x509_roots"("name");

-- CreateIndex
CREATE UNIQUE INDEX "trusted_x509_roots_fingerprint_key" ON "trusted_x509_roots"("fingerprint");

-- AddForeignKey
ALTER TABLE "trusted_keys" ADD CONSTRAINT "trusted_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trusted_identities" ADD CONSTRAINT "trusted_identities_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trust_roots" ADD CONSTRAINT "trust_roots_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trusted_x509_roots" ADD CONSTRAINT "trusted_x509_roots_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
