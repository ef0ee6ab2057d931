import type { Metadata } from "next";
import Link from "next/link";
import { EscalationForm } from "@/components/settings/escalation-form";
import { NotificationChannels } from "@/components/settings/notification-channels";
import { actorCan } from "@/lib/auth/actor";
import { requirePagePermission } from "@/lib/auth/session";
import { getEscalationSettings } from "@/lib/server/notifications/escalation-settings";
import { listChannels } from "@/lib/server/notifications/list-channels";
import { isEmailConfigured } from "@/lib/server/notifications/send-notification";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

const VERIFY = `// Node.js: verify a Vitrine webhook before trusting it
import { createHmac, timingSafeEqual } from "node:crypto";

function verify(secret, rawBody, header /* Vitrine-Signature */) {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2)));
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;  // replayed?
  const expected = createHmac("sha256", secret).update(\`\${parts.t}.\${rawBody}\`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}`;

export default async function NotificationsPage() {
  const user = await requirePagePermission("settings:read", "/settings/notifications");
  const [channels, escalation] = await Promise.all([listChannels(), getEscalationSettings()]);
  const canEdit = actorCan(user, "trust:manage");
  return (
    <>
      <div className="page-header">
        <div>
          <p>
            <Link href="/settings">Settings</Link> /
          </p>
          <h1>Notifications</h1>
          <p>
            Where alerts go when they open, reopen or escalate: signed webhooks, Slack-compatible channels and email, routed by severity,
            rule and environment. Each alert state reaches a channel once; failed deliveries are retried with backoff.
          </p>
        </div>
      </div>

      <NotificationChannels initialChannels={channels} canEdit={canEdit} emailConfigured={isEmailConfigured()} />

      <section className="card" aria-labelledby="escalation-heading">
        <h2 id="escalation-heading">Escalation</h2>
        <EscalationForm initial={escalation} canEdit={canEdit} />
      </section>

      <section className="card" aria-labelledby="receiving-heading">
        <h2 id="receiving-heading">Receiving webhooks</h2>
        <p>
          A webhook channel receives a CloudEvent in structured mode (<code>Content-Type: application/cloudevents+json</code>) of type{" "}
          <code>dev.vitrine.alert.opened</code>, <code>.reopened</code> or <code>.escalated</code>; its <code>id</code> is the delivery id,
          the same on every retry, so a receiver can drop repeats. Answer any 2xx within 5 seconds; redirects are not followed.
        </p>
        <p>
          The <code>Vitrine-Signature</code> header is <code>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</code> of{" "}
          <code>t + &quot;.&quot; + body</code> with the channel&apos;s secret. The full format is in <code>docs/notifications.md</code>.
        </p>
        <p>
          Vitrine calls public addresses only: a URL on a loopback, private, carrier-grade NAT or link-local address (such as cloud metadata
          at <code>169.254.169.254</code>) is refused when the channel is saved, and again before every request for the addresses its host
          resolves to. For receivers on your own network, the server&apos;s operator names them in <code>VITRINE_NOTIFY_ALLOWED_HOSTS</code>{" "}
          (<code>docs/notifications.md</code>).
        </p>
        <pre className="raw">{VERIFY}</pre>
      </section>
    </>
  );
}
