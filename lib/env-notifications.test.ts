// The notification settings of lib/env.ts (docs/notifications.md).
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("configuration", () => {
  it("validates VITRINE_PUBLIC_URL and the SMTP pair", () => {
    expect(parseEnv({ VITRINE_PUBLIC_URL: "https://vitrine.example.com/" }).VITRINE_PUBLIC_URL).toBe("https://vitrine.example.com");
    expect(() => parseEnv({ VITRINE_PUBLIC_URL: "ftp://vitrine.example.com" })).toThrow(/VITRINE_PUBLIC_URL/);
    const smtp = parseEnv({ VITRINE_SMTP_URL: "smtps://user:pw@mail.example.com", VITRINE_SMTP_FROM: "vitrine@example.com" });
    expect(smtp.VITRINE_SMTP_URL).toBe("smtps://user:pw@mail.example.com");
    expect(() => parseEnv({ VITRINE_SMTP_URL: "smtp://mail.example.com" })).toThrow(/set together/);
    expect(() => parseEnv({ VITRINE_SMTP_URL: "http://mail.example.com", VITRINE_SMTP_FROM: "v@example.com" })).toThrow(/VITRINE_SMTP_URL/);
    expect(() => parseEnv({ VITRINE_SMTP_URL: "smtp://mail.example.com", VITRINE_SMTP_FROM: "not an address" })).toThrow(
      /VITRINE_SMTP_FROM/,
    );
  });
});

describe("the notification address guard", () => {
  it("accepts only 0 or 1 for VITRINE_NOTIFY_ALLOW_PRIVATE (unset: 0)", () => {
    expect(parseEnv({}).VITRINE_NOTIFY_ALLOW_PRIVATE).toBe("0");
    expect(parseEnv({ VITRINE_NOTIFY_ALLOW_PRIVATE: "" }).VITRINE_NOTIFY_ALLOW_PRIVATE).toBe("0");
    expect(parseEnv({ VITRINE_NOTIFY_ALLOW_PRIVATE: "1" }).VITRINE_NOTIFY_ALLOW_PRIVATE).toBe("1");
    expect(parseEnv({ VITRINE_NOTIFY_ALLOW_PRIVATE: "0" }).VITRINE_NOTIFY_ALLOW_PRIVATE).toBe("0");
    for (const bad of ["true", "yes", "on", "2", " 1x", "TRUE"]) {
      expect(() => parseEnv({ VITRINE_NOTIFY_ALLOW_PRIVATE: bad }), bad).toThrow(/VITRINE_NOTIFY_ALLOW_PRIVATE: must be 0 or 1/);
    }
  });

  it("reads VITRINE_NOTIFY_ALLOWED_HOSTS as host[:port] entries and refuses anything else", () => {
    expect(parseEnv({}).VITRINE_NOTIFY_ALLOWED_HOSTS).toEqual([]);
    expect(parseEnv({ VITRINE_NOTIFY_ALLOWED_HOSTS: "Hooks.Corp.Example:8443, 10.0.0.7" }).VITRINE_NOTIFY_ALLOWED_HOSTS).toEqual([
      { host: "hooks.corp.example", port: 8443 },
      { host: "10.0.0.7", port: null },
    ]);
    for (const bad of ["https://hooks.corp.example", "*.corp.example", "host:99999", "a b"]) {
      expect(() => parseEnv({ VITRINE_NOTIFY_ALLOWED_HOSTS: bad }), bad).toThrow(
        /VITRINE_NOTIFY_ALLOWED_HOSTS: must be a comma-separated list/,
      );
    }
  });
});
