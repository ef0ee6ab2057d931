import Link from "next/link";
import type { ReactNode } from "react";

/** A route segment as the user typed it: percent-decoded once, left as is when it is not valid encoding. */
export function decodedParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** One value of a query parameter (the first, when it is repeated). */
export function firstParam(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v ? v : undefined;
}

/**
 * A page's answer when its address names nothing: what is wrong or missing, and a way back. Invalid
 * input is an alert (the page answers it, never a 500); a segment's not-found.tsx shows the same card.
 */
export function MessageCard(props: { title: string; children: ReactNode; back: { href: string; label: string }; alert?: boolean }) {
  return (
    <div className="card empty" role={props.alert ? "alert" : undefined}>
      <h1>{props.title}</h1>
      <p>{props.children}</p>
      <Link className="btn" href={props.back.href}>
        {props.back.label}
      </Link>
    </div>
  );
}
