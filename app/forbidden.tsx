import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="main" id="main">
      <div className="card empty" role="alert">
        <h1>403 · Not allowed</h1>
        <p>Your role does not allow this page. Ask an administrator if you need access.</p>
        <Link className="btn" href="/">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}
