// Signing in with strong authentication, on a desktop and on a phone (see the projects of
// playwright.config.ts).

import { addVirtualAuthenticator, expect, JULIEN, SOPHIE, test } from "./fixtures";

test("password then authenticator code: the home page says who, for which entity, with which rights", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await expect(page.getByTestId("entity-name")).toHaveText("Atelier Lumière SAS");
  await expect(page.getByText("812 345 676")).toBeVisible();
  await expect(page.getByText("Compte courant principal")).toBeVisible();
  await expect(page.getByText("Consultation, gestion et validation (profil dirigeant)")).toHaveCount(14);
  await expect(page.getByText("Droit d’administration : oui")).toBeVisible();
  await app.openMenu(page);
  await expect(page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Gestion des utilisateurs" })).toBeVisible();
  // The session cookie as the browser holds it.
  const cookie = (await page.context().cookies()).find((c) => c.name === "__Host-habilis");
  expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: "Strict", path: "/" });
});

test("password then passkey, with Chromium's virtual authenticator", async ({ page, app }) => {
  await addVirtualAuthenticator(page);
  await app.signInWithTotp(page, SOPHIE);
  await app.enrolPasskey(page);
  await expect(page.getByText(/Clé d’accès — enregistrée le/)).toBeVisible();
  await app.signOut(page);
  await app.signInWithPassword(page, SOPHIE);
  await page.getByRole("button", { name: "Utiliser ma clé d’accès" }).click();
  await expect(page.getByRole("heading", { name: "Bonjour Sophie MARTIN" })).toBeVisible();
});

test("a wrong password gets the generic answer and no session", async ({ page, app }) => {
  await app.signInWithPassword(page, SOPHIE, "pas le bon mot de passe");
  await expect(page.getByRole("alert")).toHaveText(/Identifiant ou mot de passe incorrect/);
  await expect(page.getByLabel("Identifiant")).toBeVisible();
  await app.open(page, "/accueil");
  await expect(page).toHaveURL(/\/connexion$/);
});

test("five wrong codes block the access, after a warning at the fourth", async ({ page, app }) => {
  await app.signInWithPassword(page, SOPHIE);
  const right = await app.code(SOPHIE.totpSecret);
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
  const codeField = page.getByLabel("Code de votre application d’authentification");
  for (let attempt = 1; attempt <= 4; attempt++) {
    await codeField.fill(wrong);
    await page.getByRole("button", { name: "Valider le code" }).click();
    await expect(page.getByRole("alert")).toHaveText(
      attempt === 4 ? /au prochain échec, votre accès sera bloqué/ : new RegExp(`Il vous reste ${5 - attempt} essais`),
    );
  }
  await codeField.fill(wrong);
  await page.getByRole("button", { name: "Valider le code" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Votre accès est bloqué après 5 échecs/);
  // Back to the first step; even the right password no longer opens a session.
  await page.getByRole("link", { name: "Revenir à la connexion" }).click();
  await expect(page.getByLabel("Identifiant")).toBeVisible();
  await app.signInWithPassword(page, SOPHIE);
  await expect(page.getByRole("alert")).toHaveText(/Identifiant ou mot de passe incorrect/);
});

test("signing out ends the session", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.signOut(page);
  await app.open(page, "/accueil");
  await expect(page).toHaveURL(/\/connexion$/);
  expect((await page.context().cookies()).find((c) => c.name === "__Host-habilis")).toBeUndefined();
});

test("a user without the administration right does not see « Gestion des utilisateurs »", async ({ page, app }) => {
  await app.signInWithTotp(page, JULIEN);
  await expect(page.getByText("Consultation (profil comptable)")).toHaveCount(14);
  await app.openMenu(page);
  await expect(page.getByRole("link", { name: "Gestion des utilisateurs" })).toHaveCount(0);
  await app.open(page, "/utilisateurs");
  await expect(page.getByRole("heading", { name: "Accès réservé" })).toBeVisible();
});

test.describe("with a 20-second idle timeout", () => {
  test.use({ serverEnv: { HABILIS_IDLE_TIMEOUT_SECS: "20" } });

  test("the page warns before the server's idle timeout, and the session ends when it passes", async ({ page, app }) => {
    await app.signInWithTotp(page, SOPHIE);
    const warning = page.getByRole("alertdialog");
    await expect(warning).toBeVisible({ timeout: 20_000 });
    await expect(warning).toContainText("Votre session va expirer");
    await warning.getByRole("button", { name: "Rester connecté" }).click();
    await expect(warning).toBeHidden();
    // No more activity: the server closes the session and the page says why.
    await expect(page).toHaveURL(/\/connexion\?raison=inactivite/, { timeout: 45_000 });
    await expect(page.getByText("Votre session a été fermée après une période d’inactivité")).toBeVisible();
    await app.open(page, "/accueil");
    await expect(page).toHaveURL(/\/connexion$/);
  });
});
