import { MessageCard } from "../../_nouns/params";

export default function NotFound() {
  return (
    <MessageCard title="No such tag" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
      Vitrine has seen no push of this tag and no deployment that names it. Tags appear from registry notifications and CDEvents
      artifact.published events.
    </MessageCard>
  );
}
