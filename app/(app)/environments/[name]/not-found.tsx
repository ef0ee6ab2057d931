import { MessageCard } from "../../_nouns/params";

export default function NotFound() {
  return (
    <MessageCard title="No such environment" back={{ href: "/environments", label: "All environments" }}>
      Vitrine knows no environment of this name: nothing has been deployed there and it has no trust policy.
    </MessageCard>
  );
}
