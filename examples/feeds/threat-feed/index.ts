/**
 * A threat feed as one SuspiciousIpSet. Each run reads the feed (drop.txt beside this program, or stack config
 * `feedUrl`), and the set follows it: new addresses are added with an expiry 30 days out, addresses gone from
 * the feed are removed, and an address still listed gets a new expiry only once less than half of its 30 days
 * is left, so a daily run changes nothing in between.
 *
 * The set refuses, at preview and with nothing written: an empty or unreadable feed, a feed that is mostly not
 * addresses, private or reserved ranges, blocks wider than a /8, and a run that would change more than
 * maxChange of the set (the message says how to allow that one change).
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudlock from "pulumi-cloudlock";

const config = new pulumi.Config();
const url = config.get("feedUrl");

const feed = cloudlock.getFeed({
  ...(url ? { url } : { file: "drop.txt" }),
  label: "example-drop",
  // "{comment}" is the text after the address: "EX-0001 botnet C2".
  name: "Threat feed",
  description: "{comment}",
  categories: ["threat-feed"],
});

const threats = new cloudlock.SuspiciousIpSet("threats", {
  feed,
  ttl: "30d",
  maxChange: "25%",
});

/** How many entries the set holds. */
export const count = threats.count;
