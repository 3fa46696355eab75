// « Revue des accès » and « Auditeur », on a desktop and on a phone: an administrator reviews
// every user's rights and closes the review with a signed evidence file; an auditor reads the
// journal, the report and the reviews, and nothing else of the administration.

import AxeBuilder from "@axe-core/playwright";
import { readFileSync } from "node:fs";
import { expect, JULIEN, NADIA, SOPHIE, test } from "./fixtures";

test("an access review: every user confirmed, then closed with a signed evidence file", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  // Never reviewed: the home page says a review is due.
  await expect(page.getByTestId("review-due")).toContainText("Aucune revue des accès");
  await page.getByRole("link", { name: "Voir la revue des accès" }).click();
  await expect(page.getByRole("heading", { name: "Revue des accès", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Commencer une revue des accès" }).click();
  await expect(page.getByRole("heading", { name: /^Revue des accès du \d\d\/\d\d\/\d{4}/ })).toBeVisible();
  await expect(page.getByTestId("review-progress")).toContainText("0 confirmés");
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  // Closing too early is refused, in French, and changes nothing.
  await page.getByRole("button", { name: "Clôturer la revue" }).click();
  await expect(page.getByRole("alert")).toContainText("Des utilisateurs restent à revoir");

  const julien = page.getByTestId("review-item").filter({ hasText: JULIEN.name });
  await julien.getByRole("button", { name: "Confirmer ces droits" }).click();
  await expect(julien).toContainText("Confirmés");
  await expect(julien).toContainText(`Par ${SOPHIE.name}`);
  await expect(julien.getByRole("button", { name: "Confirmer ces droits" })).toHaveCount(0);

  // Everyone else, one by one.
  const buttons = page.getByRole("button", { name: "Confirmer ces droits" });
  for (let left = await buttons.count(); left > 0; left--) {
    await buttons.first().click();
    await expect(buttons).toHaveCount(left - 1);
  }
  await page.getByRole("button", { name: "Clôturer la revue" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Revue clôturée le` })).toContainText(SOPHIE.name);
  await expect(page.getByTestId("evidence-signature")).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByRole("button", { name: "Clôturer la revue" })).toHaveCount(0);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Télécharger la preuve (CSV)" }).click(),
  ]);
  const csv = readFileSync(await download.path(), "utf8");
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  expect(csv).toContain("Utilisateur;Identifiant;Décision;Droits;Par;Le;Opération");
  expect(csv).toMatch(new RegExp(`"${JULIEN.name}";"${JULIEN.loginId}";"Confirmés";`));
  expect(csv).toContain('"Signature du serveur (HMAC-SHA-256)"');

  // Printed: the review alone.
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByTestId("review-item").first()).toBeVisible();
  await page.emulateMedia({ media: "screen" });

  // Done: no reminder on the home page any more.
  await app.open(page, "/accueil");
  await expect(page.getByRole("heading", { name: `Bonjour ${SOPHIE.name}` })).toBeVisible();
  await expect(page.getByTestId("review-due")).toHaveCount(0);
});

test("an auditor reads the journal, the report and the reviews, and nothing else", async ({ page, app }) => {
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: NADIA.name }).click();
  await expect(page.getByTestId("auditor")).toHaveText("non");
  await page.getByRole("button", { name: "Désigner comme auditeur" }).click();
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  await expect(page.getByText("Rôle d’auditeur (journal, rapport des habilitations et revues des accès, en lecture seule) donné à")).toBeVisible();
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();
  await app.signOut(page);

  await app.signInWithTotp(page, NADIA);
  await expect(page.getByText("Auditeur : journal, rapport des habilitations et revues des accès")).toBeVisible();
  await app.openMenu(page);
  const menu = page.getByRole("navigation", { name: "Menu principal" });
  await expect(menu.getByRole("link", { name: "Journal des opérations" })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Revue des accès" })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Gestion des utilisateurs" })).toHaveCount(0);

  await menu.getByRole("link", { name: "Journal des opérations" }).click();
  await expect(page.locator("table.journal tbody tr", { hasText: "Rôle d’auditeur" })).toContainText(NADIA.name);

  // The report's names lead an auditor to « Pourquoi ? », not to the users' pages.
  await app.open(page, "/habilitations");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page).toHaveURL(/\/utilisateurs\/\d+\/pourquoi$/);
  await expect(page.getByRole("link", { name: /Retour/ })).toHaveAttribute("href", "/habilitations");

  await app.open(page, "/revues");
  await expect(page.getByText("Vous consultez les revues en tant qu’auditeur : lecture seule.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Commencer une revue des accès" })).toHaveCount(0);
  await expect(page.getByLabel("Période entre deux revues (en jours)")).toHaveCount(0);
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  await app.open(page, "/utilisateurs");
  await expect(page.getByRole("heading", { name: "Accès réservé" })).toBeVisible();
});
