/** A placeholder while a slow section streams in; announced once to screen readers. */
export function SectionSkeleton({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite">
      <span className="muted small">{label}</span>
      <div className="skeleton" style={{ marginTop: "0.6rem", width: "60%" }} />
      <div className="skeleton" style={{ marginTop: "0.5rem", width: "90%" }} />
      <div className="skeleton" style={{ marginTop: "0.5rem", width: "75%" }} />
    </div>
  );
}
