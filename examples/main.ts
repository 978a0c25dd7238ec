/**
 * The main example: the organisation's trusted offices and its threat feed,
 * both declared from files in the repo. The root index.ts (Pulumi.yaml's
 * program) and the demo run this.
 */
import { offices } from "./offices";
import { threatFeed } from "./threat-feed";

export function declareLibraries() {
  const trusted = offices();
  const suspicious = threatFeed();
  return {
    trustedIds: trusted.map((t) => t.id),
    suspiciousIds: suspicious.map((s) => s.id),
  };
}
