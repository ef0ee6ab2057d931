import { MessageCard } from "../../../_nouns/params";

export default function NotFound() {
  return (
    <MessageCard title="No such trusted key" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
      Vitrine has no trusted key with this id or name. Trusted keys are listed in Settings &gt; Trust.
    </MessageCard>
  );
}
