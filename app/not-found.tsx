import Link from "next/link";

export default function NotFound() {
  return (
    <main className="main" id="main">
      <div className="card empty">
        <h1>404 · Not found</h1>
        <p>There is nothing at this address.</p>
        <Link className="btn" href="/">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}
