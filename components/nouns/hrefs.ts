// Addresses of the noun pages, encoded once here so every link agrees.

/** /tags/registry.acme.dev/app:1.0: a reference is path-safe as it is (letters, digits, . _ - / :), its slashes are segments. */
export function tagHref(reference: string): string {
  return `/tags/${encodeURI(reference)}`;
}

export function environmentHref(name: string): string {
  return `/environments/${encodeURIComponent(name)}`;
}
