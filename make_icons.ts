/**
 * Makes the home-screen icons the web app manifest names (static/manifest.webmanifest) from
 * static/icon.svg, by drawing it in Chromium at each size and saving a PNG with a transparent
 * background. Run once after changing the icon, and commit the PNGs; Palabre never runs it.
 *
 * @example
 * // deno run --allow-all make_icons.ts
 */
import { chromium } from "playwright-core";

const svg = await Deno.readTextFile(new URL("./static/icon.svg", import.meta.url));
// The maskable icon fills its square with the icon's colour and keeps the bars inside the
// middle 60%: launchers cut it to a circle or a squircle within the middle 80%.
const bars = svg.replace(/<rect[^>]*\/>/, "").replace('viewBox="0 0 32 32"', 'viewBox="4 4 24 24"');
const colour = svg.match(/fill="(#[0-9a-f]{6})"/)?.[1] ?? "#5b3cc4";

const icons = [
  { file: "icon-192.png", size: 192, html: svg },
  { file: "icon-512.png", size: 512, html: svg },
  // iOS rounds the corners itself and fills transparency with black: a full square, as maskable.
  { file: "apple-touch-icon.png", size: 180, html: fullSquare(75) },
  { file: "icon-maskable-512.png", size: 512, html: fullSquare(60) },
];

function fullSquare(barsPercent: number): string {
  return `<div style="background:${colour};width:100%;height:100%;display:grid;place-items:center">` +
    `<div style="width:${barsPercent}%;height:${barsPercent}%">${bars}</div></div>`;
}

const browser = await chromium.launch({
  executablePath: Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium",
});
try {
  for (const icon of icons) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><div style="width:${icon.size}px;` +
        `height:${icon.size}px">${icon.html.replace("<svg ", '<svg width="100%" height="100%" ')}` +
        `</div></body></html>`,
    );
    await page.screenshot({
      path: new URL(`./static/${icon.file}`, import.meta.url).pathname,
      omitBackground: true,
    });
    await page.close();
    console.log(`static/${icon.file}: ${icon.size}×${icon.size}`);
  }
} finally {
  await browser.close();
}
