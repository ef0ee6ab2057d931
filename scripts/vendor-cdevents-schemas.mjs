// Bundles the CDEvents v0.5.1 JSON Schemas (cdevents/spec @ df02ce0b, Apache-2.0) into one file
// that ships with Vitrine: lib/ingest/cdevents/schemas-0.5.1.json. Run when the spec is updated:
//   node scripts/vendor-cdevents-schemas.mjs ../shared/fixtures/cdevents/schemas
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? join("..", "shared", "fixtures", "cdevents", "schemas");
const read = (sub) =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, sub, f), "utf8")));
const bundle = { source: "https://github.com/cdevents/spec/tree/v0.5.1/schemas", events: read("."), links: read("links") };
writeFileSync("lib/ingest/cdevents/schemas-0.5.1.json", `${JSON.stringify(bundle)}\n`);
console.log(`bundled ${bundle.events.length} event schemas and ${bundle.links.length} link schemas`);
