// « Ajouter un utilisateur », the reference page's journey, on a desktop and on a phone.

import { type Page } from "@playwright/test";
import { addVirtualAuthenticator, App, expect, PAUL, SOPHIE, test } from "./fixtures";

async function startJourney(page: Page, app: App, person: string) {
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: "Ajouter un utilisateur" }).click();
  await expect(page.getByText("Étape 1 sur 6")).toBeVisible();
  await expect(page.getByText("Sélectionnez votre nouvel utilisateur dans la liste des noms apparaissant à l’écran")).toBeVisible();
  await page.getByRole("button", { name: new RegExp(person) }).click();
  await expect(page.getByRole("heading", { name: "Vérifiez les données personnelles" })).toBeVisible();
}

async function toMethods(page: Page) {
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("heading", { name: "Choisissez comment attribuer les droits" })).toBeVisible();
}

async function toVerification(page: Page) {
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("heading", { name: "Vérifiez l’ensemble de votre sélection" })).toBeVisible();
}

async function confirm(page: Page) {
  await page.getByRole("button", { name: "Confirmer" }).click();
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  await expect(page.getByTestId("operation-code")).toHaveText(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
}

const PERFECT = "Parfait ! Votre nouvel utilisateur est déjà opérationnel.";

async function validateWithTotp(page: Page, app: App) {
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: PERFECT })).toBeVisible();
}

async function validateWithPasskey(page: Page) {
  await page.getByRole("button", { name: "Valider avec ma clé d’accès" }).click();
  await expect(page.getByRole("heading", { name: PERFECT })).toBeVisible();
}

const box = (page: Page, level: string, resource: string) => page.getByRole("checkbox", { name: `${level} — ${resource}`, exact: true });
const count = (page: Page, level: string) => page.getByTestId(`count-${level}`).locator("visible=true");

async function expectNewUserListed(page: Page, name: string) {
  await page.getByRole("link", { name: "Retour à la gestion des utilisateurs" }).click();
  const row = page.locator("tr", { hasText: name });
  await expect(row).toContainText("En attente de première connexion");
}

test("Profil dirigeant: every right in one click, validated with the authenticator code", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await startJourney(page, app, "Lucas MOREAU");
  await expect(page.getByText("lucas.moreau@atelier-lumiere.fr")).toBeVisible();
  await expect(page.getByText("08/07/1992")).toBeVisible();
  await toMethods(page);
  await page.getByRole("button", { name: /Profil dirigeant/ }).click();
  await expect(page.getByText("Ce profil s’attribue tel quel")).toBeVisible();
  await expect(box(page, "Validation", "Compte chantiers")).toBeChecked();
  await expect(box(page, "Validation", "Compte chantiers")).toBeDisabled();
  for (const level of ["consultation", "gestion", "validation"]) {
    await expect(count(page, level)).toHaveText("14 / 14");
  }
  await expect(page.getByRole("checkbox", { name: /Droit d’administration/ })).not.toBeChecked();
  await toVerification(page);
  await expect(page.getByText("Consultation, gestion et validation (profil dirigeant)")).toHaveCount(14);
  await confirm(page);
  await validateWithTotp(page, app);
  await expect(page.getByText(/Lucas MOREAU recevra son identifiant par e-mail \(lucas\.moreau@atelier-lumiere\.fr\) et son mot de passe provisoire par SMS/)).toBeVisible();
  await expectNewUserListed(page, "Lucas MOREAU");
});

test("Profil comptable: consultation only", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  // « Gestion des utilisateurs » is searchable.
  await app.open(page, "/utilisateurs");
  await expect(page.getByText("4 utilisateurs")).toBeVisible();
  await page.getByLabel("Rechercher un utilisateur").fill("bern");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await expect(page).toHaveURL(/recherche=bern/);
  await expect(page.getByText("1 utilisateur", { exact: true })).toBeVisible();
  await expect(page.locator("tr", { hasText: "Julien BERNARD" })).toContainText("1000000002");
  await expect(page.locator("tr", { hasText: "Sophie MARTIN" })).toHaveCount(0);
  await startJourney(page, app, "Lucas MOREAU");
  await toMethods(page);
  await page.getByRole("button", { name: /Profil comptable/ }).click();
  await expect(count(page, "consultation")).toHaveText("14 / 14");
  await expect(count(page, "gestion")).toHaveText("0 / 14");
  await expect(count(page, "validation")).toHaveText("0 / 14");
  await expect(box(page, "Gestion", "Virements SEPA")).toBeDisabled();
  await toVerification(page);
  await expect(page.getByText("Consultation (profil comptable)")).toHaveCount(14);
  await confirm(page);
  await validateWithTotp(page, app);
  await expectNewUserListed(page, "Lucas MOREAU");
});

test("Profil préparateur: pre-ticked consultation and gestion, unticked case by case", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await startJourney(page, app, "Lucas MOREAU");
  await toMethods(page);
  await page.getByRole("button", { name: /Profil préparateur/ }).click();
  await expect(count(page, "gestion")).toHaveText("14 / 14");
  await expect(count(page, "validation")).toHaveText("0 / 14");
  await expect(box(page, "Validation", "Compte courant paie")).toBeDisabled();
  await box(page, "Gestion", "Compte courant paie").uncheck();
  await box(page, "Consultation", "Compte-titres").uncheck();
  // Unticking consultation unticks gestion too, and the grid says why.
  await expect(box(page, "Gestion", "Compte-titres")).not.toBeChecked();
  await expect(page.getByRole("status").filter({ hasText: "Sans consultation" })).toBeVisible();
  await expect(count(page, "consultation")).toHaveText("13 / 14");
  await expect(count(page, "gestion")).toHaveText("12 / 14");
  await expect(page.locator("td.differs")).toHaveCount(3);
  await toVerification(page);
  await expect(page.getByText("Hors du périmètre : Compte-titres.")).toBeVisible();
  await expect(page.getByText("Consultation (profil préparateur)")).toHaveCount(1);
  await expect(page.getByText("Consultation et gestion (profil préparateur)")).toHaveCount(12);
  await confirm(page);
  await validateWithTotp(page, app);
  await expectNewUserListed(page, "Lucas MOREAU");
});

test("Profil valideur: unticks by right and by row, validated with a passkey", async ({ page, app }) => {
  await addVirtualAuthenticator(page);
  await app.signInWithTotp(page, SOPHIE);
  await app.enrolPasskey(page);
  await startJourney(page, app, "Lucas MOREAU");
  await toMethods(page);
  await page.getByRole("button", { name: /Profil valideur/ }).click();
  await box(page, "Validation", "Virements internationaux").uncheck();
  await page.getByRole("checkbox", { name: "Tous ses droits — Cartes affaires" }).uncheck();
  await expect(box(page, "Consultation", "Cartes affaires")).not.toBeChecked();
  // Ticking gestion back brings consultation with it.
  await box(page, "Gestion", "Cartes affaires").check();
  await expect(box(page, "Consultation", "Cartes affaires")).toBeChecked();
  await expect(page.getByRole("status").filter({ hasText: "La gestion nécessite la consultation" })).toBeVisible();
  await expect(count(page, "validation")).toHaveText("12 / 14");
  await toVerification(page);
  await expect(page.getByText("Consultation et gestion (profil valideur)")).toHaveCount(2);
  await confirm(page);
  await validateWithPasskey(page);
  await expectNewUserListed(page, "Lucas MOREAU");
});

test("copying another user's rights, with the e-mail filled in and an adjustment", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await startJourney(page, app, "Emma GIRARD");
  await expect(page.getByText("Attention, une adresse mail valide est indispensable")).toBeVisible();
  await page.getByLabel("E-mail").fill("emma@");
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Cette adresse e-mail n’est pas valide/);
  await page.getByLabel("E-mail").fill("emma.girard@atelier-lumiere.fr");
  await toMethods(page);
  await page.getByText("Copier les droits à partir d’un autre utilisateur").click();
  await page.getByRole("button", { name: /Nadia PETIT/ }).click();
  await expect(page.getByRole("heading", { name: "Récapitulatif des droits à copier" })).toBeVisible();
  await expect(page.getByText("Vérifiez la liste des droits.")).toBeVisible();
  await expect(box(page, "Gestion", "Compte courant principal")).toBeChecked();
  await expect(box(page, "Consultation", "Compte en dollars US")).not.toBeChecked();
  await box(page, "Validation", "Compte courant principal").check();
  await expect(page.locator("td.differs")).toHaveCount(1);
  await toVerification(page);
  await expect(
    page.getByText("Consultation (copié de Nadia PETIT), gestion (copié de Nadia PETIT) et validation (personnalisé)"),
  ).toBeVisible();
  // Going back keeps what was entered.
  await page.getByRole("link", { name: "Modifier les droits" }).click();
  await expect(box(page, "Validation", "Compte courant principal")).toBeChecked();
  await toVerification(page);
  await confirm(page);
  await validateWithTotp(page, app);
  await expectNewUserListed(page, "Emma GIRARD");
});

test("custom rights: whole column, whole row and the administration right, validated with a passkey", async ({ page, app }) => {
  await addVirtualAuthenticator(page);
  await app.signInWithTotp(page, SOPHIE);
  await app.enrolPasskey(page);
  await startJourney(page, app, "Lucas MOREAU");
  await toMethods(page);
  await page.getByRole("button", { name: "Attribuer des droits personnalisés" }).click();
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Sélectionnez au moins un droit/);
  await page.getByRole("checkbox", { name: "Toute la colonne Consultation" }).check();
  await expect(count(page, "consultation")).toHaveText("14 / 14");
  await page.getByRole("checkbox", { name: "Tous ses droits — Virements SEPA" }).check();
  await expect(count(page, "gestion")).toHaveText("1 / 14");
  await expect(count(page, "validation")).toHaveText("1 / 14");
  await page.getByRole("checkbox", { name: /Droit d’administration/ }).check();
  await toVerification(page);
  await expect(page.getByText("Consultation, gestion et validation (personnalisé)")).toBeVisible();
  await expect(page.getByText("Droit d’administration : oui")).toBeVisible();
  await confirm(page);
  await validateWithPasskey(page);
  await expectNewUserListed(page, "Lucas MOREAU");
});

test("leaving before the strong authentication changes nothing", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await startJourney(page, app, "Lucas MOREAU");
  await toMethods(page);
  await page.getByRole("button", { name: /Profil comptable/ }).click();
  await toVerification(page);
  await confirm(page);
  await app.open(page, "/utilisateurs");
  await expect(page.getByText("4 utilisateurs")).toBeVisible();
  await expect(page.locator("tr", { hasText: "Lucas MOREAU" })).toHaveCount(0);
});

test("the new user's first login: credentials from the local outbox, new password, authenticator, rights", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await startJourney(page, app, "Lucas MOREAU");
  await toMethods(page);
  await page.getByRole("button", { name: /Profil valideur/ }).click();
  await page.getByRole("checkbox", { name: "Tous ses droits — Compte-titres" }).uncheck();
  await toVerification(page);
  await confirm(page);
  await validateWithTotp(page, app);
  await app.signOut(page);

  // The simulated mailbox and phone: the login id by e-mail, the password by SMS (and the
  // other administrator's notice).
  const messages = await app.localOutbox(page, 3);
  const mail = messages.find((m) => m.includes("lucas.moreau@atelier-lumiere.fr"))!;
  const sms = messages.find((m) => m.includes("+33612345604"))!;
  const loginId = mail.match(/Votre identifiant : (\d{10})/)![1];
  const temporary = sms.match(/mot de passe provisoire est (\S+)/)![1];
  const emailCode = mail.match(/code de première connexion : (\d{4} \d{4})/)![1];
  expect(mail).not.toContain(temporary);
  expect(sms).not.toContain(emailCode);
  expect(sms).not.toContain(loginId);

  await app.open(page, "/connexion");
  await page.getByLabel("Identifiant").fill(loginId);
  await page.getByLabel("Mot de passe").fill(temporary);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByText("Étape 1 sur 2")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Votre mot de passe" })).toBeVisible();
  await page.getByLabel("Code reçu par e-mail").fill(emailCode);
  await page.getByLabel("Nouveau mot de passe").fill("trop court");
  await page.getByLabel("Confirmez le mot de passe").fill("trop court");
  await page.getByRole("button", { name: "Enregistrer mon mot de passe" }).click();
  await expect(page.getByText("Le mot de passe doit comporter au moins 12 caractères.")).toBeVisible();
  const chosen = "cheval agrafe pile correcte";
  await page.getByLabel("Nouveau mot de passe").fill(chosen);
  await page.getByLabel("Confirmez le mot de passe").fill(chosen);
  await page.getByRole("button", { name: "Enregistrer mon mot de passe" }).click();
  await expect(page.getByText("Étape 2 sur 2")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Votre authentification forte" })).toBeVisible();
  await page.getByRole("button", { name: "Configurer une application d’authentification" }).click();
  await expect(page.locator("img.qr-code")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  await page.getByLabel("Code affiché par l’application").fill(await app.code(secret));
  await page.getByRole("button", { name: "Vérifier le code" }).click();

  await expect(page.getByRole("heading", { name: "Bonjour Lucas MOREAU" })).toBeVisible();
  await expect(page.getByText("Consultation, gestion et validation (profil valideur)")).toHaveCount(13);
  await expect(page.getByText("Hors du périmètre : Compte-titres.")).toBeVisible();
  await expect(page.getByText("Droit d’administration : non.")).toBeVisible();

  // The temporary password is spent.
  await app.signOut(page);
  await app.open(page, "/connexion");
  await page.getByLabel("Identifiant").fill(loginId);
  await page.getByLabel("Mot de passe").fill(temporary);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Identifiant ou mot de passe incorrect/);
});

test("when nobody awaits an access, the page says to ask the advisor and gives the contact", async ({ page, app }) => {
  await app.signInWithTotp(page, PAUL);
  await startJourney(page, app, "Hugo FAURE");
  await toMethods(page);
  await page.getByRole("button", { name: /Profil comptable/ }).click();
  await toVerification(page);
  await confirm(page);
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(PAUL.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: PERFECT })).toBeVisible();
  await app.open(page, "/utilisateurs/ajout");
  await expect(page.getByText("Aucune personne n’est en attente d’accès.")).toBeVisible();
  await expect(page.getByText("doit préalablement avoir été enregistré par votre conseiller").first()).toBeVisible();
  await expect(page.getByText("M. Karim BENALI")).toBeVisible();
  await expect(page.getByText("03 20 00 02 02")).toBeVisible();
});
