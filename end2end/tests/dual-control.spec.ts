// « Double validation »: Sophie switches it on, then every operation she signs waits for
// Thomas, the entity's second administrator, who reads it and approves it with his own strong
// authentication, or rejects it with a reason; on a desktop and on a phone.

import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "@playwright/test";
import { type App, expect, JULIEN, NADIA, SOPHIE, test, THOMAS } from "./fixtures";

async function signWithTotp(page: Page, app: App, secret: string) {
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(secret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
}

async function switchOn(page: Page, app: App) {
  await app.open(page, "/parametres");
  await expect(page.getByTestId("dual-control-state")).toContainText("désactivée");
  await page.getByRole("button", { name: "Activer la double validation" }).click();
  await expect(page.getByText("Activée : chaque opération d’administration")).toBeVisible();
  await signWithTotp(page, app, SOPHIE.totpSecret);
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();
  await app.open(page, "/parametres");
  await expect(page.getByTestId("dual-control-state")).toHaveText("La double validation est activée.");
}

async function askSuspension(page: Page, app: App, name: string) {
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await page.getByRole("button", { name: "Suspendre l’accès" }).click();
  await signWithTotp(page, app, SOPHIE.totpSecret);
  await expect(page.getByRole("heading", { name: "Opération en attente de validation" })).toBeVisible();
  await expect(page.getByTestId("awaiting-approval")).toContainText("un autre administrateur");
}

/** A second browser for Thomas, on the same kind of device as the test's project. */
async function secondDevice(browser: Browser) {
  const { viewport, deviceScaleFactor, isMobile, hasTouch, userAgent } = test.info().project.use;
  return browser.newContext({ viewport, deviceScaleFactor, isMobile, hasTouch, userAgent, locale: "fr-FR", timezoneId: "Europe/Paris" });
}

async function stateOf(page: Page, app: App, name: string) {
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  return page.locator(".title-row .state");
}

test("Sophie asks, Thomas approves with his strong authentication", async ({ page, app, browser }) => {
  await app.signInWithTotp(page, SOPHIE);
  await switchOn(page, app);
  await askSuspension(page, app, JULIEN.name);
  await expect(await stateOf(page, app, JULIEN.name)).toHaveText("Actif");

  // Sophie's own request: hers to withdraw, never to approve.
  await app.open(page, "/validations");
  await page.getByRole("link", { name: "Suspension d’un utilisateur" }).click();
  await expect(page.getByText("Votre demande : un autre administrateur doit la valider.").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Valider avec le code" })).toHaveCount(0);

  const other = await secondDevice(browser);
  const thomas = await other.newPage();
  await app.signInWithTotp(thomas, THOMAS);
  await app.openMenu(thomas);
  await expect(thomas.getByTestId("approvals-badge")).toContainText("1");
  await thomas.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: /Opérations à valider/ }).click();
  await expect(thomas.getByRole("heading", { name: "Opérations à valider" })).toBeVisible();
  await thomas.getByRole("link", { name: "Suspension d’un utilisateur" }).click();
  await expect(thomas.getByRole("heading", { name: "Demande de validation" })).toBeVisible();
  await expect(thomas.getByText(`Préparée et signée par ${SOPHIE.name}`)).toBeVisible();
  await expect(thomas.getByText("BERNARD Julien")).toBeVisible();
  const axe = await new AxeBuilder({ page: thomas }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  await thomas.getByLabel("Code de votre application d’authentification").fill(await app.code(THOMAS.totpSecret));
  await thomas.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(thomas.getByText(`Demande validée par ${THOMAS.name}`)).toBeVisible();
  await other.close();

  await expect(await stateOf(page, app, JULIEN.name)).toHaveText("Suspendu");
});

test("Thomas rejects with a reason; Sophie reads it and nothing changed", async ({ page, app, browser }) => {
  await app.signInWithTotp(page, SOPHIE);
  await switchOn(page, app);
  await askSuspension(page, app, NADIA.name);

  const other = await secondDevice(browser);
  const thomas = await other.newPage();
  await app.signInWithTotp(thomas, THOMAS);
  await app.open(thomas, "/validations");
  await thomas.getByRole("link", { name: "Suspension d’un utilisateur" }).click();
  await expect(thomas.getByRole("heading", { name: "Demande de validation" })).toBeVisible();
  // No reason: told in French, nothing decided.
  await thomas.getByRole("button", { name: "Refuser", exact: true }).click();
  await expect(thomas.getByText("Indiquez le motif du refus.")).toBeVisible();
  await thomas.getByLabel("Motif du refus").fill("Nadia prépare les virements de la paie cette semaine.");
  await thomas.getByRole("button", { name: "Refuser", exact: true }).click();
  await expect(thomas.getByText(`Demande refusée par ${THOMAS.name}`)).toBeVisible();
  await other.close();

  await app.open(page, "/validations");
  await expect(page.getByTestId("no-request")).toBeVisible();
  const messages = await app.localOutbox(page, 3);
  expect(messages.some((m) => m.includes("Opération refusée") && m.includes("paie cette semaine"))).toBe(true);
  await expect(await stateOf(page, app, NADIA.name)).toHaveText("Actif");
});
