// Takes the README's screenshots from a running local server (./scripts/run, fresh demo data):
//   node end2end/screenshots.mjs [http://localhost:3000]
// Not a test: it only drives the app through the main screens and saves PNG files.

import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";

const url = process.argv[2] ?? "http://localhost:3000";
const out = new URL("../docs/screenshots/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const bytes = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { bytes.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(bytes);
}
function totp(secret, offset) {
  const counter = Buffer.alloc(8);
  counter.writeBigInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const d = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = d[19] & 15;
  return String((((d[o] & 127) << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) % 1e6).padStart(6, "0");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
const shot = (page, name, full = true) => page.screenshot({ path: `${out}${name}.png`, fullPage: full });
const ready = (page) => page.locator("body[data-hydrated]").waitFor();

async function signIn(page, offset) {
  await page.goto(`${url}/connexion`);
  await ready(page);
  await page.getByLabel("Identifiant").fill("1000000001");
  await page.getByLabel("Mot de passe").fill("Atelier-Lumiere-2026");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByLabel("Code de votre application d’authentification").waitFor();
  return page;
}

await signIn(desktop, 0);
await shot(desktop, "1-connexion-authentification-forte", false);
await desktop.getByLabel("Code de votre application d’authentification").fill(totp("KBH6P45B6AWXPGBC3MXS6YQLNFFQCQB4", 0));
await desktop.getByRole("button", { name: "Valider le code" }).click();
await desktop.getByRole("heading", { name: /Bonjour/ }).waitFor();
await shot(desktop, "2-accueil");
await desktop.goto(`${url}/utilisateurs`);
await ready(desktop);
await desktop.getByRole("heading", { name: "Gestion des utilisateurs" }).waitFor();
await shot(desktop, "3-gestion-des-utilisateurs", false);
await desktop.getByRole("link", { name: "Ajouter un utilisateur" }).click();
await desktop.getByRole("button", { name: /Lucas MOREAU/ }).click();
await desktop.getByRole("button", { name: "Continuer" }).click();
await shot(desktop, "4-methodes", false);
await desktop.getByRole("button", { name: /Profil valideur/ }).click();
await desktop.getByRole("checkbox", { name: "Validation — Virements internationaux", exact: true }).uncheck();
await desktop.getByRole("checkbox", { name: "Consultation — Compte-titres", exact: true }).uncheck();
await shot(desktop, "5-grille-des-droits");
await desktop.getByRole("button", { name: "Continuer" }).click();
await desktop.getByRole("button", { name: "Confirmer" }).click();
await desktop.getByRole("heading", { name: "Validez votre opération" }).waitFor();
await shot(desktop, "6-validation");

await signIn(phone, 1);
await phone.getByLabel("Code de votre application d’authentification").fill(totp("KBH6P45B6AWXPGBC3MXS6YQLNFFQCQB4", 1));
await phone.getByRole("button", { name: "Valider le code" }).click();
await phone.getByRole("heading", { name: /Bonjour/ }).waitFor();
await phone.goto(`${url}/utilisateurs/ajout`);
await ready(phone);
await phone.getByRole("button", { name: /Emma GIRARD/ }).click();
await phone.getByLabel("E-mail").fill("emma.girard@atelier-lumiere.fr");
await phone.getByRole("button", { name: "Continuer" }).click();
await phone.getByRole("button", { name: /Profil préparateur/ }).click();
await phone.getByRole("checkbox", { name: "Gestion — Compte courant paie", exact: true }).uncheck();
await phone.evaluate(() => window.scrollTo(0, 0));
await shot(phone, "7-telephone-grille", false);
await browser.close();
console.log(`screenshots written to ${out}`);
