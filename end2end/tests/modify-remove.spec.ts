// « Modifier les droits » (from the user's rights, with the before/after view, signed) and
// « Retirer l’utilisateur »; on a desktop and on a phone.

import type { Page } from "@playwright/test";
import { type App, expect, JULIEN, SOPHIE, test } from "./fixtures";

async function validateWithTotp(page: Page, app: App) {
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();
}

async function openJulien(page: Page, app: App) {
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page.getByRole("heading", { name: JULIEN.name })).toBeVisible();
}

const box = (page: Page, level: string, resource: string) => page.getByRole("checkbox", { name: `${level} — ${resource}`, exact: true });

test("modifying a user's rights from their current rights, with what they gain and lose before signing", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await openJulien(page, app);
  await page.getByRole("button", { name: "Modifier les droits" }).click();
  await expect(page.getByRole("heading", { name: "Choisissez comment attribuer les droits" })).toBeVisible();
  await expect(page.getByText("Étape 1 sur 4")).toBeVisible();
  await page.getByRole("button", { name: "Attribuer des droits personnalisés" }).click();

  // The grid starts from Julien's rights (consultation everywhere, profil comptable).
  await expect(box(page, "Consultation", "Compte chantiers")).toBeChecked();
  await expect(box(page, "Gestion", "Virements SEPA")).not.toBeChecked();
  await expect(page.getByRole("note")).toHaveCount(0);
  await page.getByRole("checkbox", { name: "Tous ses droits — Virements SEPA" }).check();
  // The grid tells at once: Sophie validates there too.
  await expect(page.getByRole("note")).toContainText("Virements SEPA : cet utilisateur pourra préparer et valider seul");
  await box(page, "Consultation", "Compte chantiers").uncheck();
  await expect(page.locator(".change-mark")).toHaveCount(3);
  await page.getByRole("button", { name: "Continuer" }).click();

  await expect(page.getByRole("heading", { name: "Vérifiez l’ensemble de votre sélection" })).toBeVisible();
  const changes = page.locator(".diff-lines li");
  await expect(changes).toHaveCount(2);
  await expect(changes.filter({ hasText: "Virements SEPA" })).toContainText("gagne : gestion et validation");
  await expect(changes.filter({ hasText: "Compte chantiers" })).toContainText("perd : consultation");
  // Told, not blocked: Sophie validates too, and Julien would prepare and validate alone.
  await expect(page.getByRole("note")).toContainText("Virements SEPA : cet utilisateur pourra préparer et valider seul");
  await page.getByRole("button", { name: "Confirmer" }).click();
  await expect(page.getByRole("note")).toContainText("séparation des tâches");

  await expect(page.getByText("Modification des droits de")).toBeVisible();
  await expect(page.locator(".diff-lines li")).toHaveCount(2);
  await validateWithTotp(page, app);

  await openJulien(page, app);
  await expect(page.locator(".recap-lines")).toContainText("Virements SEPA");
  await expect(page.locator(".recap-lines")).not.toContainText("Compte chantiers");

  // « Pourquoi ? »: who gave what, when, how; and what was taken away.
  await page.getByRole("link", { name: /Pourquoi ces droits/ }).click();
  const sepa = page.locator("table.why tbody tr", { hasText: "Virements SEPA" }).filter({ hasText: "Gestion" });
  await expect(sepa).toContainText("Accordé le");
  await expect(sepa).toContainText("par Sophie MARTIN (personnalisé — modification des droits");
  const chantiers = page.locator("table.why tbody tr", { hasText: "Compte chantiers" }).filter({ hasText: "Consultation" });
  await expect(chantiers).toContainText("Retiré le");

  // Julien's e-mail, and the other administrator's notice.
  const messages = await app.localOutbox(page, 2);
  expect(messages.find((m) => m.includes("Vos droits sur la banque en ligne ont changé"))).toContain("gagne : gestion et validation");
});

test("removing a user: no access, no rights, listed only among the removed", async ({ page, app, browser }) => {
  await app.signInWithTotp(page, SOPHIE);
  await openJulien(page, app);
  await page.getByRole("button", { name: "Retirer l’utilisateur" }).click();
  await expect(page.getByText("Retrait de l’entité")).toBeVisible();
  await validateWithTotp(page, app);

  await app.open(page, "/utilisateurs");
  await expect(page.getByRole("link", { name: JULIEN.name })).toHaveCount(0);
  await page.getByRole("link", { name: /Retiré/ }).click();
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page.locator(".title-row .state")).toHaveText("Retiré");
  await expect(page.getByText("Cet utilisateur a été retiré de votre entité")).toBeVisible();
  await expect(page.getByRole("button", { name: "Modifier les droits" })).toHaveCount(0);

  const other = await browser.newContext();
  const julien = await other.newPage();
  await app.signInWithPassword(julien, JULIEN);
  await expect(julien.getByRole("alert")).toContainText("Identifiant ou mot de passe incorrect");
  await other.close();
});
