// The bundle as the release build serves it: the page names its hashed wasm, and the server
// sends the brotli copy the build wrote to a browser that takes brotli, gzip to one that does not.

import { expect, test } from "./fixtures";

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
