import { MessageCard } from "../../_nouns/params";

export default function NotFound() {
  return (
    <MessageCard title="No such commit" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
      Vitrine has seen no source commit with this id. Commits appear when SLSA provenance or a CDEvents artifact.packaged event names them.
    </MessageCard>
  );
}
