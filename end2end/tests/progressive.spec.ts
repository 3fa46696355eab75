// Every person, every device: the forms work before and without the wasm, a reload keeps the
// journey, nothing typed before hydration is lost, and no secret ever reaches an address.

import { type Page, type Request } from "@playwright/test";
import { App, DEMO_PASSWORD, expect, SOPHIE, test } from "./fixtures";

/** Holds every wasm request back: the page stays as the server rendered it. */
async function withoutWasm(page: Page) {
  await page.route(/\.wasm$/, () => {
    // Never answered.
  });
}

/** Waits until the page is hydrated: a history move during hydration is not a case the app
 * claims to handle. */
async function hydrated(page: Page) {
  await page.locator("body[data-hydrated]").waitFor();
}

/** Every request the page makes, to check none carries a secret in its address. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on("request", (request) => requests.push(request));
  return requests;
}

function expectNoSecretInAddresses(requests: Request[], secrets: string[]) {
  for (const request of requests) {
    for (const secret of secrets) {
      expect(request.url(), `${request.method()} ${request.url()}`).not.toContain(encodeURIComponent(secret));
      expect(request.url()).not.toContain(secret);
    }
  }
}

async function signInWithoutWasm(page: Page, app: App) {
  await page.goto(app.url + "/connexion");
  await page.getByLabel("Identifiant").fill(SOPHIE.loginId);
  await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/connexion\/authentification$/);
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider le code" }).click();
  await expect(page.getByRole("heading", { name: "Bonjour Sophie MARTIN" })).toBeVisible();
}

test("without the wasm: sign-in, the whole add-user journey and sign-out work, and no secret reaches an address", async ({ page, app }) => {
  await withoutWasm(page);
  const requests = recordRequests(page);
  await signInWithoutWasm(page, app);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);

  await page.goto(app.url + "/utilisateurs/ajout");
  await page.getByRole("button", { name: /Lucas MOREAU/ }).click();
  await expect(page).toHaveURL(/\/utilisateurs\/ajout\/[^/]+\/donnees$/);
  await expect(page.getByText("lucas.moreau@atelier-lumiere.fr")).toBeVisible();
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page).toHaveURL(/\/methode$/);
  await page.getByRole("button", { name: /Profil préparateur/ }).click();
  await expect(page).toHaveURL(/\/droits$/);
  // Without the wasm, a box is a plain checkbox of the form.
  await page.getByRole("checkbox", { name: "Gestion — Compte courant paie", exact: true }).uncheck();
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page).toHaveURL(/\/verification$/);
  await expect(page.getByText("Consultation (profil préparateur)")).toHaveCount(1);
  await expect(page.getByText("Consultation et gestion (profil préparateur)")).toHaveCount(13);
  await page.getByRole("button", { name: "Confirmer" }).click();
  await expect(page).toHaveURL(/\/operations\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  const code = await app.code(SOPHIE.totpSecret);
  await page.getByLabel("Code de votre application d’authentification").fill(code);
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "Parfait ! Votre nouvel utilisateur est déjà opérationnel." })).toBeVisible();

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("heading", { name: "Connexion à votre espace" })).toBeVisible();
  expect((await page.context().cookies()).find((c) => c.name === "__Host-habilis")).toBeUndefined();

  expectNoSecretInAddresses(requests, [DEMO_PASSWORD, code]);
  const posts = requests.filter((r) => r.url().includes("/api/connexion"));
  expect(posts.length).toBeGreaterThan(0);
  for (const post of posts) expect(post.method()).toBe("POST");
});

test("without the wasm, a refused sign-in says why, on the same page", async ({ page, app }) => {
  await withoutWasm(page);
  await page.goto(app.url + "/connexion");
  await page.getByLabel("Identifiant").fill(SOPHIE.loginId);
  await page.getByLabel("Mot de passe").fill("pas le bon mot de passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Identifiant ou mot de passe incorrect/);
  await expect(page).not.toHaveURL(/mot/);
});

test("what is typed before the wasm arrives is still there after hydration", async ({ page, app }) => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(app.url + "/connexion");
  await page.getByLabel("Identifiant").fill(SOPHIE.loginId);
  await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  release();
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByLabel("Identifiant")).toHaveValue(SOPHIE.loginId);
  await expect(page.getByLabel("Mot de passe")).toHaveValue(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/connexion\/authentification$/);
});

test("boxes ticked in the grid before the wasm arrives are kept by hydration", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/utilisateurs/ajout");
  await page.getByRole("button", { name: /Lucas MOREAU/ }).click();
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.getByRole("button", { name: /Profil valideur/ }).click();
  await expect(page).toHaveURL(/\/droits$/);
  const rights = page.url();
  // Reload with the wasm held back, untick, then let the wasm in.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(rights);
  await page.getByRole("checkbox", { name: "Validation — Compte chantiers", exact: true }).uncheck();
  release();
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByRole("checkbox", { name: "Validation — Compte chantiers", exact: true })).not.toBeChecked();
  await expect(page.getByTestId("count-validation").locator("visible=true")).toHaveText("13 / 14");
});

test("a reload keeps the journey at every step; an edit voids the operation prepared before, and says so", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/utilisateurs/ajout");
  await page.getByRole("button", { name: /Emma GIRARD/ }).click();
  await page.getByLabel("E-mail").fill("emma.girard@atelier-lumiere.fr");
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page).toHaveURL(/\/methode$/);
  await page.reload();
  await hydrated(page);
  await page.goBack();
  await hydrated(page);
  await expect(page.getByLabel("E-mail")).toHaveValue("emma.girard@atelier-lumiere.fr");
  await page.goForward();
  await hydrated(page);
  await page.getByRole("button", { name: /Profil valideur/ }).click();
  await page.getByRole("checkbox", { name: "Validation — Compte chantiers", exact: true }).uncheck();
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page).toHaveURL(/\/verification$/);
  await page.reload();
  await hydrated(page);
  await expect(page.getByText("Consultation et gestion (profil valideur)")).toHaveCount(1);
  await page.getByRole("button", { name: "Confirmer" }).click();
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  const operation = page.url();
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("operation-code")).toHaveText(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
  // Back to the rights, one more box unticked: the operation prepared before is void.
  await page.getByRole("link", { name: "Modifier" }).click();
  await page.getByRole("link", { name: "Modifier les droits" }).click();
  await page.getByRole("checkbox", { name: "Validation — Compte de réserve", exact: true }).uncheck();
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page).toHaveURL(/\/verification$/);
  await page.goto(operation);
  await expect(page.getByRole("alert")).toHaveText(/Cette opération a été annulée/);
  await expect(page.getByLabel("Code de votre application d’authentification")).toHaveCount(0);
});
