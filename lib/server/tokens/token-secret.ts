import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "vtr_";
const TOKEN_PATTERN = /^vtr_[A-Za-z0-9_-]{43}$/;

export function generateTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function hashTokenSecret(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
