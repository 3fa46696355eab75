// The `app` fixture: every test gets the real release server, started on a free port with a
// fresh SQLite database holding the demo data, and stopped afterwards.

import { test as base, expect, type Page } from "@playwright/test";
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export { expect };

export type DemoUser = { loginId: string; name: string; totpSecret: string };

// The demo accounts of the README.
export const DEMO_PASSWORD = "Atelier-Lumiere-2026";
export const SOPHIE: DemoUser = { loginId: "1000000001", name: "Sophie MARTIN", totpSecret: "KBH6P45B6AWXPGBC3MXS6YQLNFFQCQB4" };
export const JULIEN: DemoUser = { loginId: "1000000002", name: "Julien BERNARD", totpSecret: "XIT6XIRRXG4NUVCBFLNA6QBS2KOB6KGO" };
export const NADIA: DemoUser = { loginId: "1000000003", name: "Nadia PETIT", totpSecret: "PJ2EW2M2BAJT2SSDHMSQZYEATS6IUUYI" };
export const THOMAS: DemoUser = { loginId: "1000000004", name: "Thomas GARNIER", totpSecret: "6VGNKYLLJ5S6DBIJV22TLVKQB7ASQX4Y" };
export const PAUL: DemoUser = { loginId: "2000000001", name: "Paul LEFÈVRE", totpSecret: "YQGFRRSWQDS2I325FW2KNEM726GEE6U5" };

function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of text.replace(/\s+/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 6238, as an authenticator application computes it. */
export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigInt64BE(BigInt(step));
  const digest = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = digest[19] & 15;
  const code = (((digest[offset] & 127) << 24) | (digest[offset + 1] << 16) | (digest[offset + 2] << 8) | digest[offset + 3]) % 1_000_000;
  return String(code).padStart(6, "0");
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

export class App {
  /** Steps already used per secret: the server accepts each code once. */
  private usedSteps = new Map<string, number>();

  constructor(
    public readonly url: string,
    private readonly serverEnvironment: Record<string, string | undefined> = {},
    private readonly dir = "",
  ) {}

  /** Applies lines of the bank's systems with `server import`, on the running server's database. */
  async importLines(lines: object[]) {
    const file = join(this.dir, `import-${Date.now()}.jsonl`);
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join("\n"));
    const child = spawn(serverBin, ["import", file], { env: this.serverEnvironment, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolveCode) => child.once("exit", resolveCode));
    expect(code, `server import:\n${output}`).toBe(0);
  }

  /** A code never used before: the current step, or the next (one step of drift is accepted). */
  async code(secret: string): Promise<string> {
    for (;;) {
      const last = this.usedSteps.get(secret) ?? -1;
      const step = Math.max(currentStep(), last + 1);
      if (step <= currentStep() + 1) {
        this.usedSteps.set(secret, step);
        return totpAt(secret, step);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Opens a page and waits until it is hydrated, so clicks reach the app. */
  async open(page: Page, path: string) {
    await page.goto(this.url + path);
    await page.locator("body[data-hydrated]").waitFor();
  }

  async signInWithPassword(page: Page, user: DemoUser, password = DEMO_PASSWORD) {
    await this.open(page, "/connexion");
    await page.getByLabel("Identifiant").fill(user.loginId);
    await page.getByLabel("Mot de passe").fill(password);
    await page.getByRole("button", { name: "Se connecter" }).click();
  }

  async signInWithTotp(page: Page, user: DemoUser) {
    await this.signInWithPassword(page, user);
    await expect(page.getByRole("heading", { name: "Authentification forte" })).toBeVisible();
    await page.getByLabel("Code de votre application d’authentification").fill(await this.code(user.totpSecret));
    await page.getByRole("button", { name: "Valider le code" }).click();
    await expect(page.getByRole("heading", { name: `Bonjour ${user.name}` })).toBeVisible();
  }

  /** On a phone the menu is folded behind « Menu »: opens it. */
  async openMenu(page: Page) {
    const menu = page.locator("details.menu");
    if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) {
      await page.locator("details.menu > summary").click();
    }
  }

  async signOut(page: Page) {
    await this.openMenu(page);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await expect(page.getByRole("heading", { name: "Connexion à votre espace" })).toBeVisible();
  }

  /** Enrols a passkey from « Sécurité » (needs a virtual authenticator on the page). */
  async enrolPasskey(page: Page) {
    await this.open(page, "/securite");
    await page.getByRole("button", { name: "Créer ma clé d’accès" }).click();
    await expect(page.getByText("Votre clé d’accès est enregistrée.")).toBeVisible();
  }

  /** The text of the local outbox page (simulated mailbox and phone). */
  async localOutbox(page: Page, expected: number): Promise<string[]> {
    await this.open(page, "/boite-locale");
    await expect(page.locator(".message")).toHaveCount(expected, { timeout: 20_000 });
    return page.locator(".message").allInnerTexts();
  }
}

/** Chromium's virtual authenticator: a platform passkey with user verification. */
export async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

const serverBin = process.env.HABILIS_SERVER_BIN ?? resolve(__dirname, "../../target/server-release/server");
const siteRoot = process.env.HABILIS_SITE_ROOT ?? resolve(__dirname, "../../target/site");

export const test = base.extend<{ app: App; serverEnv: Record<string, string> }>({
  serverEnv: [{}, { option: true }],
  // Every journey also proves the wasm never panicked: a panic leaves a page that looks
  // fine but no longer reacts.
  page: async ({ page }, use) => {
    const panics: string[] = [];
    // Deep enough stacks to name the component at fault.
    await page.addInitScript(() => {
      Error.stackTraceLimit = 60;
    });
    page.on("pageerror", (error) => {
      // Leaving a page while its script's dynamic import is in flight (a form posted before the
      // wasm arrived) rejects that import; a chunk that really fails to load panics the wasm,
      // which the console check below catches.
      if (/^Failed to fetch dynamically imported module/.test(error.message)) return;
      panics.push(error.message);
    });
    page.on("console", (message) => {
      if (message.type() === "error" && /panicked|RuntimeError|unreachable/.test(message.text())) panics.push(message.text());
    });
    await use(page);
    expect(panics, "the wasm panicked").toEqual([]);
  },
  app: async ({ serverEnv }, use) => {
    const dir = mkdtempSync(join(tmpdir(), "habilis-e2e-"));
    const env = {
      ...process.env,
      DATABASE_URL: `sqlite://${dir}/habilis.db?mode=rwc`,
      HABILIS_ADDR: "127.0.0.1:0",
      HABILIS_SITE_ROOT: siteRoot,
      HABILIS_SECRET_KEY: randomBytes(32).toString("hex"),
      NO_COLOR: "1",
      RUST_LOG: "info,sqlx=warn",
      ...serverEnv,
    };
    const child = spawn(serverBin, [], { env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 30_000);
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        const match = log.replace(/\x1b\[[0-9;]*m/g, "").match(/open (http:\/\/localhost:\d+)/);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      child.on("exit", (code) => reject(new Error(`server exited (${code}):\n${log}`)));
    });
    await use(new App(url, env, dir));
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  },
});
