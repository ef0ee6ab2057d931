import { MessageCard } from "../../../_nouns/params";

export default function NotFound() {
  return (
    <MessageCard title="No such trusted identity" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
      Vitrine has no trusted identity with this id or name. Trusted identities are listed in Settings &gt; Trust.
    </MessageCard>
  );
}
