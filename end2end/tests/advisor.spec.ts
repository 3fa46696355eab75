// « Espace conseiller »: an advisor registers a person whom the administrator then adds, and an
// advisor unblocks a user; on a desktop and on a phone.

import { type Page } from "@playwright/test";
import { App, DEMO_PASSWORD, expect, JULIEN, SOPHIE, test } from "./fixtures";

// The demo advisor of Atelier Lumière (README).
const CLAIRE = { loginId: "claire.dubois", totpSecret: "V7KA7UKUDXMXDB54TBMMJOKR7CSB2HSX" };
const CODE = "Code de votre application d’authentification";

async function signInAdvisor(page: Page, app: App) {
  await app.open(page, "/conseiller/connexion");
  await page.getByLabel("Identifiant conseiller").fill(CLAIRE.loginId);
  await page.getByLabel("Mot de passe").fill(DEMO_PASSWORD);
  await page.getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { name: "Mon portefeuille" })).toBeVisible();
  await expect(page.getByText("Connecté : Mme Claire DUBOIS")).toBeVisible();
}

// Each row of the users' table has forms of its own (« Réinitialiser l’accès », folded): the
// register form's code field is the one under « Enregistrer la personne ».
function registerForm(page: Page) {
  return page.locator("form", { has: page.getByRole("button", { name: "Enregistrer la personne" }) });
}

async function openAtelier(page: Page) {
  // Only her portfolio: the association of another advisor is not there.
  await expect(page.getByRole("link", { name: "Association Les Jardins Partagés" })).toHaveCount(0);
  await page.getByRole("link", { name: "Atelier Lumière SAS" }).click();
  await expect(page.getByRole("heading", { name: "Atelier Lumière SAS" })).toBeVisible();
}

test("an advisor registers a person, whom the administrator then adds", async ({ page, app, browser }) => {
  await signInAdvisor(page, app);
  await openAtelier(page);
  await page.getByLabel("Nom", { exact: true }).fill("ROCHE");
  await page.getByLabel("Prénom", { exact: true }).fill("Inès");
  await page.getByLabel("Date de naissance").fill("1992-11-03");
  await page.getByLabel("Téléphone mobile").fill("01 23 45 67 89");
  await registerForm(page).getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await page.getByRole("button", { name: "Enregistrer la personne" }).click();
  await expect(page.getByText("Indiquez un numéro de mobile")).toBeVisible();
  await page.getByLabel("Téléphone mobile").fill("06 11 22 33 44");
  await registerForm(page).getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await page.getByRole("button", { name: "Enregistrer la personne" }).click();
  await expect(page.getByRole("status").filter({ hasText: "La personne est enregistrée" })).toBeVisible();
  await expect(page.locator("ul.persons")).toContainText("Inès ROCHE");

  // The administrator finds her in « Ajouter un utilisateur » and adds her.
  const other = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
  const admin = await other.newPage();
  await app.signInWithTotp(admin, SOPHIE);
  await app.open(admin, "/utilisateurs");
  await admin.getByRole("link", { name: "Ajouter un utilisateur" }).click();
  await admin.getByRole("button", { name: /Inès ROCHE/ }).click();
  await expect(admin.getByRole("heading", { name: "Vérifiez les données personnelles" })).toBeVisible();
  await expect(admin.getByText("03/11/1992")).toBeVisible();
  await expect(admin.getByText("06 11 22 33 44")).toBeVisible();
  await admin.getByLabel("E-mail").fill("ines.roche@atelier-lumiere.fr");
  await admin.getByRole("button", { name: "Continuer" }).click();
  await admin.getByRole("button", { name: /Profil comptable/ }).click();
  await admin.getByRole("button", { name: "Continuer" }).click();
  await expect(admin.getByRole("heading", { name: "Vérifiez l’ensemble de votre sélection" })).toBeVisible();
  await admin.getByRole("button", { name: "Confirmer" }).click();
  await admin.getByLabel(CODE).fill(await app.code(SOPHIE.totpSecret));
  await admin.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(admin.getByRole("heading", { name: "Parfait ! Votre nouvel utilisateur est déjà opérationnel." })).toBeVisible();
  await other.close();

  // Back at the advisor's: she is a user now, no longer waiting.
  await page.reload();
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.locator("table:not(.journal-table) tr", { hasText: "Inès ROCHE" })).toContainText("En attente de première connexion");
  await expect(page.locator("ul.persons")).not.toContainText("Inès ROCHE");
});

test("an advisor unblocks a user blocked after five failed strong authentications", async ({ page, app, browser }) => {
  const other = await browser.newContext();
  const julien = await other.newPage();
  await app.signInWithPassword(julien, JULIEN);
  const right = await app.code(JULIEN.totpSecret);
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
  for (let attempt = 1; attempt <= 5; attempt++) {
    await julien.getByLabel(CODE).fill(wrong);
    await julien.getByRole("button", { name: "Valider le code" }).click();
    await expect(julien.getByRole("alert")).toContainText(attempt === 5 ? "bloqué après 5 échecs" : "Authentification refusée");
  }

  await signInAdvisor(page, app);
  await expect(page.locator("tr", { hasText: "Atelier Lumière SAS" }).locator('td[data-label="Bloqués"]')).toHaveText("1");
  await openAtelier(page);
  const row = page.locator("table:not(.journal-table) tr", { hasText: JULIEN.name });
  await expect(row).toContainText("Bloqué");
  const unblock = row.locator("form", { has: page.getByRole("button", { name: `Débloquer ${JULIEN.name}` }) });
  await unblock.getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await unblock.getByRole("button", { name: `Débloquer ${JULIEN.name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "L’utilisateur est débloqué" })).toBeVisible();
  await expect(page.locator("table:not(.journal-table) tr", { hasText: JULIEN.name })).toContainText("Actif");
  // The entity's journal names the advisor as the author.
  const event = page.locator(".journal-table tr", { hasText: "Déblocage" });
  await expect(event).toContainText("Mme Claire DUBOIS");
  await expect(event).toContainText(JULIEN.name);

  await app.signInWithTotp(julien, JULIEN);
  await other.close();
});

test("the advisor space is closed to anyone not signed in as an advisor", async ({ page, app }) => {
  await app.open(page, "/conseiller");
  await expect(page.getByRole("heading", { name: "Espace conseiller : connexion" })).toBeVisible();
  await app.signInWithTotp(page, SOPHIE);
  // A user's session is no advisor's.
  await app.open(page, "/conseiller");
  await expect(page.getByRole("heading", { name: "Espace conseiller : connexion" })).toBeVisible();
});

test("an advisor corrects a registered person, then withdraws another", async ({ page, app }) => {
  await signInAdvisor(page, app);
  await openAtelier(page);
  await page.getByRole("link", { name: "Corriger ou retirer Lucas MOREAU" }).click();
  await expect(page.getByRole("heading", { name: "Lucas MOREAU" })).toBeVisible();
  await expect(page.getByLabel("Date de naissance")).toHaveValue("1992-07-08");
  await page.getByLabel("Téléphone mobile").fill("07 99 88 77 66");
  await page.locator("#correct-code").fill(await app.code(CLAIRE.totpSecret));
  await page.getByRole("button", { name: "Enregistrer la correction" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Les données de la personne sont corrigées" })).toBeVisible();
  await expect(page.locator("ul.persons li", { hasText: "Lucas MOREAU" })).toContainText("07 99 88 77 66");

  await page.getByRole("link", { name: "Corriger ou retirer Emma GIRARD" }).click();
  await expect(page.getByRole("heading", { name: "Emma GIRARD" })).toBeVisible();
  await page.locator("#withdraw-code").fill(await app.code(CLAIRE.totpSecret));
  await page.getByRole("button", { name: "Retirer Emma GIRARD" }).click();
  await expect(page.getByRole("status").filter({ hasText: "La personne est retirée" })).toBeVisible();
  await expect(page.locator("ul.persons")).not.toContainText("Emma GIRARD");
});

test("an advisor resets a user's access: the user alone receives new credentials", async ({ page, app }) => {
  await signInAdvisor(page, app);
  await openAtelier(page);
  const row = page.locator("table:not(.journal-table) tr", { hasText: JULIEN.name });
  await row.getByText(`Réinitialiser l’accès de ${JULIEN.name}…`).click();
  const reset = row.locator("form", { has: page.getByRole("button", { name: `Réinitialiser l’accès de ${JULIEN.name}` }) });
  await reset.getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await reset.getByRole("button", { name: `Réinitialiser l’accès de ${JULIEN.name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "L’accès est réinitialisé" })).toBeVisible();
  await expect(page.locator("table:not(.journal-table) tr", { hasText: JULIEN.name })).toContainText("En attente de première connexion");
  await expect(page.locator(".journal-table tr", { hasText: "Réinitialisation de l’accès" })).toContainText("Mme Claire DUBOIS");
});

test("an advisor names the first administrator of a new entity, who signs in and administers it", async ({ page, app, browser }) => {
  // A new client of Claire's portfolio, from the bank's systems: no user at all.
  await app.importLines([
    { type: "entite", siren: "552100554", nom: "Boulangerie Dupain SARL", forme: "entreprise", conseiller: "CONS-0001" },
    { type: "compte", entite: "552100554", iban: "FR7630004000031234567890143", libelle: "Compte courant", devise: "EUR" },
    { type: "personne", reference: "PERS-1", entite: "552100554", nom: "DUPAIN", prenom: "Jeanne", date_naissance: "1979-05-17", telephone: "+33611223344", email: "jeanne@dupain.example" },
  ]);
  await signInAdvisor(page, app);
  await page.getByRole("link", { name: "Boulangerie Dupain SARL" }).click();
  await expect(page.getByRole("heading", { name: "Boulangerie Dupain SARL" })).toBeVisible();
  await expect(page.getByText("Cette entité n’a aucun administrateur")).toBeVisible();
  await page.getByRole("link", { name: "Nommer administrateur, corriger ou retirer Jeanne DUPAIN" }).click();
  await expect(page.getByRole("heading", { name: "Nommer administrateur de l’entité" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();
  const naming = page.locator("form", { has: page.getByRole("button", { name: "Nommer Jeanne DUPAIN administrateur" }) });
  // Without an e-mail: a clear error, nothing done.
  await naming.getByLabel("E-mail où elle recevra son identifiant").fill("");
  await naming.getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await naming.getByRole("button").click();
  await expect(naming.getByText("Renseignez l’adresse e-mail")).toBeVisible();
  await naming.getByLabel("E-mail où elle recevra son identifiant").fill("jeanne@dupain.example");
  await naming.getByLabel(CODE).fill(await app.code(CLAIRE.totpSecret));
  await naming.getByRole("button").click();
  await expect(page.getByRole("status").filter({ hasText: "La personne est administrateur de l’entité" })).toBeVisible();
  const row = page.locator("table:not(.journal-table) tr", { hasText: "Jeanne DUPAIN" });
  await expect(row).toContainText("En attente de première connexion");
  await expect(row).toContainText("Administrateur");
  await expect(page.locator(".journal-table")).toContainText("Administrateur nommé par le conseiller");
  // Until her first login, nobody else is named: the page says what to do instead.
  await expect(page.getByText("Un administrateur a été nommé et n’a pas encore fait sa première connexion")).toBeVisible();
  await expect(page.getByText("Cette entité n’a aucun administrateur")).toHaveCount(0);

  // Jeanne's credentials (the login id by e-mail, from her advisor; the password by SMS), her
  // first login, and « Gestion des utilisateurs » is hers.
  const other = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
  const jeanne = await other.newPage();
  const messages = await app.localOutbox(jeanne, 2);
  const mail = messages.find((m) => m.includes("jeanne@dupain.example"))!;
  const sms = messages.find((m) => m.includes("+33611223344"))!;
  expect(mail).toContain("Mme Claire DUBOIS, votre conseiller");
  expect(mail).toContain("Vous en êtes l’administrateur");
  const loginId = mail.match(/Votre identifiant : (\d{10})/)![1];
  const temporary = sms.match(/mot de passe provisoire est (\S+)/)![1];
  const emailCode = mail.match(/code de première connexion : (\d{4} \d{4})/)![1];
  expect(mail).not.toContain(temporary);
  await app.open(jeanne, "/connexion");
  await jeanne.getByLabel("Identifiant").fill(loginId);
  await jeanne.getByLabel("Mot de passe").fill(temporary);
  await jeanne.getByRole("button", { name: "Se connecter" }).click();
  await expect(jeanne.getByRole("heading", { name: "Votre mot de passe" })).toBeVisible();
  await jeanne.getByLabel("Code reçu par e-mail").fill(emailCode);
  const chosen = "cheval agrafe pile correcte";
  await jeanne.getByLabel("Nouveau mot de passe").fill(chosen);
  await jeanne.getByLabel("Confirmez le mot de passe").fill(chosen);
  await jeanne.getByRole("button", { name: "Enregistrer mon mot de passe" }).click();
  await jeanne.getByRole("button", { name: "Configurer une application d’authentification" }).click();
  const secret = (await jeanne.getByTestId("totp-secret").innerText()).trim();
  await jeanne.getByLabel("Code affiché par l’application").fill(await app.code(secret));
  await jeanne.getByRole("button", { name: "Vérifier le code" }).click();
  await expect(jeanne.getByRole("heading", { name: "Bonjour Jeanne DUPAIN" })).toBeVisible();
  await expect(jeanne.getByText("Droits d’administration de l’entité")).toBeVisible();
  await app.open(jeanne, "/utilisateurs");
  await expect(jeanne.getByRole("link", { name: "Ajouter un utilisateur" })).toBeVisible();
  await other.close();
});
