import * as cloudlock from "pulumi-cloudlock";

// drop.txt, beside the program: one address, block or range per line, comments after ";".
// A URL works the same way: { url: "https://feeds.example/drop.txt" }.
const drop = cloudlock.getFeed({
  file: "drop.txt",
  name: "DROP {address}",
  description: "{comment}",
  categories: ["threat-feed"],
});

// The set follows the feed: its guard rails refuse an empty feed or a change beyond maxChange at preview.
const threats = new cloudlock.SuspiciousIpSet("threats", { feed: drop, ttl: "30d", maxChange: "25%" });

export const feedHash = drop.then((f) => f.hash);
export const threatCount = threats.count;
