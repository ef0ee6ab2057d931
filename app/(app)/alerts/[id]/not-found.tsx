import Link from "next/link";

export default function NotFound() {
  return (
    <div className="card empty">
      <h1>No such alert</h1>
      <p>Vitrine has no alert with this id. Alerts are kept for good, so the address is probably mistyped.</p>
      <Link className="btn" href="/alerts">
        Back to the alerts
      </Link>
    </div>
  );
}
