import { describe, expect, it } from "vitest";
import { subjectName } from "./apply-batch";

describe("subjectName: how an in-toto subject names its artefact", () => {
  it("drops the tag and digest of an image reference", () => {
    expect(subjectName("ghcr.io/acme/app:1.0")).toBe("ghcr.io/acme/app");
    expect(subjectName(`registry.test/app@sha256:${"a".repeat(64)}`)).toBe("registry.test/app");
    expect(subjectName("localhost:5000/app")).toBe("localhost:5000/app");
  });

  it("keeps file and package names as they are", () => {
    expect(subjectName("app_linux_amd64.tar.gz")).toBe("app_linux_amd64.tar.gz");
    expect(subjectName("acme/app")).toBe("acme/app");
    expect(subjectName("pkg:npm/left-pad@1.3.0")).toBe("pkg:npm/left-pad@1.3.0");
  });

  it("gives no name for an empty or missing one", () => {
    expect(subjectName(null)).toBeNull();
    expect(subjectName("  ")).toBeNull();
  });
});
