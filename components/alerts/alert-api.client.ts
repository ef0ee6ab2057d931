// The alert routes as React Query sees them: one key factory, typed fetchers, one triage call.
import type { TriageAction } from "@/lib/domain/alert-triage";
import type { AlertPage } from "@/lib/server/alerts/list-alerts";
import type { UserChoice } from "@/lib/server/users/search-users";
import { fetchJson } from "../ui/fetch-json.client";

export const alertKeys = {
  all: ["alerts"] as const,
  list: (params: string) => [...alertKeys.all, "list", params] as const,
  users: (q: string) => ["users", "choices", q] as const,
};

export function fetchAlertPage(params: URLSearchParams): Promise<AlertPage> {
  return fetchJson<AlertPage>(`/api/v1/alerts?${params.toString()}`);
}

export function triage(id: string, action: TriageAction, body: Record<string, unknown> = {}): Promise<unknown> {
  return fetchJson(`/api/v1/alerts/${encodeURIComponent(id)}/${action}`, { method: "POST", body: JSON.stringify(body) });
}

export function fetchUserChoices(q: string): Promise<{ items: UserChoice[] }> {
  return fetchJson<{ items: UserChoice[] }>(`/api/v1/users?${new URLSearchParams(q ? { q } : {}).toString()}`);
}
