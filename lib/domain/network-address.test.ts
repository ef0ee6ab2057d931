import { describe, expect, it } from "vitest";
import {
  type AddressClass,
  checkAddress,
  checkUrlTarget,
  classifyIp,
  DEFAULT_NETWORK_POLICY,
  isAllowedHost,
  type NetworkPolicy,
  parseAllowedHosts,
  parseIp,
  parseLooseIPv4,
} from "./network-address";

const PRIVATE: NetworkPolicy = { allowPrivate: true, allowedHosts: [] };

function classOf(address: string): AddressClass {
  const ip = parseIp(address);
  if (!ip) throw new Error(`${address} does not parse`);
  return classifyIp(ip).class;
}

describe("classifyIp", () => {
  it.each<[string, AddressClass]>([
    // IPv4: every range the guard refuses, at both ends of each.
    ["0.0.0.0", "unspecified"],
    ["0.255.255.255", "unspecified"],
    ["10.0.0.0", "private"],
    ["10.255.255.255", "private"],
    ["100.64.0.0", "shared"],
    ["100.127.255.255", "shared"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.0.1", "link-local"],
    ["169.254.169.254", "link-local"],
    ["172.16.0.0", "private"],
    ["172.31.255.255", "private"],
    ["192.168.0.1", "private"],
    ["192.168.255.255", "private"],
    ["192.0.0.170", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.255", "benchmarking"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.255", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    // Just outside the ranges: public.
    ["9.255.255.255", "public"],
    ["11.0.0.0", "public"],
    ["100.63.255.255", "public"],
    ["100.128.0.0", "public"],
    ["126.255.255.255", "public"],
    ["128.0.0.0", "public"],
    ["169.253.255.255", "public"],
    ["169.255.0.0", "public"],
    ["172.15.255.255", "public"],
    ["172.32.0.0", "public"],
    ["192.167.255.255", "public"],
    ["192.169.0.0", "public"],
    ["198.17.255.255", "public"],
    ["198.20.0.0", "public"],
    ["223.255.255.255", "public"],
    ["1.1.1.1", "public"],
    ["93.184.216.34", "public"],
    // IPv6
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["fc00::1", "unique-local"],
    ["fd12:3456:789a::1", "unique-local"],
    ["fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique-local"],
    ["fe80::1", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["fec0::1", "site-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"],
    ["100::1", "reserved"],
    ["::7f00:1", "reserved"],
    ["::127.0.0.1", "reserved"],
    ["fbff:ffff::1", "reserved"],
    ["fe7f::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001:82b::200e", "public"],
  ])("%s is %s", (address, cls) => {
    expect(classOf(address)).toBe(cls);
  });

  it("gives IPv6 forms that carry an IPv4 address the class of that address", () => {
    for (const [address, cls, embedded] of [
      ["::ffff:127.0.0.1", "loopback", "127.0.0.1"],
      ["::ffff:7f00:1", "loopback", "127.0.0.1"],
      ["0:0:0:0:0:ffff:a9fe:a9fe", "link-local", "169.254.169.254"],
      ["::FFFF:10.1.2.3", "private", "10.1.2.3"],
      ["::ffff:192.168.1.1", "private", "192.168.1.1"],
      ["::ffff:172.16.0.1", "private", "172.16.0.1"],
      ["::ffff:100.64.0.1", "shared", "100.64.0.1"],
      ["::ffff:0.0.0.0", "unspecified", "0.0.0.0"],
      ["::ffff:8.8.8.8", "public", "8.8.8.8"],
      ["64:ff9b::127.0.0.1", "loopback", "127.0.0.1"],
      ["64:ff9b::a9fe:a9fe", "link-local", "169.254.169.254"],
      ["64:ff9b::808:808", "public", "8.8.8.8"],
      ["2002:7f00:1::", "loopback", "127.0.0.1"],
      ["2002:a9fe:a9fe::1", "link-local", "169.254.169.254"],
      ["2002:0808:0808::1", "public", "8.8.8.8"],
    ] as const) {
      const c = classifyIp(parseIp(address)!);
      expect(c, address).toMatchObject({ class: cls, embedded });
    }
    expect(classOf("64:ff9b:1::1")).toBe("private");
  });

  it("reads brackets and zones, writes IPv6 compressed", () => {
    expect(classifyIp(parseIp("[::1]")!).address).toBe("::1");
    expect(classifyIp(parseIp("fe80::1%eth0")!)).toMatchObject({ class: "link-local", address: "fe80::1" });
    expect(classifyIp(parseIp("2001:0db8:0000:0000:0000:0000:0000:0001")!).address).toBe("2001:db8::1");
    expect(classifyIp(parseIp("1:0:0:2:0:0:0:3")!).address).toBe("1:0:0:2::3");
  });

  it("parses only address literals", () => {
    for (const text of [
      "example.com",
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "01.2.3.4",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "::g",
      "12345::",
      "::1.2.3",
      "1.2.3.4::",
    ]) {
      expect(parseIp(text), text).toBeNull();
    }
  });
});

describe("parseLooseIPv4 (what inet_aton and getaddrinfo accept)", () => {
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["0177.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["127.0.1", "127.0.0.1"],
    ["0x7f.0x0.0x0.0x1", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["0x", "0.0.0.0"],
    ["169.254.43518", "169.254.169.254"],
    ["2852039166", "169.254.169.254"],
    ["0xa9fea9fe", "169.254.169.254"],
    ["10.0x10203", "10.1.2.3"],
  ])("%s is %s", (text, dotted) => {
    expect(parseLooseIPv4(text)?.join(".")).toBe(dotted);
  });

  it("refuses what is not an address", () => {
    for (const text of ["4294967296", "256.1", "1.2.3.256", "08.1.1.1", "0x1g", "1..2", "a.b.c.d", "", "1.2.3.4.5", "-1"]) {
      expect(parseLooseIPv4(text), text).toBeNull();
    }
  });
});

describe("checkUrlTarget (a channel URL, before any DNS)", () => {
  it.each([
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8080/hook",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://127.0.0.1./",
    "http://0x7f.0x0.0x0.0x1/",
    "http://①②⑦.0.0.1/",
    "http://localhost/",
    "http://LOCALHOST:3000/",
    "http://localhost./",
    "http://localhost../",
    "http://api.localhost/",
    "http://ip6-localhost/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.10/",
    "http://100.64.1.1/",
    "http://[fc00::1]/",
    "http://[fd00:abcd::5]:8443/",
    "http://[::ffff:192.168.0.1]/",
    "http://[::ffff:10.0.0.1]/",
  ])("refuses %s by default and allows it with VITRINE_NOTIFY_ALLOW_PRIVATE", (url) => {
    const refused = checkUrlTarget(url, DEFAULT_NETWORK_POLICY);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? "" : refused.message).toMatch(/^must not point at .*(loopback|private|carrier-grade|unique-local)/);
    expect(checkUrlTarget(url, PRIVATE).ok).toBe(true);
  });

  it.each([
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://[fe80::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://[ff02::1]/",
    "http://192.0.2.1/",
    "http://[2001:db8::1]/",
  ])("refuses %s even with VITRINE_NOTIFY_ALLOW_PRIVATE", (url) => {
    for (const policy of [DEFAULT_NETWORK_POLICY, PRIVATE]) {
      const verdict = checkUrlTarget(url, policy);
      expect(verdict.ok).toBe(false);
      expect(verdict.ok ? "" : verdict.message).toContain("VITRINE_NOTIFY_ALLOWED_HOSTS");
    }
  });

  it("says what the address is", () => {
    const loopback = checkUrlTarget("http://0x7f.1/", DEFAULT_NETWORK_POLICY);
    expect(loopback.ok ? "" : loopback.message).toMatch(
      /^must not point at 127\.0\.0\.1, a loopback address: VITRINE_NOTIFY_ALLOWED_HOSTS/,
    );
    const mapped = checkUrlTarget("http://[::ffff:169.254.169.254]/", DEFAULT_NETWORK_POLICY);
    expect(mapped.ok ? "" : mapped.message).toContain("::ffff:a9fe:a9fe (IPv4 169.254.169.254), a link-local address");
    const name = checkUrlTarget("http://localhost./", DEFAULT_NETWORK_POLICY);
    expect(name.ok ? "" : name.message).toMatch(/^must not point at localhost, a loopback name/);
  });

  it("allows public addresses and host names (their addresses are checked at delivery)", () => {
    for (const url of [
      "https://hooks.slack.com/services/T0/B0/X",
      "https://example.com./hook",
      "http://93.184.216.34/",
      "http://[2606:4700:4700::1111]/",
      "http://localhost.example.com/",
      "http://mylocalhost/",
      "http://10.0.0.5.nip.io/",
    ]) {
      const verdict = checkUrlTarget(url, DEFAULT_NETWORK_POLICY);
      expect(verdict, url).toMatchObject({ ok: true, allowlisted: false });
    }
    expect(checkUrlTarget("http://93.184.216.34/", DEFAULT_NETWORK_POLICY)).toMatchObject({ literal: { family: 4 } });
    expect(checkUrlTarget("https://example.com./", DEFAULT_NETWORK_POLICY)).toMatchObject({
      host: "example.com",
      port: 443,
      literal: null,
    });
  });

  it("refuses other schemes and unparseable URLs", () => {
    for (const url of ["ftp://example.com/", "file:///etc/passwd", "gopher://127.0.0.1/", "javascript:alert(1)", "not a url", "http://"]) {
      expect(checkUrlTarget(url, PRIVATE).ok, url).toBe(false);
    }
  });

  it("allows the hosts named in VITRINE_NOTIFY_ALLOWED_HOSTS, on their port when one is given", () => {
    const parsed = parseAllowedHosts("127.0.0.1, hooks.corp.example.:8443,[fd00::12]:443, fd00::13, 169.254.169.254");
    expect(parsed).toEqual({
      ok: true,
      hosts: [
        { host: "127.0.0.1", port: null },
        { host: "hooks.corp.example", port: 8443 },
        { host: "[fd00::12]", port: 443 },
        { host: "[fd00::13]", port: null },
        { host: "169.254.169.254", port: null },
      ],
    });
    const policy: NetworkPolicy = { allowPrivate: false, allowedHosts: parsed.ok ? parsed.hosts : [] };
    for (const url of [
      "http://127.0.0.1:4567/hook",
      "http://2130706433:80/",
      "https://hooks.corp.example:8443/x",
      "https://HOOKS.corp.example.:8443/x",
      "https://[fd00::12]/",
      "http://[fd00:0::13]:9/",
      "http://169.254.169.254/",
    ]) {
      expect(checkUrlTarget(url, policy), url).toMatchObject({ ok: true, allowlisted: true });
    }
    for (const url of ["http://[fd00::12]/", "http://127.0.0.2/", "http://localhost/"]) {
      expect(checkUrlTarget(url, policy).ok, url).toBe(false);
    }
    // Another port of a named host: a host name like any other, its addresses checked at delivery.
    expect(checkUrlTarget("https://hooks.corp.example/x", policy)).toMatchObject({ ok: true, allowlisted: false });
    expect(isAllowedHost(new URL("http://hooks.corp.example:8443/"), policy)).toBe(true);
    expect(isAllowedHost(new URL("http://hooks.corp.example:8444/"), policy)).toBe(false);
  });

  it("refuses VITRINE_NOTIFY_ALLOWED_HOSTS entries that are not host[:port]", () => {
    expect(parseAllowedHosts("")).toEqual({ ok: true, hosts: [] });
    expect(parseAllowedHosts(" , ")).toEqual({ ok: true, hosts: [] });
    for (const bad of [
      "http://example.com",
      "example.com/path",
      "example.com:0",
      "example.com:65536",
      "example.com:http",
      "user@example.com",
      "*.corp.example",
      "[fd00::1",
      "exa mple.com",
      "[not-ipv6]:80",
    ]) {
      expect(parseAllowedHosts(bad).ok, bad).toBe(false);
    }
  });
});

describe("checkAddress (a resolved address, at delivery)", () => {
  it("refuses what the URL check refuses, and allows private classes only with the switch", () => {
    expect(checkAddress("8.8.8.8", DEFAULT_NETWORK_POLICY).ok).toBe(true);
    expect(checkAddress("2606:4700:4700::1111", DEFAULT_NETWORK_POLICY).ok).toBe(true);
    for (const address of ["127.0.0.1", "10.1.1.1", "::1", "fd00::1", "::ffff:127.0.0.1", "100.100.100.100"]) {
      expect(checkAddress(address, DEFAULT_NETWORK_POLICY).ok, address).toBe(false);
      expect(checkAddress(address, PRIVATE).ok, address).toBe(true);
    }
    for (const address of ["169.254.169.254", "fe80::1%eth0", "0.0.0.0", "::", "ff02::1", "::ffff:169.254.169.254", "not-an-address"]) {
      expect(checkAddress(address, PRIVATE).ok, address).toBe(false);
    }
  });
});
