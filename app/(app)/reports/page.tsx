import type { Metadata } from "next";
import { ExportForm } from "@/components/reports/export-form.client";
import { ReportHistory } from "@/components/reports/report-history.client";
import { ReportSchedules } from "@/components/reports/report-schedules.client";
import styles from "@/components/reports/reports.module.css";
import { VerifyReport } from "@/components/reports/verify-report.client";
import { requirePagePermission } from "@/lib/auth/session";
import { listReportEnvironments, listReportExports } from "@/lib/server/reports/report-exports";
import { listReportSchedules } from "@/lib/server/reports/report-schedules";
import { getSigningKey } from "@/lib/server/signing/signing-key";

export const metadata: Metadata = { title: "Reports" };
export const dynamic = "force-dynamic";

const OPENSSL = `# A CSV report and its .sig (keyid=...,report=...,sha256=...,sig=...,statement=...; docs/reports.md)
sig=$(cat report.csv.sig)
field() { echo "$sig" | tr ',' '\\n' | sed -n "s/^$1=//p"; }
b64url() { s=$(tr '_-' '/+'); while [ $(( \${#s} % 4 )) -ne 0 ]; do s="$s="; done; printf '%s' "$s" | base64 -d; }
field statement | b64url > statement.json      # the signed statement (JSON)
field sig | base64 -d > sig.bin
openssl pkeyutl -verify -pubin -inkey vitrine-signing-key.pem -rawin -in statement.json -sigfile sig.bin
# The statement names the file's sha256: the two must be equal.
grep -o '"sha256":"[0-9a-f]*"' statement.json; sha256sum report.csv`;

export default async function ReportsPage() {
  await requirePagePermission("reports:export", "/reports");
  const [environments, history, schedules, key] = await Promise.all([
    listReportEnvironments(),
    listReportExports({ limit: 20 }),
    listReportSchedules(),
    getSigningKey(),
  ]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Reports</h1>
          <p>
            Signed compliance reports an auditor can check: every deployment of an environment in a period, with its signatures, provenance,
            admission and policy result, the ledger checkpoint it covers, and Vitrine&apos;s Ed25519 signature.
          </p>
        </div>
      </div>

      <div className={styles.grid}>
        <section className="card" aria-labelledby="export-heading">
          <h2 id="export-heading">Export a report</h2>
          <ExportForm environments={environments} />
        </section>
        <section className="card" aria-labelledby="verify-heading">
          <h2 id="verify-heading">Verify a report</h2>
          <p className="muted small" style={{ marginTop: 0 }}>
            Is this file exactly what Vitrine exported? One changed byte makes it invalid.
          </p>
          <VerifyReport />
        </section>
      </div>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">Report history</h2>
        <ReportHistory initial={history} />
      </section>

      <section className="card" aria-labelledby="schedules-heading">
        <h2 id="schedules-heading">Scheduled reports</h2>
        <ReportSchedules initial={schedules} environments={environments} />
      </section>

      <section className="card" aria-labelledby="offline-heading">
        <h2 id="offline-heading">Verify without Vitrine</h2>
        <p>
          Reports are signed with Vitrine&apos;s Ed25519 key <code className={styles.hash}>{key.fingerprint}</code> (
          <a href="/api/v1/reports/public-key" download="vitrine-signing-key.pem">
            download the public key
          </a>
          ). With it, <code>npx vitrine report verify FILE --public-key vitrine-signing-key.pem</code> checks a file offline, and so can
          OpenSSL (the signature covers a small JSON statement naming the file&apos;s sha256; formats in <code>docs/reports.md</code>):
        </p>
        <pre className={styles.pre}>{OPENSSL}</pre>
      </section>
    </>
  );
}
