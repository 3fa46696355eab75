// « Journal des opérations »: the entity's events, filtered, exported as CSV and verified; on a
// desktop and on a phone.

import AxeBuilder from "@axe-core/playwright";
import { readFileSync } from "node:fs";
import { expect, JULIEN, SOPHIE, test } from "./fixtures";

test("the journal lists the operations, filters them, exports them and checks its integrity", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await page.getByRole("button", { name: "Suspendre l’accès" }).click();
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();

  await app.open(page, "/journal");
  await expect(page.getByRole("heading", { name: "Journal des opérations" })).toBeVisible();
  const first = page.locator("table.journal tbody tr").first();
  await expect(first).toContainText("Suspension");
  await expect(first).toContainText(JULIEN.name);
  await expect(first).toContainText(SOPHIE.name);
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  await page.getByLabel("Événement", { exact: true }).selectOption({ label: "Connexion" });
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(page).toHaveURL(/type=connexion/);
  await expect(page.locator("table.journal tbody tr").first()).toContainText("Connexion");
  await expect(page.locator("table.journal tbody")).not.toContainText("Suspension");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Exporter (CSV)" }).click()]);
  const csv = readFileSync(await download.path(), "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain("N°;Date;Événement;Auteur;Utilisateur concerné;Détails");
  expect(csv).toContain('"Connexion"');
  expect(csv).not.toContain('"Suspension"');

  await page.getByRole("button", { name: "Vérifier l’intégrité" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Journal intègre" })).toBeVisible();
  // The signed checkpoint it gives is checked at the next verification.
  const checkpoint = (await page.getByTestId("checkpoint").innerText()).trim();
  expect(checkpoint).toMatch(/^habilis-point-de-controle:v1:\d+:[0-9a-f]{64}:[0-9a-f]{64}$/);
  await page.getByLabel("Point de contrôle conservé (facultatif)").fill(checkpoint);
  await page.getByRole("button", { name: "Vérifier l’intégrité" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Le point de contrôle conservé est toujours dans le journal" })).toBeVisible();
});

test("the entitlement report: who may do what on each account, each user's rights, as CSV and printable", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/habilitations");
  await expect(page.getByRole("heading", { name: "Rapport des habilitations" })).toBeVisible();
  await expect(page.getByText(/Atelier Lumière SAS — état au \d\d\/\d\d\/\d{4}/)).toBeVisible();
  const chantiers = page.locator("table.report-resources tbody tr", { hasText: "Compte chantiers" });
  await expect(chantiers.locator("td").first()).toContainText(JULIEN.name);
  await expect(page.getByRole("heading", { name: new RegExp(JULIEN.name) })).toBeVisible();
  await expect(page.getByRole("button", { name: "Imprimer" })).toBeVisible();
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Exporter (CSV)" }).click()]);
  const csv = readFileSync(await download.path(), "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain("Compte ou contrat;Détail;Utilisateur;Identifiant;État;Consultation;Gestion;Validation;Origine");
  expect(csv).toContain(`"Compte chantiers"`);

  // Printed: the report alone, without the menu.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByRole("heading", { name: "Rapport des habilitations" })).toBeVisible();
});
