// A user's life after their addition: their page, suspension and reactivation, each validated
// with strong authentication; on a desktop and on a phone.

import AxeBuilder from "@axe-core/playwright";
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

test("the user's page, then suspending the access with strong authentication and reactivating it", async ({ page, app, browser }) => {
  await app.signInWithTotp(page, SOPHIE);
  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("Actif");
  await expect(page.getByText("Date de naissance")).toBeVisible();
  await expect(page.getByText("Application d’authentification", { exact: true })).toBeVisible();
  await expect(page.locator(".recap-lines li").first()).toBeVisible();
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  await page.getByRole("button", { name: "Suspendre l’accès" }).click();
  await expect(page.getByText("Suspension de l’accès de")).toBeVisible();
  await validateWithTotp(page, app);
  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("Suspendu");

  // Julien can no longer sign in.
  const other = await browser.newContext();
  const julien = await other.newPage();
  await app.signInWithPassword(julien, JULIEN);
  await expect(julien.getByRole("alert")).toContainText("Identifiant ou mot de passe incorrect");
  await other.close();

  await page.getByRole("button", { name: "Réactiver l’accès" }).click();
  await validateWithTotp(page, app);
  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("Actif");
});

test("an administrator's own page offers no suspension", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: SOPHIE.name }).click();
  await expect(page.getByRole("heading", { name: SOPHIE.name })).toBeVisible();
  await expect(page.getByRole("button", { name: "Suspendre l’accès" })).toHaveCount(0);
});

test("resetting a user's access: new credentials by e-mail and SMS, and the first login again", async ({ page, app, browser }) => {
  await app.signInWithTotp(page, SOPHIE);
  await openJulien(page, app);
  await page.getByRole("button", { name: "Réinitialiser l’accès" }).click();
  await expect(page.getByText("Réinitialisation de l’accès de")).toBeVisible();
  await validateWithTotp(page, app);
  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("En attente de première connexion");

  // Julien's e-mail and SMS, and the other administrator's notice.
  const messages = await app.localOutbox(page, 3);
  const mail = messages.find((m) => m.includes("réinitialisé"))!;
  const sms = messages.find((m) => m.includes("mot de passe provisoire est"))!;
  expect(mail).toContain(JULIEN.loginId);
  const temporary = sms.match(/mot de passe provisoire est (\S+)/)![1];
  expect(mail).not.toContain(temporary);

  const emailCode = mail.match(/code de première connexion : (\d{4} \d{4})/)![1];

  // Julien goes through the first login again: the e-mail code and a new password, then a
  // new factor; his old password no longer works.
  const other = await browser.newContext();
  const julien = await other.newPage();
  await app.signInWithPassword(julien, JULIEN);
  await expect(julien.getByRole("alert")).toContainText("Identifiant ou mot de passe incorrect");
  await app.signInWithPassword(julien, JULIEN, temporary);
  await expect(julien.getByText("Étape 1 sur 2")).toBeVisible();
  await julien.getByLabel("Code reçu par e-mail").fill(emailCode);
  const chosen = "lanterne verte du matin";
  await julien.getByLabel("Nouveau mot de passe").fill(chosen);
  await julien.getByLabel("Confirmez le mot de passe").fill(chosen);
  await julien.getByRole("button", { name: "Enregistrer mon mot de passe" }).click();
  await expect(julien.getByText("Étape 2 sur 2")).toBeVisible();
  await julien.getByRole("button", { name: "Configurer une application d’authentification" }).click();
  const secret = (await julien.getByTestId("totp-secret").innerText()).trim();
  await julien.getByLabel("Code affiché par l’application").fill(await app.code(secret));
  await julien.getByRole("button", { name: "Vérifier le code" }).click();
  await expect(julien.getByRole("heading", { name: `Bonjour ${JULIEN.name}` })).toBeVisible();
  await other.close();

  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("Actif");
});

test("an administrator unblocks a user blocked after five failed strong authentications", async ({ page, app, browser }) => {
  const other = await browser.newContext();
  const julien = await other.newPage();
  await app.signInWithPassword(julien, JULIEN);
  const right = await app.code(JULIEN.totpSecret);
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
  for (let attempt = 1; attempt <= 5; attempt++) {
    await julien.getByLabel("Code de votre application d’authentification").fill(wrong);
    await julien.getByRole("button", { name: "Valider le code" }).click();
    await expect(julien.getByRole("alert")).toContainText(attempt === 5 ? "bloqué après 5 échecs" : "Authentification refusée");
  }

  await app.signInWithTotp(page, SOPHIE);
  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("Bloqué");
  await page.getByRole("button", { name: "Débloquer l’accès" }).click();
  await expect(page.getByText("Déblocage de l’accès de")).toBeVisible();
  await validateWithTotp(page, app);
  await openJulien(page, app);
  await expect(page.locator(".title-row .state")).toHaveText("Actif");

  await app.signInWithTotp(julien, JULIEN);
  await other.close();
});
