// The bundle as the release build serves it: the page names its hashed wasm, and the server
// sends the brotli copy the build wrote to a browser that takes brotli, gzip to one that does not.

import { expect, SOPHIE, test } from "./fixtures";

test("the wasm bundle is served as brotli, or gzip, as the browser accepts", async ({ app, request }) => {
  const page = await (await request.get(`${app.url}/connexion`)).text();
  const wasm = page.match(/\/pkg\/[\w.-]+\.wasm/)?.[0];
  expect(wasm, "the page names its wasm").toBeTruthy();
  const raw = await request.get(`${app.url}${wasm}`, { headers: { "accept-encoding": "identity" } });
  const size = (await raw.body()).length;
  const sizes: Record<string, number> = {};
  for (const encoding of ["br", "gzip"]) {
    // Playwright decodes what it receives: the encoding is read from the headers, the size
    // from content-length.
    const response = await request.get(`${app.url}${wasm}`, { headers: { "accept-encoding": encoding } });
    expect(response.status()).toBe(200);
    expect(response.headers()["content-encoding"]).toBe(encoding);
    expect((await response.body()).length, "the same bundle once decoded").toBe(size);
    sizes[encoding] = Number(response.headers()["content-length"]);
  }
  expect(sizes.br).toBeLessThan(sizes.gzip);
});

// Each page other than signing in is a WebAssembly chunk of its own (lazy routes, `--split`):
// the sign-in page downloads the shell only, and a page's code arrives when it is first shown.
test("the sign-in page loads no other page's code; the home page fetches its own chunk", async ({ page, app }) => {
  const chunks: string[] = [];
  page.on("request", (request) => {
    const name = new URL(request.url()).pathname;
    if (/^\/pkg\/(split|chunk)_[\w.-]+\.wasm$/.test(name)) chunks.push(name);
  });
  await page.goto(`${app.url}/connexion`);
  await expect(page.locator("body[data-hydrated=true]")).toBeAttached();
  expect(chunks, "no page chunk for the sign-in page").toEqual([]);
  await app.signInWithTotp(page, SOPHIE);
  await expect(page.getByTestId("entity-name")).toHaveText("Atelier Lumière SAS");
  expect(chunks.length, "the home page's code came as chunks").toBeGreaterThan(0);
  expect(chunks.some((name) => name.startsWith("/pkg/split_")), "a page's split module among them").toBe(true);
});
