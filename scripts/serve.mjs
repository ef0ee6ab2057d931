// Serves the built app (or `--dev`). Vitrine's own HTTP server in front of Next.js, for one reason:
// the client address. Next only sets X-Forwarded-For when it is absent, so a client could name any
// address and escape per-address sign-in limits. Here the socket's peer address is always appended
// (after the chain a trusted proxy sent, with VITRINE_TRUST_PROXY=true; else the chain is dropped).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PORT ?? "3000" },
    host: { type: "string", default: "0.0.0.0" },
    dev: { type: "boolean" },
  },
  strict: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`Invalid port "${values.port}": a number from 1 to 65535`);
  process.exit(2);
}
const trustProxy = process.env.VITRINE_TRUST_PROXY === "true";
const app = next({ dev: Boolean(values.dev), hostname: values.host, port, dir: process.cwd() });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const peer = req.socket.remoteAddress ?? "unknown";
  const prior = trustProxy ? req.headers["x-forwarded-for"] : undefined;
  req.headers["x-forwarded-for"] = prior ? `${Array.isArray(prior) ? prior.join(", ") : prior}, ${peer}` : peer;
  handle(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, values.host, () => {
  console.log(`▲ Vitrine serving on http://${values.host}:${port}${values.dev ? " (development)" : ""}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
