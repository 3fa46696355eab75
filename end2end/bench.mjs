// Benchmarks that print figures (never pass/fail on time): bundle sizes, sign-in timing for
// each failure kind, and throughput of a page, a static file and a server function.
// Run through ./scripts/bench, which builds the release first.

import { execFileSync, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib, { brotliCompressSync, gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";

const serverBin = process.env.HABILIS_SERVER_BIN;
const siteRoot = process.env.HABILIS_SITE_ROOT;
const print = (line) => process.stdout.write(line + "\n");
// HABILIS_BENCH_ONLY=throughput|scale|confirm|many|cluster|grid runs only that part (after the
// bundle sizes).
const only = process.env.HABILIS_BENCH_ONLY;
const wanted = (part) => !only || only === part;
// The users page's query for a search (one word), as `store::users::search` writes it.
const LIST_QUERY =
  "SELECT u.id, u.login_id, u.state, p.first_name, p.last_name, COUNT(r.id) AS levels " +
  "FROM (SELECT u.id FROM users u JOIN persons p ON p.id = u.person_id WHERE u.entity_id = $1 AND u.search_text LIKE '%moreau%' AND u.state <> 'removed' " +
  "ORDER BY p.last_name, p.first_name, u.id LIMIT 50 OFFSET 100) page JOIN users u ON u.id = page.id JOIN persons p ON p.id = u.person_id " +
  "LEFT JOIN user_rights r ON r.user_id = u.id GROUP BY u.id, u.login_id, u.state, p.first_name, p.last_name ORDER BY p.last_name, p.first_name, u.id";


// 1. Sizes of what the browser downloads.
print("== bundle sizes (target/site/pkg) ==");
// The pages' chunks (lazy routes, `cargo leptos build --split`) are summed below, not listed.
const isChunk = (name) => /^(split|chunk)_.*\.wasm$/.test(name);
for (const name of readdirSync(join(siteRoot, "pkg")).filter((n) => !n.endsWith(".gz") && !n.endsWith(".br") && !n.endsWith(".ts") && !isChunk(n)).sort()) {
  const bytes = readFileSync(join(siteRoot, "pkg", name));
  // The brotli copy the server sends to browsers that take it (written by build_release).
  const brotli = join(siteRoot, "pkg", `${name}.br`);
  const served = existsSync(brotli) ? `  ${String(statSync(brotli).size).padStart(9)} bytes brotli (served)` : "";
  print(`${name.padEnd(16)} ${String(statSync(join(siteRoot, "pkg", name)).size).padStart(10)} bytes raw  ${String(gzipSync(bytes, { level: 9 }).length).padStart(9)} bytes gzip -9${served}`);
}
// The yardstick: the Leptos hello world of bench/hello-world, built by ./scripts/bench.
const helloBin = process.env.HABILIS_HELLO_BIN;
const helloSiteRoot = process.env.HABILIS_HELLO_SITE_ROOT;
{
  const chunks = readdirSync(join(siteRoot, "pkg")).filter(isChunk);
  const sum = (f) => chunks.reduce((total, name) => total + f(readFileSync(join(siteRoot, "pkg", name))), 0);
  print(`pages' chunks    ${String(chunks.length).padStart(4)} files ${String(sum((b) => b.length)).padStart(10)} bytes raw  ${String(sum((b) => gzipSync(b, { level: 9 }).length)).padStart(9)} bytes gzip -9 (fetched as each page is first shown)`);
}
// The first page's wasm: the main module (the shell and the sign-in pages), not the chunks.
const mainWasm = (root) => readdirSync(join(root, "pkg")).find((n) => n.endsWith(".wasm") && !isChunk(n));
const wasmBytes = (root) => readFileSync(join(root, "pkg", mainWasm(root)));
const wasmGzip = (root) => gzipSync(wasmBytes(root), { level: 9 }).length;
const wasmBrotli = (root) => {
  const bytes = wasmBytes(root);
  return brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;
};
const ratio = (value, reference) => `${(value / reference).toFixed(2)}×`;
if (helloSiteRoot) {
  const hello = wasmGzip(helloSiteRoot);
  const ours = wasmGzip(siteRoot);
  print(`hello world wasm ${String(hello).padStart(9)} bytes gzip -9 (bench/hello-world, same cargo-leptos, Leptos and profiles)`);
  print(`first page wasm  ${String(ours).padStart(9)} bytes gzip -9: ${ratio(ours, hello)} the hello world's (the issue's target: 2.00×)`);
  const [helloBrotli, oursBrotli] = [wasmBrotli(helloSiteRoot), wasmBrotli(siteRoot)];
  print(`brotli (served)  ${String(oursBrotli).padStart(9)} bytes, the hello world's ${helloBrotli}: ${ratio(oursBrotli, helloBrotli)}`);
} else {
  print("(HABILIS_HELLO_SITE_ROOT unset: the hello world's figures are skipped; ./scripts/bench builds it)");
}

// A server of our own, on a fresh database. Its per-request log lines are off: `wrk` runs
// synchronously, nobody drains the pipe meanwhile, and a full pipe would stall the server.
const dir = mkdtempSync(join(tmpdir(), "habilis-bench-"));
const secretKey = randomBytes(32).toString("hex");
const serverEnv = (databaseUrl) => ({ ...process.env, DATABASE_URL: databaseUrl, HABILIS_ADDR: "127.0.0.1:0", HABILIS_SITE_ROOT: siteRoot, HABILIS_SECRET_KEY: secretKey, NO_COLOR: "1", RUST_LOG: "warn,server=info,server::middleware=warn" });
/** Starts `bin` and resolves once its log names the address it listens on (`pattern`'s
 * group); every chunk of its log also goes to `onLog`. */
async function spawnListening(bin, env, pattern, onLog = () => {}) {
  const server = spawn(bin, [], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const address = await new Promise((resolve, reject) => {
    const read = (chunk) => {
      onLog(chunk);
      log += chunk;
      const match = log.match(pattern);
      if (match) resolve(match[1]);
    };
    server.stdout.on("data", read);
    server.stderr.on("data", read);
    server.on("exit", (code) => reject(new Error(`${bin} exited ${code}: ${log}`)));
    setTimeout(() => reject(new Error(log)), 30000);
  });
  return { server, address };
}
const startServer = (databaseUrl, extraEnv = {}, onLog = () => {}) =>
  spawnListening(serverBin, { ...serverEnv(databaseUrl), ...extraEnv }, /open (http:\/\/localhost:\d+)/, onLog);
const { server: child, address: url } = await startServer(`sqlite://${dir}/bench.db?mode=rwc`);

const headers = { "content-type": "application/json", origin: url };
const post = (path, body) => fetch(`${url}/api/${path}`, { method: "POST", headers, body: JSON.stringify(body) });

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms  p90 ${at(0.9).toFixed(1)} ms  (n=${sorted.length})`;
}

// 2. Sign-in answers take about the same time whatever failed (an Argon2id verification each).
const users = ["1000000001", "1000000002", "1000000003", "2000000001", "2000000002"];
const timings = { "unknown login id": [], "wrong password": [], "right password": [] };
if (wanted("throughput")) print("\n== sign-in timing (one request at a time) ==");
for (let round = 0; wanted("throughput") && round < 4; round++) {
  for (const user of users) {
    for (const [kind, body] of [
      ["unknown login id", { login_id: "9" + user.slice(1), password: "Atelier-Lumiere-2026" }],
      ["wrong password", { login_id: user, password: "pas le bon mot de passe" }],
      ["right password", { login_id: user, password: "Atelier-Lumiere-2026" }],
    ]) {
      const start = performance.now();
      // The sign-in form as the browser posts it (url-encoded `form[…]` fields).
      const form = new URLSearchParams({ "form[login_id]": body.login_id, "form[password]": body.password });
      const response = await fetch(`${url}/api/connexion`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: url },
        body: form.toString(),
        redirect: "manual",
      });
      if (![200, 302, 303, 401].includes(response.status)) throw new Error(`sign-in answered ${response.status}`);
      await response.arrayBuffer();
      timings[kind].push(performance.now() - start);
    }
  }
}
if (wanted("throughput")) for (const [kind, samples] of Object.entries(timings)) print(`${kind.padEnd(18)} ${stats(samples)}`);

// 3. Throughput: wrk when installed (scripts/bench installs it), else a Node client.
const host = new URL(url).host;
const hasWrk = (() => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return error.status === 1; // wrk --version exits 1 after printing its version
  }
})();
/** `wrk` on a path of the server at `address`, with extra request headers; the rate. */
function loadOn(address, label, path, headers = {}) {
  const args = ["-t2", "-c32", "-d5s", "-H", `Host: ${new URL(address).host}`];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  // The address the server listens on (`localhost` may resolve to ::1 first).
  const target = address.replace("//localhost:", "//127.0.0.1:");
  const output = execFileSync("wrk", [...args, `${target}${path}`], { encoding: "utf8" });
  const rate = output.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
  const latency = output.match(/Latency\s+(\S+)/)?.[1];
  const errors = output.match(/Non-2xx or 3xx responses: (\d+)/)?.[1];
  print(`${label.padEnd(44)} ${Number(rate).toFixed(0).padStart(7)} req/s  mean latency ${latency}  (wrk, 32 connections, 5 s)${errors ? `  non-2xx ${errors}` : ""}`);
  return Number(rate);
}

/** Requests per second on a path of our server (or of `address`); printed and returned. */
async function load(label, path, init = {}, address = url) {
  if (hasWrk && !init.method) return loadOn(address, label, path, init.headers);
  const latencies = [];
  const deadline = performance.now() + 3000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const response = await fetch(`${address}${path}`, init);
        await response.arrayBuffer();
        if (!response.ok) errors++;
        latencies.push(performance.now() - start);
      }
    }),
  );
  print(`${label.padEnd(44)} ${(latencies.length / 3).toFixed(0).padStart(7)} req/s  ${stats(latencies)}${errors ? `  errors ${errors}` : ""}  (node, 16 in flight, 3 s)`);
  return latencies.length / 3;
}

/** Starts the hello world's server on a free port; resolves to it and its address. */
const startHelloWorld = () =>
  spawnListening(
    helloBin,
    { ...process.env, LEPTOS_SITE_ADDR: "127.0.0.1:0", LEPTOS_SITE_ROOT: helloSiteRoot, LEPTOS_OUTPUT_NAME: "hello-world" },
    /listening on (http:\/\/[\d.]+:\d+)/,
  );
if (wanted("throughput")) {
  print("\n== throughput (load generator and server on the same 2 cores) ==");
  const wasm = mainWasm(siteRoot);
  let hello;
  if (helloBin) {
    const { server, address } = await startHelloWorld();
    hello = await load("GET / (the Leptos hello world)", "/", {}, address);
    server.kill("SIGTERM");
  }
  const connexion = await load("GET /connexion (server-rendered page)", "/connexion");
  await load("GET /favicon.svg (static file)", "/favicon.svg");
  await load(`GET /pkg/….wasm (precompressed gzip)`, `/pkg/${wasm}`, { headers: { "accept-encoding": "gzip" } });
  await load("POST /api/session/info (server function)", "/api/session/info", { method: "POST", headers, body: "{}" });
  const cookie = await signIn(url);
  await statementsPerPage(["/connexion", "/accueil", "/utilisateurs"]);
  const home = await load("GET /accueil (signed in, demo entity)", "/accueil", { headers: { cookie } });
  const usersPage = await load("GET /utilisateurs (signed in, demo entity)", "/utilisateurs", { headers: { cookie } });
  if (hello) {
    print("requests/s as a share of the hello world's (the issue's target for signed-in pages: 20%)");
    for (const [label, rate] of [["/connexion", connexion], ["/accueil", home], ["/utilisateurs", usersPage]]) {
      print(`  ${label.padEnd(14)} ${((100 * rate) / hello).toFixed(1).padStart(5)}%`);
    }
  }
}

child.kill("SIGTERM");

// 4. An entity of 10,000 users: the users page (first page, a search, a far page) signed in,
// on SQLite and on PostgreSQL.
if (wanted("scale")) await usersAtScale("SQLite", `sqlite://${dir}/scale.db?mode=rwc`, () => {
  const plan = execFileSync("sqlite3", [`${dir}/scale.db`, `EXPLAIN QUERY PLAN ${LIST_QUERY.replaceAll("$1", "1")}`], { encoding: "utf8" });
  print(plan.trim());
});
const postgresBase = process.env.HABILIS_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const psql = (sql, database = postgresBase) => execFileSync("psql", [database, "-X", "-q", "-t", "-c", sql], { encoding: "utf8" });
let postgresReachable = true;
try {
  psql("SELECT 1");
} catch {
  postgresReachable = false;
  print(`\n(PostgreSQL not reachable at ${postgresBase}: its figures are skipped)`);
}
if (postgresReachable && wanted("scale")) {
  const name = `habilis_bench_${randomBytes(6).toString("hex")}`;
  psql(`CREATE DATABASE ${name}`);
  const database = postgresBase.replace(/\/[^/]*$/, `/${name}`);
  try {
    await usersAtScale("PostgreSQL", database, () => {
      psql("ANALYZE", database);
      print(psql(`EXPLAIN ${LIST_QUERY.replaceAll("$1", "(SELECT entity_id FROM users WHERE login_id = '1000000001')")}`, database).trim());
    });
  } finally {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
// 5. Confirmation under load: 50 administrators (of 50 entities) confirm an addition at the
// same moment; each confirmation is strong authentication + transaction + audit + outbox.
if (wanted("confirm")) await confirmationsUnderLoad("SQLite", `sqlite://${dir}/confirm.db?mode=rwc`);
if (postgresReachable && wanted("confirm")) {
  const name = `habilis_bench_${randomBytes(6).toString("hex")}`;
  psql(`CREATE DATABASE ${name}`);
  try {
    await confirmationsUnderLoad("PostgreSQL", postgresBase.replace(/\/[^/]*$/, `/${name}`));
  } finally {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
// 7. The rights grid of an entity of 50 accounts and 50 contracts (400 boxes), in Chromium.
if (wanted("grid")) await gridPaint(`sqlite://${dir}/grid.db?mode=rwc`);
// 6. Many entities: 1,000 entities of 100 users (100,000 users) on PostgreSQL.
if (postgresReachable && wanted("many")) {
  const name = `habilis_bench_${randomBytes(6).toString("hex")}`;
  psql(`CREATE DATABASE ${name}`);
  try {
    await manyEntities(postgresBase.replace(/\/[^/]*$/, `/${name}`));
  } finally {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
// 7. Several instances: three servers on one PostgreSQL database behind HAProxy on the loopback.
if (postgresReachable && wanted("cluster")) {
  const name = `habilis_bench_${randomBytes(6).toString("hex")}`;
  psql(`CREATE DATABASE ${name}`);
  try {
    await cluster(postgresBase.replace(/\/[^/]*$/, `/${name}`));
  } finally {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
rmSync(dir, { recursive: true, force: true });


function cookieOf(response) {
  return (response.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).find((c) => c.startsWith("__Host-habilis="));
}

/** Signs in (password, then the authenticator code of `step`); returns the cookie. Sophie
 * MARTIN, the demo administrator, by default. */
async function signIn(address, user = { login_id: "1000000001", password: "Atelier-Lumiere-2026", totp_secret: "KBH6P45B6AWXPGBC3MXS6YQLNFFQCQB4" }, step = undefined) {
  const formPost = (path, fields, cookie) =>
    fetch(`${address}/api/${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: address, ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    });
  const first = await formPost("connexion", { "form[login_id]": user.login_id, "form[password]": user.password });
  const cookie = cookieOf(first);
  if (!cookie) throw new Error(`sign-in answered ${first.status}`);
  const second = await formPost("connexion/code", { "form[code]": totp(user.totp_secret, step) }, cookie);
  const signedIn = cookieOf(second) ?? cookie;
  const home = await fetch(`${address}/utilisateurs`, { headers: { cookie: signedIn }, redirect: "manual" });
  if (home.status !== 200) throw new Error(`the users page answered ${home.status} after signing in`);
  return signedIn;
}

/** A server function called with JSON as a signed-in browser would; the answer and the cookie
 * after it (a strong authentication gives the session a new one). */
async function callAs(address, cookie, path, body) {
  const response = await fetch(`${address}/api/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: address, cookie },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text, cookie: cookieOf(response) ?? cookie };
}

/** The authenticator code of `secret` at a 30-second step (now by default). */
function totp(secret, step = Math.floor(Date.now() / 30000)) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigInt64BE(BigInt(step));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[19] & 15;
  const code = (((digest[offset] & 127) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3]) % 1_000_000;
  return String(code).padStart(6, "0");
}

async function usersAtScale(label, databaseUrl, explain) {
  print(`\n== ${label}: an entity of 10,000 users ==`);
  const started = performance.now();
  execFileSync(serverBin, ["demo-users", "9995"], { env: serverEnv(databaseUrl), stdio: ["ignore", "ignore", "inherit"] });
  print(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const { server, address } = await startServer(databaseUrl);
  try {
    const cookie = await signIn(address);
    await timePages(address, cookie, [
      ["first page", "/utilisateurs"],
      ["search « moreau »", "/utilisateurs?recherche=moreau"],
      ["page 150 of 199", "/utilisateurs?page=150"],
      ["state « actif », search « léa »", "/utilisateurs?recherche=l%C3%A9a&etat=actif"],
      ["home page of the administrator", "/accueil"],
    ], { times: 100, shows: "Sophie", width: 34 });
    if (hasWrk) {
      loadOn(address, "GET /utilisateurs (10,000 users, signed in)", "/utilisateurs", { cookie });
      loadOn(address, "GET /accueil (10,000 users, signed in)", "/accueil", { cookie });
    }
    print("query plan of a search:");
    explain();
  } finally {
    server.kill("SIGTERM");
  }
}

async function confirmationsUnderLoad(label, databaseUrl, count = 50) {
  print(`\n== ${label}: ${count} administrators confirming an addition at the same time ==`);
  const output = execFileSync(serverBin, ["bench-administrators", String(count)], { env: serverEnv(databaseUrl), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const administrators = output.trim().split("\n").map((line) => JSON.parse(line));
  const { server, address } = await startServer(databaseUrl);
  try {
    // Each signs in with the code of one step and will confirm with the next (a code is
    // accepted once, and one step of drift is allowed), then prepares their addition.
    const sessions = [];
    for (const administrator of administrators) {
      const step = Math.floor(Date.now() / 30000);
      const cookie = await signIn(address, administrator, step);
      const prepared = await callAs(address, cookie, "ajout/preparation", { draft: administrator.draft });
      if (prepared.status !== 200) throw new Error(`preparation answered ${prepared.status}: ${prepared.body}`);
      sessions.push({ administrator, step, cookie: prepared.cookie, operation: JSON.parse(prepared.body) });
    }
    const confirm = (session) =>
      callAs(address, session.cookie, "operations/validation", {
        operation_id: session.operation.operation_id,
        digest: session.operation.digest,
        proof: { Totp: { code: totp(session.administrator.totp_secret, session.step + 1) } },
      });
    const started = performance.now();
    const results = await Promise.all(
      sessions.map(async (session) => {
        const start = performance.now();
        const answer = await confirm(session);
        return { ...answer, ms: performance.now() - start };
      }),
    );
    const wall = performance.now() - started;
    const failed = results.filter((r) => r.status !== 200);
    const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    print(`confirmations: ${results.length - failed.length} applied, ${failed.length} errors${failed.length ? ` (${failed.map((f) => f.status).join(", ")})` : ""}; all answered in ${wall.toFixed(0)} ms`);
    print(`one confirmation, as its administrator waits for it: p50 ${at(0.5).toFixed(1)} ms  p99 ${at(0.99).toFixed(1)} ms  max ${sorted[sorted.length - 1].toFixed(1)} ms`);
    // Exactly one user per operation: each entity now has its administrator and the newcomer,
    // and confirming the same operation again is refused.
    let exactlyOne = 0;
    let replaysRefused = 0;
    for (const [i, session] of sessions.entries()) {
      const list = await callAs(address, results[i].cookie, "utilisateurs", {});
      if (list.status === 200 && JSON.parse(list.body).length === 2) exactlyOne++;
      const again = await confirm({ ...session, cookie: list.cookie, step: session.step + 1 });
      if (again.status >= 400) replaysRefused++;
    }
    print(`entities with exactly one user added: ${exactlyOne}/${sessions.length}; confirmations replayed and refused: ${replaysRefused}/${sessions.length}`);
  } finally {
    server.kill("SIGTERM");
  }
}

/** A free port on the loopback. */
async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A GET straight to one instance, under the balancer's host name (as the balancer passes it
 * on); fetch cannot set `Host`, node:http can. */
async function direct(address, path, headers) {
  const { request } = await import("node:http");
  const target = new URL(address);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** One instance of a cluster: its own port, the balancer's public origin. */
const startInstance = (databaseUrl, publicUrl) =>
  spawnListening(serverBin, { ...serverEnv(databaseUrl), HABILIS_PUBLIC_URL: publicUrl }, /listening on (http:\/\/[\d.]+:\d+)/);

/** Three instances on one PostgreSQL database behind HAProxy: a session continues on every
 * instance; 60 confirmations through the balancer while one instance is killed (SIGKILL) lose
 * no acknowledged operation; the others go on serving; each message is delivered once. */
async function cluster(databaseUrl) {
  print("\n== PostgreSQL: three instances behind HAProxy ==");
  let hasHaproxy = true;
  try {
    execFileSync("haproxy", ["-v"], { stdio: "ignore" });
  } catch {
    hasHaproxy = false;
  }
  if (!hasHaproxy) {
    print("(haproxy not installed: ./scripts/bench installs it; the cluster figures are skipped)");
    return;
  }
  const count = 60;
  const output = execFileSync(serverBin, ["bench-administrators", String(count)], { env: serverEnv(databaseUrl), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const administrators = output.trim().split("\n").map((line) => JSON.parse(line));
  const port = await freePort();
  const balancer = `http://localhost:${port}`;
  const instances = [];
  for (let i = 0; i < 3; i++) instances.push(await startInstance(databaseUrl, balancer));
  const config = join(dir, "haproxy.cfg");
  const servers = instances.map(({ address }, i) => `    server habilis${i + 1} ${new URL(address).host} check inter 300 fall 1 rise 2`).join("\n");
  writeFileSync(
    config,
    `global\n    maxconn 1024\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\n    retries 2\n    option redispatch\n` +
      `frontend habilis\n    bind 127.0.0.1:${port}\n    default_backend instances\nbackend instances\n    balance roundrobin\n${servers}\n`,
  );
  const haproxy = spawn("haproxy", ["-f", config, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    for (let i = 0; i < 50; i++) {
      const up = await fetch(`${balancer}/connexion`).then((r) => r.status === 200).catch(() => false);
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A session signed in through the balancer (its requests spread over the instances).
    const cookie = await signIn(balancer);
    const served = [];
    for (const { address } of instances) {
      const { status, body } = await direct(address, "/utilisateurs", { cookie, host: new URL(balancer).host });
      served.push(status === 200 && body.includes("Sophie") ? "yes" : `no (${status})`);
    }
    print(`a session signed in through the balancer, served by each instance directly: ${served.join(", ")}`);

    // Confirmations through the balancer; one instance killed while they run.
    const sessions = [];
    for (const administrator of administrators) {
      const step = Math.floor(Date.now() / 30000);
      const signedIn = await signIn(balancer, administrator, step);
      const prepared = await callAs(balancer, signedIn, "ajout/preparation", { draft: administrator.draft });
      if (prepared.status !== 200) throw new Error(`preparation answered ${prepared.status}: ${prepared.body}`);
      sessions.push({ administrator, step, cookie: prepared.cookie, operation: JSON.parse(prepared.body) });
    }
    const confirm = (session) =>
      callAs(balancer, session.cookie, "operations/validation", {
        operation_id: session.operation.operation_id,
        digest: session.operation.digest,
        proof: { Totp: { code: totp(session.administrator.totp_secret, session.step + 1) } },
      }).catch((error) => ({ status: 0, body: String(error) }));
    const victim = instances[1].server;
    setTimeout(() => victim.kill("SIGKILL"), 15);
    const results = await Promise.all(sessions.map(confirm));
    const acknowledged = results.map((r, i) => [r, sessions[i]]).filter(([r]) => r.status === 200);
    let lost = 0;
    for (const [, session] of acknowledged) {
      const users = psql(
        `SELECT COUNT(*) FROM users u JOIN operations o ON o.entity_id = u.entity_id WHERE o.id = '${session.operation.operation_id}' AND o.status = 'applied'`,
        databaseUrl,
      ).trim();
      if (users !== "2") lost++;
    }
    const statuses = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    print(`${count} confirmations through the balancer, instance 2 killed (SIGKILL) after 15 ms: answers ${JSON.stringify(statuses)}; acknowledged ${acknowledged.length}, of which lost ${lost}`);
    const applied = psql("SELECT COUNT(*) FROM operations WHERE status = 'applied'", databaseUrl).trim();
    const wrong = psql(
      "SELECT COUNT(*) FROM operations o WHERE o.status = 'applied' AND (SELECT COUNT(*) FROM users u WHERE u.entity_id = o.entity_id) <> 2",
      databaseUrl,
    ).trim();
    print(`operations applied in the database: ${applied}; of which without exactly one user added: ${wrong}`);
    let serving = 0;
    for (let i = 0; i < 30; i++) {
      const status = await fetch(`${balancer}/connexion`).then((r) => r.status).catch(() => 0);
      if (status === 200) serving++;
    }
    print(`after the kill, the balancer's next 30 requests: ${serving} answered 200`);

    // Each message delivered once (local delivery), whichever instance leased it.
    let pending = "";
    for (let i = 0; i < 100; i++) {
      pending = psql("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'", databaseUrl).trim();
      if (pending === "0") break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const [messages, deliveries, distinct] = psql(
      "SELECT (SELECT COUNT(*) FROM outbox), (SELECT COUNT(*) FROM local_deliveries), (SELECT COUNT(DISTINCT outbox_id) FROM local_deliveries)",
      databaseUrl,
    )
      .trim()
      .split("|")
      .map((n) => n.trim());
    print(`outbox: ${messages} messages, ${deliveries} deliveries, ${distinct} distinct (${pending} not sent yet)`);
  } finally {
    haproxy.kill("SIGTERM");
    for (const { server } of instances) server.kill("SIGTERM");
  }
}

/** 1,000 entities of 100 users each on PostgreSQL: an administrator of one of them (in the
 * middle of the tables) reads the users list, a search, a far page and the home page. */
async function manyEntities(databaseUrl, entities = 1000, perEntity = 100) {
  print(`\n== PostgreSQL: ${entities} entities of about ${perEntity} users ==`);
  const started = performance.now();
  const output = execFileSync(serverBin, ["bench-administrators", String(entities - 1)], { env: serverEnv(databaseUrl), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const administrators = output.trim().split("\n").map((line) => JSON.parse(line));
  execFileSync(serverBin, ["demo-users", String(perEntity - 1), ...administrators.map((a) => a.login_id)], { env: serverEnv(databaseUrl), stdio: ["ignore", "ignore", "inherit"] });
  psql("ANALYZE", databaseUrl);
  const [users, entityCount] = psql("SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM entities)", databaseUrl)
    .trim()
    .split("|")
    .map((n) => n.trim());
  print(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${users} users in ${entityCount} entities`);
  const administrator = administrators[Math.floor(administrators.length / 2)];
  const { server, address } = await startServer(databaseUrl);
  try {
    const cookie = await signIn(address, administrator);
    await timePages(address, cookie, [
      ["users list, first page", "/utilisateurs"],
      ["search « moreau »", "/utilisateurs?recherche=moreau"],
      ["page 2", "/utilisateurs?page=2"],
      ["home page", "/accueil"],
    ], { times: 200, shows: "ADMIN-", width: 24 });
    print("query plan of a search in that entity:");
    print(psql(`EXPLAIN ${LIST_QUERY.replaceAll("$1", `(SELECT entity_id FROM users WHERE login_id = '${administrator.login_id}')`)}`, databaseUrl).trim());
  } finally {
    server.kill("SIGTERM");
  }
}

/**
 * Click to painted frame on the rights grid, in headless Chromium (Debian's, as the tests use):
 * an administrator of an entity of 50 accounts and 50 contracts adds a user with custom rights
 * and toggles whole columns, whole rows and single boxes. Each click is made at the start of a
 * frame (in a requestAnimationFrame callback); the time is read in a task queued then, which runs
 * once that frame's handlers, reactive updates, style, layout and paint are done. Desktop, then a
 * 360 px phone with the CPU slowed down four times (as Chromium's DevTools do).
 */
async function gridPaint(databaseUrl) {
  print("\n== the rights grid: 50 accounts and 50 contracts (400 boxes), click to painted frame, headless Chromium ==");
  const output = execFileSync(serverBin, ["bench-administrators", "1", "50", "50"], { env: serverEnv(databaseUrl), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const [administrator] = output.trim().split("\n").map((line) => JSON.parse(line));
  const { server, address } = await startServer(databaseUrl);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const hydrated = (page) => page.locator("body[data-hydrated]").waitFor();
    // Signs in and walks the journey to the grid once; the phone reuses the session and draft.
    const desktop = await browser.newContext({ locale: "fr-FR", timezoneId: "Europe/Paris", viewport: { width: 1280, height: 800 } });
    const page = await desktop.newPage();
    await page.goto(`${address}/connexion`);
    await hydrated(page);
    await page.getByLabel("Identifiant").fill(administrator.login_id);
    await page.getByLabel("Mot de passe").fill(administrator.password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.getByLabel("Code de votre application d’authentification").fill(totp(administrator.totp_secret));
    await page.getByRole("button", { name: "Valider le code" }).click();
    await page.getByRole("heading", { name: /^Bonjour/ }).waitFor();
    await page.goto(`${address}/utilisateurs/ajout`);
    await hydrated(page);
    await page.getByRole("button", { name: /NOUVEAU/ }).click();
    await page.getByRole("heading", { name: "Vérifiez les données personnelles" }).waitFor();
    await page.getByRole("button", { name: "Continuer" }).click();
    await page.getByRole("button", { name: "Attribuer des droits personnalisés" }).click();
    await page.locator("table.grid").waitFor();
    const gridUrl = page.url();
    const session = await desktop.storageState();

    const phone = await browser.newContext({
      locale: "fr-FR",
      timezoneId: "Europe/Paris",
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
      storageState: session,
    });
    for (const [label, context, slowdown] of [
      ["desktop (1280 px)", desktop, 1],
      ["phone (360 px, CPU ÷4)", phone, 4],
    ]) {
      const tab = context === desktop ? page : await context.newPage();
      await tab.goto(gridUrl);
      await hydrated(tab);
      await tab.locator("table.grid").waitFor();
      const boxes = await tab.locator('table.grid input[name="form[cells][]"]').count();
      const cdp = await context.newCDPSession(tab);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: slowdown });
      const clickTimes = async (ariaLabel, times) => {
        const samples = [];
        for (let i = 0; i < times; i++) {
          samples.push(
            await tab.evaluate(
              (ariaLabel) =>
                new Promise((resolve, reject) => {
                  // The visible one: on a phone the column toggles sit above the cards.
                  const input = [...document.querySelectorAll("input[type=checkbox]")].find((i) => i.getAttribute("aria-label") === ariaLabel && i.offsetParent !== null);
                  if (!input) return reject(new Error(`no visible box « ${ariaLabel} »`));
                  requestAnimationFrame(() => {
                    const start = performance.now();
                    input.click();
                    const channel = new MessageChannel();
                    channel.port1.onmessage = () => resolve(performance.now() - start);
                    channel.port2.postMessage(null);
                  });
                }),
              ariaLabel,
            ),
          );
          // Between clicks, let the page settle (as a person's clicks are apart).
          await tab.waitForTimeout(50);
        }
        return samples;
      };
      const report = (what, samples) => {
        const sorted = [...samples].sort((a, b) => a - b);
        const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
        const within = samples.filter((t) => t <= 16).length;
        print(`  ${what.padEnd(40)} p50 ${at(0.5).toFixed(1).padStart(5)} ms  p90 ${at(0.9).toFixed(1).padStart(5)} ms  max ${at(1).toFixed(1).padStart(5)} ms  within 16 ms: ${within}/${samples.length}`);
      };
      print(`${label}: ${boxes} boxes`);
      // 20 clicks each: every other one ticks, every other one unticks.
      report("whole column Consultation (100 boxes)", await clickTimes("Toute la colonne Consultation", 20));
      report("whole column Validation (100 boxes)", await clickTimes("Toute la colonne Validation", 20));
      report("whole row « Compte 2 » (3 boxes)", await clickTimes("Tous ses droits — Compte 2", 20));
      report("one box (Gestion — Contrat 7)", await clickTimes("Gestion — Contrat 7", 20));
      // The counts show what the clicks did: an even number of clicks leaves nothing ticked.
      const counts = await tab.locator('[data-testid^="count-"]').locator("visible=true").allTextContents();
      print(`  counts after the clicks: ${counts.join(", ")}`);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
    }
  } finally {
    await browser.close();
    server.kill("SIGTERM");
  }
}

/** The SQL statements one page view runs, counted from sqlx's own log of each statement (the
 * outbox dispatcher's polling left out), on a server of its own signed in as the demo admin. */
async function statementsPerPage(paths) {
  let log = "";
  const { server, address } = await startServer(`sqlite://${dir}/statements.db?mode=rwc`, { RUST_LOG: "warn,server=info,server::middleware=warn,sqlx::query=debug" }, (chunk) => (log += chunk));
  try {
    const cookie = await signIn(address);
    const counted = () => log.split("\n").filter((line) => line.includes("sqlx::query") && !line.includes("FROM outbox")).length;
    for (const path of paths) {
      // Past the second of the last request: the session's activity is written at most once a
      // second, and a page view after a pause writes it.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const before = counted();
      const response = await fetch(`${address}${path}`, { headers: { cookie } });
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 200));
      print(`GET ${path.padEnd(40)} ${String(counted() - before).padStart(7)} SQL statements (the session's activity included)`);
    }
  } finally {
    server.kill("SIGTERM");
  }
}

/** Each page `times` times, one request at a time, signed in with `cookie`; each answer must be
 * a 200 that `shows` the signed-in person (the session was checked); p50 and p99 printed. */
async function timePages(address, cookie, pages, { times, shows, width }) {
  for (const [what, path] of pages) {
    const samples = [];
    for (let i = 0; i < times; i++) {
      const start = performance.now();
      const response = await fetch(`${address}${path}`, { headers: { cookie } });
      const body = await response.text();
      if (response.status !== 200 || !body.includes(shows)) throw new Error(`${path} answered ${response.status}`);
      samples.push(performance.now() - start);
    }
    const sorted = samples.sort((a, b) => a - b);
    const at = (q) => sorted[Math.ceil(q * times) - 1];
    print(`GET ${what.padEnd(width)} p50 ${at(0.5).toFixed(1)} ms  p99 ${at(0.99).toFixed(1)} ms  (one at a time, n=${times}, session checked)`);
  }
}
