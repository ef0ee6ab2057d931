import type { PolicyFailure } from "@/lib/domain/policy";

/** A deployment's policy result: passes, fails with one reason per failed requirement, or not evaluated yet. */
export function DeploymentPolicy({
  policy,
  ended = false,
}: {
  policy: { pass: boolean; failures?: PolicyFailure[] } | null;
  ended?: boolean;
}) {
  if (policy === null) return <span className="badge">{ended ? "not evaluated" : "not evaluated yet"}</span>;
  if (policy.pass) return <span className="badge badge-ok">passes</span>;
  return (
    <>
      <span className="badge badge-bad">fails</span>
      {policy.failures?.length ? (
        <ul className="small" style={{ margin: "0.25rem 0 0", paddingLeft: "1.1rem" }}>
          {policy.failures.map((f) => (
            <li key={`${f.requirement}-${f.reason}`}>{f.reason}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
