// Keyboard, screen readers and phones: axe-core on every page and step (any violation fails),
// the focus after each « Continuer », the skip link, titles per step, tap targets on a phone.

import AxeBuilder from "@axe-core/playwright";
import { type Page } from "@playwright/test";
import { App, DEMO_PASSWORD, expect, SOPHIE, test } from "./fixtures";

async function expectNoViolation(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  const violations = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(violations, `${where}:\n${violations.join("\n")}`).toEqual([]);
}

/** Every link, button and box of the page is at least 44 × 44 px (WCAG 2.2 target size, AAA). */
async function expectTapTargets(page: Page, where: string) {
  const small = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll("a[href], button, summary, input[type=checkbox], input[type=text], input[type=password], input[type=email], input[type=search]"))) {
      const target = (el.closest("label") as HTMLElement | null) ?? (el as HTMLElement);
      const box = target.getBoundingClientRect();
      const style = getComputedStyle(el as HTMLElement);
      if (box.width === 0 || style.visibility === "hidden" || (el as HTMLElement).closest(".visually-hidden,.skip-link")) continue;
      if (box.height < 43.5 || box.width < 43.5) out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 40)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
    return out;
  });
  expect(small, `${where}: targets under 44 px`).toEqual([]);
}

async function check(page: Page, where: string, isPhone: boolean) {
  await expectNoViolation(page, where);
  if (isPhone) await expectTapTargets(page, where);
}

test("every page and step of the journey passes axe-core, with the focus on each new step's heading", async ({ page, app }, testInfo) => {
  const isPhone = testInfo.project.name === "telephone";
  await app.open(page, "/connexion");
  await check(page, "connexion", isPhone);
  await app.signInWithPassword(page, SOPHIE);
  await expect(page.getByRole("heading", { name: "Authentification forte" })).toBeVisible();
  await check(page, "authentification forte", isPhone);
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider le code" }).click();
  await expect(page.getByRole("heading", { name: "Bonjour Sophie MARTIN" })).toBeVisible();
  await check(page, "accueil", isPhone);
  for (const path of ["/securite", "/utilisateurs", "/boite-locale", "/journal", "/habilitations", "/revues", "/validations", "/parametres"]) {
    await app.open(page, path);
    await expect(page.locator("h1")).toBeVisible();
    await check(page, path, isPhone);
  }
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: "Julien BERNARD" }).click();
  await expect(page.getByRole("heading", { name: "Julien BERNARD" })).toBeVisible();
  await check(page, "fiche utilisateur", isPhone);
  await page.getByRole("link", { name: /Pourquoi ces droits/ }).click();
  await expect(page.getByRole("heading", { name: /Pourquoi ces droits/ })).toBeVisible();
  await check(page, "pourquoi", isPhone);
  await app.open(page, "/revues");
  await page.getByRole("button", { name: "Commencer une revue des accès" }).click();
  await expect(page.getByRole("heading", { name: /^Revue des accès du / })).toBeVisible();
  await check(page, "revue des accès", isPhone);

  await app.open(page, "/utilisateurs/ajout");
  await expect(page).toHaveTitle("Sélectionnez votre nouvel utilisateur dans la liste des noms apparaissant à l’écran · Ajouter un utilisateur · Habilis");
  await check(page, "ajout: personne", isPhone);
  await page.getByRole("button", { name: /Emma GIRARD/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Vérifiez les données personnelles" })).toBeFocused();
  await expect(page).toHaveTitle(/^Vérifiez les données personnelles · /);
  await expect(page.getByText("Étape 2 sur 6")).toBeVisible();
  await check(page, "ajout: données", isPhone);
  // An error is announced and linked to its field.
  await page.getByRole("button", { name: "Continuer" }).click();
  const email = page.getByLabel("E-mail");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAccessibleDescription(/Renseignez l’adresse e-mail/);
  await check(page, "ajout: données en erreur", isPhone);
  await email.fill("emma.girard@atelier-lumiere.fr");
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Choisissez comment attribuer les droits" })).toBeFocused();
  await check(page, "ajout: méthode", isPhone);
  await page.getByRole("button", { name: /Profil valideur/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Choisissez les droits" })).toBeFocused();
  await check(page, "ajout: droits", isPhone);
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Vérifiez l’ensemble de votre sélection" })).toBeFocused();
  await check(page, "ajout: vérification", isPhone);
  await page.getByRole("button", { name: "Confirmer" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Validez votre opération" })).toBeFocused();
  await check(page, "validation", isPhone);
  if (isPhone) {
    // The code field is reachable without scrolling past the whole recap.
    const field = await page.getByLabel("Code de votre application d’authentification").boundingBox();
    const recap = await page.getByRole("heading", { name: "Droits attribués par cette opération" }).boundingBox();
    expect(field!.y).toBeLessThan(recap!.y);
  }
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "Parfait ! Votre nouvel utilisateur est déjà opérationnel." })).toBeVisible();
  await check(page, "terminé", isPhone);
});

test("the first Tab reaches the skip link, which leads to the content", async ({ page, app }) => {
  await app.open(page, "/connexion");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Aller au contenu" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#contenu$/);
});

test("on a phone the signed-in header stays compact, its menu folded", async ({ page, app }, testInfo) => {
  test.skip(testInfo.project.name !== "telephone", "a phone's header");
  await app.signInWithTotp(page, SOPHIE);
  const header = await page.locator("header.site-header").boundingBox();
  expect(header!.height).toBeLessThanOrEqual(80);
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeHidden();
  await app.openMenu(page);
  await expect(page.getByRole("button", { name: "Se déconnecter" })).toBeVisible();
});

test("the language switch shows every page in English, and back in French", async ({ page, app }) => {
  await app.open(page, "/connexion");
  await page.getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to your space" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.locator("body[data-hydrated]").waitFor();
  await expectNoViolation(page, "sign-in in English");
  await page.getByRole("link", { name: "Français" }).click();
  await expect(page.getByRole("heading", { name: "Connexion à votre espace" })).toBeVisible();
});

test("a browser that prefers English gets English", async ({ browser, app }) => {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  await new App(app.url).open(page, "/connexion");
  await expect(page.getByRole("heading", { name: "Sign in to your space" })).toBeVisible();
  await context.close();
});

test("in English, the server's own messages and the rights recap are in English too", async ({ browser, app }) => {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  const english = new App(app.url);
  await english.open(page, "/connexion");
  await page.locator("#login-id").fill(SOPHIE.loginId);
  await page.locator("#password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Strong authentication" })).toBeVisible();
  // A message written by the server (the code's format), in English.
  await page.locator("#totp-code").fill("12ab");
  await page.getByRole("button", { name: "Validate the code" }).click();
  await expect(page.getByText("The code has 6 digits.")).toBeVisible();
  await page.locator("#totp-code").fill(await english.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Validate the code" }).click();
  await expect(page.getByText("View, manage and approve (Director profile)")).toHaveCount(14);
  await expect(page.getByText("Administration right: yes", { exact: false })).toBeVisible();
  await expectNoViolation(page, "home in English");
  await context.close();
});

test("« Espace conseiller » passes axe-core, with its targets of 44 px on a phone", async ({ page, app }, testInfo) => {
  const isPhone = testInfo.project.name === "telephone";
  await app.open(page, "/conseiller/connexion");
  await check(page, "conseiller/connexion", isPhone);
  await page.getByLabel("Identifiant conseiller").fill("claire.dubois");
  await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code("V7KA7UKUDXMXDB54TBMMJOKR7CSB2HSX"));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { name: "Mon portefeuille" })).toBeVisible();
  await check(page, "conseiller (portefeuille)", isPhone);
  await page.getByRole("link", { name: "Atelier Lumière SAS" }).click();
  await expect(page.getByRole("heading", { name: "Atelier Lumière SAS" })).toBeVisible();
  // A refused registration shows its errors on the fields.
  await page.getByRole("button", { name: "Enregistrer la personne" }).click();
  await expect(page.getByText("Indiquez le nom")).toBeVisible();
  await check(page, "conseiller (entité)", isPhone);
  await page.getByRole("link", { name: "Corriger ou retirer Lucas MOREAU" }).click();
  await expect(page.getByRole("heading", { name: "Lucas MOREAU" })).toBeVisible();
  await check(page, "conseiller (personne)", isPhone);
});
