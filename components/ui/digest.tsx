import Link from "next/link";
import { shortDigest } from "@/lib/domain/digest";
import { CopyButton } from "./copy-button";

export function DigestLink({ digest, full = false }: { digest: string; full?: boolean }) {
  return (
    <span className="digest">
      <Link href={`/artifacts/${encodeURIComponent(digest)}`} title={digest}>
        {full ? digest : shortDigest(digest, 16)}
      </Link>{" "}
      <CopyButton value={digest} label="Copy digest" />
    </span>
  );
}
