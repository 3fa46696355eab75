// Groups of entities: Nadia PETIT, user of Atelier Lumière, is registered by Jardins Partagés'
// advisor and added there by its administrator; she signs in once, chooses the entity, and
// moves between the two from the header; on a desktop and on a phone.

import { type Page } from "@playwright/test";
import { App, DEMO_PASSWORD, expect, NADIA, PAUL, test } from "./fixtures";

// The demo advisor of Association Les Jardins Partagés (README).
const KARIM = { loginId: "karim.benali", totpSecret: "LNQU76SZDD2BGKRTMNVH77V43F6ODQAF" };
const CODE = "Code de votre application d’authentification";
const ATELIER = "Atelier Lumière SAS";
const JARDINS = "Association Les Jardins Partagés";

async function registerNadiaAtJardins(page: Page, app: App) {
  await app.open(page, "/conseiller/connexion");
  await page.getByLabel("Identifiant conseiller").fill(KARIM.loginId);
  await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  await page.getByLabel(CODE).fill(await app.code(KARIM.totpSecret));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("link", { name: JARDINS }).click();
  await expect(page.getByRole("heading", { name: JARDINS })).toBeVisible();
  // The identity the bank holds for her at Atelier Lumière.
  await page.getByLabel("Nom", { exact: true }).fill("PETIT");
  await page.getByLabel("Prénom", { exact: true }).fill("Nadia");
  await page.getByLabel("Date de naissance").fill("1990-02-17");
  await page.getByLabel("Téléphone mobile").fill("06 12 34 56 03");
  const register = page.locator("form", { has: page.getByRole("button", { name: "Enregistrer la personne" }) });
  await register.getByLabel(CODE).fill(await app.code(KARIM.totpSecret));
  await page.getByRole("button", { name: "Enregistrer la personne" }).click();
  await expect(page.getByRole("status").filter({ hasText: "La personne est enregistrée" })).toBeVisible();
}

async function paulAddsNadia(page: Page, app: App) {
  await app.signInWithTotp(page, PAUL);
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: "Ajouter un utilisateur" }).click();
  await page.getByRole("button", { name: /Nadia PETIT/ }).click();
  await page.getByLabel("E-mail").fill("nadia.petit@jardins-partages.org");
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.getByRole("button", { name: /Profil comptable/ }).click();
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.getByRole("button", { name: "Confirmer" }).click();
  await page.getByLabel(CODE).fill(await app.code(PAUL.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  // She keeps her login: no new password is sent.
  await expect(page.getByTestId("existing-login")).toContainText("identifiant habituel");
}

test("a person of two entities signs in once, chooses the entity and switches from the header", async ({ page, app, browser }) => {
  const viewport = page.viewportSize() ?? undefined;
  const advisor = await browser.newContext({ viewport });
  await registerNadiaAtJardins(await advisor.newPage(), app);
  await advisor.close();
  const administrator = await browser.newContext({ viewport });
  await paulAddsNadia(await administrator.newPage(), app);
  await administrator.close();

  // One sign-in, then the choice.
  await app.signInWithPassword(page, NADIA);
  await page.getByLabel(CODE).fill(await app.code(NADIA.totpSecret));
  await page.getByRole("button", { name: "Valider le code" }).click();
  await expect(page.getByRole("heading", { name: "Choisissez l’entité" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: `Accéder à ${JARDINS}` }).click();
  await expect(page.getByRole("heading", { name: `Bonjour ${NADIA.name}` })).toBeVisible();
  await app.openMenu(page);
  await expect(page.locator(".who-entity")).toHaveText(JARDINS);
  // Jardins Partagés' accounts only: nothing of Atelier Lumière's.
  await expect(page.locator("main")).not.toContainText(ATELIER);

  // Back to Atelier Lumière from the header.
  await page.getByRole("link", { name: "Changer d’entité" }).click();
  await expect(page.getByRole("heading", { name: "Choisissez l’entité" })).toBeVisible();
  await page.getByRole("button", { name: `Accéder à ${ATELIER}` }).click();
  await expect(page.getByRole("heading", { name: `Bonjour ${NADIA.name}` })).toBeVisible();
  await app.openMenu(page);
  await expect(page.locator(".who-entity")).toHaveText(ATELIER);
  await expect(page.locator("main")).not.toContainText(JARDINS);
});
