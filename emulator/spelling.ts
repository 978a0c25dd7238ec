/**
 * How the server writes what it makes: entry ids, timestamps, its own spelling of an address (the "normalised"
 * knob), and the place it locates an address in. Pure functions of their inputs (and randomness, for ids).
 */
import { randomBytes } from "crypto";
import * as ipaddr from "ipaddr.js";
import { parseAddress } from "../provider/address";

const PK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new entry id: random letters and digits, as Cloudlock's. */
export function newPk(length = 10): string {
  const bytes = randomBytes(length);
  let s = "";
  for (const b of bytes) s += PK_ALPHABET[b % PK_ALPHABET.length];
  return s;
}

/** UTC ISO-8601 with microseconds and offset, as the API writes timestamps. */
export function isoMicro(ms: number, micro = 0): string {
  const iso = new Date(ms).toISOString(); // 2016-06-20T13:05:23.034Z
  return `${iso.slice(0, 23)}${String(micro % 1000).padStart(3, "0")}+00:00`;
}

/** Whole seconds, `Z`: `2016-06-20T13:05:23Z`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Whole seconds (truncated), offset: `2016-06-20T13:05:23+00:00`. */
export function isoSecondsOffset(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/**
 * The "normalised" server's own spelling of a valid address: IPv4 as dotted
 * decimal, IPv6 fully expanded lowercase (also in blocks and ranges), /32 and
 * /128 dropped, `a-a` written `a`. Deliberately not our canonical form
 * (provider/address.ts): a different spelling of the same set.
 */
export function serverSpelling(ip: string): string {
  const dash = ip.indexOf("-");
  if (dash >= 0) {
    const a = spellOne(ip.slice(0, dash));
    const b = spellOne(ip.slice(dash + 1));
    return a === b ? a : `${a}-${b}`;
  }
  const slash = ip.indexOf("/");
  if (slash >= 0) {
    const base = spellOne(ip.slice(0, slash));
    const len = Number(ip.slice(slash + 1));
    return len === (base.includes(":") ? 128 : 32) ? base : `${base}/${len}`;
  }
  return spellOne(ip);
}

function spellOne(a: string): string {
  if (!a.includes(":")) return ipaddr.IPv4.parse(a).toString();
  return ipaddr.IPv6.parse(a)
    .parts.map((p) => p.toString(16).padStart(4, "0"))
    .join(":");
}

const CITIES = [
  "United States Fairfield",
  "Germany Berlin",
  "Ireland Dublin",
  "Japan Tokyo",
  "Brazil Sao Paulo",
  "Australia Sydney",
  "Canada Toronto",
];
/** The places of addresses that have none (the "null" empty-fields style leaves their location out). */
export const NO_PLACE = ["Private network", "Loopback"];

/** A stand-in for the server's geolocation: deterministic per address. */
export function locationFor(ip: string): string {
  const parsed = parseAddress(ip);
  if (!parsed.ok) return "Unknown";
  const c = parsed.value.canonical;
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|f[cd])/i.test(c)) return "Private network";
  if (/^(127\.|::1$)/.test(c)) return "Loopback";
  let h = 0;
  for (const ch of c) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return CITIES[h % CITIES.length];
}
