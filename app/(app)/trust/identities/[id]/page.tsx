import type { Metadata } from "next";
import { TrustEntryPage, type TrustPageProps } from "../../../_nouns/trust-entry-page";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Trusted identity" };

export default function Page(props: TrustPageProps) {
  return <TrustEntryPage kind="identities" {...props} />;
}
