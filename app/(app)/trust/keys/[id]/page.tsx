import type { Metadata } from "next";
import { TrustEntryPage, type TrustPageProps } from "../../../_nouns/trust-entry-page";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Trusted key" };

export default function Page(props: TrustPageProps) {
  return <TrustEntryPage kind="keys" {...props} />;
}
