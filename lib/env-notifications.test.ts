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
