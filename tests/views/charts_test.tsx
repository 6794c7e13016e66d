import assert from "node:assert/strict";
import { formatNumber, LineChart, niceTicks } from "../../views/charts.tsx";
import { seededRandom } from "../recommend/support.ts";

Deno.test("axis ticks are round and cover the data", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.5, 1]);
  assert.deepEqual(niceTicks(1141, 2127), [1000, 1500, 2000, 2500]);
  const random = seededRandom(4);
  for (let n = 0; n < 200; n++) {
    const min = (random() - 0.5) * 10 ** Math.floor(random() * 8);
    const max = min + random() * 10 ** Math.floor(random() * 8);
    const ticks = niceTicks(min, max);
    assert.ok(ticks[0] <= min && ticks.at(-1)! >= max, `${ticks} do not cover ${min}..${max}`);
    assert.ok(ticks.length >= 2 && ticks.length <= 7, `${ticks.length} ticks for ${min}..${max}`);
  }
  assert.deepEqual(niceTicks(5, 5), [4.5, 5, 5.5], "one value still gets an axis");
});

Deno.test("numbers on axes are short", () => {
  assert.deepEqual([0.125, 12, 1500, 25_170.2, 3_400_000].map(formatNumber), [
    "0.125",
    "12",
    "1500",
    "25.2k",
    "3.4M",
  ]);
});

Deno.test("a chart is an image with its title, description, labelled axes and a line per series", () => {
  const html = String(
    <LineChart
      id="loss"
      title="Loss per iteration"
      description="Fell from 812 to 95."
      xLabel="Iteration"
      yLabel="Loss"
      series={[
        { name: "Loss", className: "series-loss", points: [{ x: 1, y: 812 }, { x: 2, y: 95 }] },
        { name: "Other", className: "series-other", points: [{ x: 1, y: 300 }] },
      ]}
    />,
  );
  assert.match(html, /<svg[^>]*role="img"[^>]*aria-labelledby="loss-title loss-desc"/);
  assert.match(html, /<title id="loss-title">Loss per iteration<\/title>/);
  assert.match(html, /<desc id="loss-desc">Fell from 812 to 95.<\/desc>/);
  assert.match(html, /class="axis-label"[^>]*>Iteration</);
  assert.match(html, /class="axis-label"[^>]*>Loss</);
  assert.equal(html.match(/<polyline/g)?.length, 1, "a single point draws no line");
  assert.equal(html.match(/<circle/g)?.length, 3);
  assert.doesNotMatch(html, /NaN|Infinity/);
  assert.match(html, /<li class="series-other">/, "two series get a legend");
});
