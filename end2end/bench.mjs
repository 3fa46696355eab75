// Benchmarks that print figures (never pass/fail on time): bundle sizes, sign-in timing for
// each failure kind, and throughput of a page, a static file and a server function.
// Run through ./scripts/bench, which builds the release first.

import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const serverBin = process.env.HABILIS_SERVER_BIN;
const siteRoot = process.env.HABILIS_SITE_ROOT;
const print = (line) => process.stdout.write(line + "\n");

// 1. Sizes of what the browser downloads.
print("== bundle sizes (target/site/pkg) ==");
for (const name of readdirSync(join(siteRoot, "pkg")).filter((n) => !n.endsWith(".gz") && !n.endsWith(".ts")).sort()) {
  const bytes = readFileSync(join(siteRoot, "pkg", name));
  print(`${name.padEnd(16)} ${String(statSync(join(siteRoot, "pkg", name)).size).padStart(10)} bytes raw  ${String(gzipSync(bytes, { level: 9 }).length).padStart(9)} bytes gzip -9`);
}
print("(reference: the Leptos start-axum-workspace hello world is 293,246 raw / 117,473 gzip)");

// A server of our own, on a fresh database. Its per-request log lines are off: `wrk` runs
// synchronously, nobody drains the pipe meanwhile, and a full pipe would stall the server.
const dir = mkdtempSync(join(tmpdir(), "habilis-bench-"));
const child = spawn(serverBin, [], {
  env: { ...process.env, DATABASE_URL: `sqlite://${dir}/bench.db?mode=rwc`, HABILIS_ADDR: "127.0.0.1:0", HABILIS_SITE_ROOT: siteRoot, HABILIS_SECRET_KEY: randomBytes(32).toString("hex"), NO_COLOR: "1", RUST_LOG: "warn,server=info,server::middleware=warn" },
  stdio: ["ignore", "pipe", "pipe"],
});
let log = "";
const url = await new Promise((resolve, reject) => {
  const read = (chunk) => {
    log += chunk;
    const match = log.match(/open (http:\/\/localhost:\d+)/);
    if (match) resolve(match[1]);
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  setTimeout(() => reject(new Error(log)), 30000);
});

const headers = { "content-type": "application/json", origin: url };
const post = (path, body) => fetch(`${url}/api/${path}`, { method: "POST", headers, body: JSON.stringify(body) });

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms  p90 ${at(0.9).toFixed(1)} ms  (n=${sorted.length})`;
}

// 2. Sign-in answers take about the same time whatever failed (an Argon2id verification each).
print("\n== sign-in timing (one request at a time) ==");
const users = ["1000000001", "1000000002", "1000000003", "2000000001", "2000000002"];
const timings = { "unknown login id": [], "wrong password": [], "right password": [] };
for (let round = 0; round < 4; round++) {
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
for (const [kind, samples] of Object.entries(timings)) print(`${kind.padEnd(18)} ${stats(samples)}`);

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
async function load(label, path, init = {}) {
  if (hasWrk && !init.method) {
    const args = ["-t2", "-c32", "-d5s", "-H", `Host: ${host}`];
    for (const [name, value] of Object.entries(init.headers ?? {})) args.push("-H", `${name}: ${value}`);
    // The address the server listens on (`localhost` may resolve to ::1 first); the Host
    // header keeps the public name.
    const target = url.replace("//localhost:", "//127.0.0.1:");
    const output = execFileSync("wrk", [...args, `${target}${path}`], { encoding: "utf8" });
    const rate = output.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
    const latency = output.match(/Latency\s+(\S+)/)?.[1];
    print(`${label.padEnd(44)} ${Number(rate).toFixed(0).padStart(7)} req/s  mean latency ${latency}  (wrk, 32 connections, 5 s)`);
    return;
  }
  const latencies = [];
  const deadline = performance.now() + 3000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const response = await fetch(`${url}${path}`, init);
        await response.arrayBuffer();
        if (!response.ok) errors++;
        latencies.push(performance.now() - start);
      }
    }),
  );
  print(`${label.padEnd(44)} ${(latencies.length / 3).toFixed(0).padStart(7)} req/s  ${stats(latencies)}${errors ? `  errors ${errors}` : ""}  (node, 16 in flight, 3 s)`);
}
print("\n== throughput (load generator and server on the same 2 cores) ==");
const wasm = readdirSync(join(siteRoot, "pkg")).find((n) => n.endsWith(".wasm"));
await load("GET /connexion (server-rendered page)", "/connexion");
await load("GET /favicon.svg (static file)", "/favicon.svg");
await load(`GET /pkg/….wasm (precompressed gzip)`, `/pkg/${wasm}`, { headers: { "accept-encoding": "gzip" } });
await load("POST /api/session/info (server function)", "/api/session/info", { method: "POST", headers, body: "{}" });

child.kill("SIGTERM");
rmSync(dir, { recursive: true, force: true });
