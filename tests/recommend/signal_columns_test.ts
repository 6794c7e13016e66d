import assert from "node:assert/strict";
import {
  columnBuffers,
  signalColumns,
  signalsFromColumns,
} from "../../recommend/signal_columns.ts";
import type { Signal } from "../../recommend/signals.ts";

Deno.test("signals come back from their columns as they went in", () => {
  const topic = { kind: "topic", id: 7 } as const;
  const person = { kind: "person", id: 2 ** 40 } as const;
  const signals: Signal[] = [
    { kind: "pick", user: 1, item: topic, at: 1_700_000_000_123 },
    { kind: "unpick", user: 1, item: topic, at: 1_700_000_000_124 },
    { kind: "follow", user: 2, item: person, at: 5 },
    { kind: "unfollow", user: 2, item: person, at: 6 },
    { kind: "listen", user: 3, item: person, at: 7, seconds: 90.5 },
    { kind: "listen", user: 3, item: topic, at: 8, seconds: 0.25 },
  ];
  const back = signalsFromColumns(signalColumns(signals));
  assert.deepEqual(back, signals);
  assert.equal(back[0].item, back[1].item, "one object per item");
});

Deno.test("the columns' buffers can be transferred, leaving the sender's detached", () => {
  const columns = signalColumns([{ kind: "pick", user: 1, item: { kind: "topic", id: 1 }, at: 1 }]);
  const copy = structuredClone(columns, { transfer: columnBuffers(columns) });
  assert.equal(columns.at.length, 0);
  assert.deepEqual(signalsFromColumns(copy)[0].item, { kind: "topic", id: 1 });
});
