/**
 * What to do when our new entry is not alone at its address (another writer made one there between our
 * duplicate check and our POST): fail the create naming every entry, and delete ours again only when it is
 * surely ours.
 */
import { detailOf } from "../client/errors";
import type { CollectionName } from "../client/types";
import { NAME, WIRE } from "../model";
import { LABEL } from "../tokens";
import type { ProblemFacts } from "../problems";
import type { AtAddress, Made } from "./address-check";
import type { Connection } from "./connection";
import { sameValue, unexpired } from "./schema";

/**
 * After our POSTs: no other writer made an entry at the same address between
 * our duplicate check and the POST. For each entry that has company the
 * create fails naming every pk, so no run exits 0 leaving a duplicate; ours
 * is deleted again only when it is surely ours (the POST answered with it, and
 * it was seen at the address we sent, under the name we sent). Returns what
 * happened and what to do, by our pk, for each entry that was not alone.
 */
export async function aloneAt(
  conn: Connection,
  kind: CollectionName,
  made: Made[],
  ownKnown: boolean,
  found?: Map<string, AtAddress>,
): Promise<Map<string, ProblemFacts<"address-race">>> {
  const at = found ?? (await conn.check(kind).othersAt(made));
  const now = conn.now();
  const failed = new Map<string, ProblemFacts<"address-race">>();
  const company = (m: Made) => unexpired(at.get(m.entry.pk)?.others ?? [], now);
  const crowded = made.filter((m) => company(m).length > 0);
  const surelyOurs = crowded.filter(
    (m) => ownKnown && at.get(m.entry.pk)?.ours && sameValue(NAME, at.get(m.entry.pk)?.oursName, m.name),
  );
  const pks = surelyOurs.map((m) => m.entry.pk);
  const gone = pks.length
    ? await conn
        .write(kind, "delete", () => conn.client.collection(kind).delete(pks))
        .then(
          () => undefined,
          (e: Error) => detailOf(e),
        )
    : undefined;
  if (pks.length && gone === undefined) conn.store(kind).noteDeleted(pks);
  for (const m of crowded) {
    const theirs = company(m);
    const named = theirs.map((e) => `${e.pk} ("${e[WIRE.name]}", ${e[WIRE.address]})`).join(", ");
    const all = [m.entry.pk, ...theirs.map((e) => e.pk)].join(", ");
    const outcome = !surelyOurs.includes(m)
      ? `${ownKnown ? `Cloudlock's answer named entry ${m.entry.pk}, which a fresh look did not find at this address` : "This run's POST lost its answer"}, so which entry it made is not known: none was deleted, and the ` +
        `library holds entries ${all} at this address. Delete the one no one manages, then set adoptId to the other`
      : gone === undefined
        ? `Entry ${m.entry.pk}, the one this run made, was deleted again so the library holds no duplicate. ` +
          `Set adoptId: "${theirs[0].pk}" to manage the other writer's entry, or stop the other writer and run ` +
          `\`pulumi up\` again`
        : `Deleting entry ${m.entry.pk}, the one this run made, failed too (${gone}): delete it by hand, then set ` +
          `adoptId: "${theirs[0].pk}" or run \`pulumi up\` again`;
    failed.set(m.entry.pk, {
      what:
        `${LABEL[kind]} "${m.name}" (${m.sent}): another writer created entry ${named} at the same address while ` +
        `this run created entry ${m.entry.pk} (Cloudlock accepted both).`,
      fix: `${outcome}.`,
    });
  }
  return failed;
}
