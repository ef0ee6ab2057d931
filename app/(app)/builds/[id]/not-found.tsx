import { MessageCard } from "../../_nouns/params";

export default function NotFound() {
  return (
    <MessageCard title="No such build" back={{ href: "/artifacts", label: "Back to the artefacts" }}>
      Vitrine has no build with this id. Builds appear when SLSA provenance or CDEvents build events report them.
    </MessageCard>
  );
}
