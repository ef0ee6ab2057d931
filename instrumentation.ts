// Runs once when a Next.js server instance starts: background duties that need no request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startBackgroundDuties } = await import("@/lib/server/background/start-background-duties");
  startBackgroundDuties();
}
