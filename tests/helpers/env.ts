// Test configuration: set before lib/env is first read.
import { resetEnvForTests } from "@/lib/env";

export function setTestEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
}
