// « Droits temporaires »: Sophie gives Julien validation on Virements SEPA until a day, for a
// holiday cover; the end is checked in French, signed, and shown on the check page, on
// Julien's page, in the next modification's grid and in the report. Their removal at the end
// is proven by the server tests (the sweep run at a chosen time, on two instances).

import type { Page } from "@playwright/test";
import { type App, expect, JULIEN, SOPHIE, test } from "./fixtures";

/** A day in Paris, `days` from today, as a date field takes it and as French pages write it. */
function parisDay(days: number): { iso: string; french: string } {
  const at = new Date(Date.now() + days * 86_400_000);
  const iso = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(at);
  const [year, month, day] = iso.split("-");
  return { iso, french: `${day}/${month}/${year}` };
}

const box = (page: Page, level: string, resource: string) => page.getByRole("checkbox", { name: `${level} — ${resource}`, exact: true });

async function modifyJulien(page: Page, app: App) {
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page.getByRole("heading", { name: JULIEN.name })).toBeVisible();
  await page.getByRole("button", { name: "Modifier les droits" }).click();
  await page.getByRole("button", { name: "Attribuer des droits personnalisés" }).click();
  await expect(box(page, "Consultation", "Virements SEPA")).toBeChecked();
}

test("temporary rights: an end date checked, signed and shown everywhere", async ({ page, app }) => {
  const last = parisDay(5);
  await app.signInWithTotp(page, SOPHIE);
  await modifyJulien(page, app);
  await box(page, "Validation", "Virements SEPA").check();
  const endDate = page.getByLabel("Dernier jour des droits ajoutés");
  await expect(page.getByText("Droits temporaires (facultatif)")).toBeVisible();

  // A day already past is refused, in French, and nothing is kept.
  await endDate.fill(parisDay(-1).iso);
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("alert")).toHaveText(/La date de fin est passée/);

  await box(page, "Validation", "Virements SEPA").check();
  await endDate.fill(last.iso);
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByRole("heading", { name: "Vérifiez l’ensemble de votre sélection" })).toBeVisible();
  await expect(page.locator(".facts")).toContainText(`les droits ajoutés, jusqu’au ${last.french} inclus`);
  await expect(page.locator(".recap-lines li", { hasText: "Virements SEPA" })).toContainText(`validation jusqu’au ${last.french} inclus`);
  await page.getByRole("button", { name: "Confirmer" }).click();

  // Signed with the rest: the operation's facts carry it.
  await expect(page.getByRole("heading", { name: "Validez votre opération" })).toBeVisible();
  await expect(page.locator(".facts")).toContainText(`jusqu’au ${last.french} inclus`);
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();

  // Julien's page, the next modification's grid, the report.
  await modifyJulien(page, app);
  await expect(page.locator("td", { has: box(page, "Validation", "Virements SEPA") })).toContainText(`jusqu’au ${last.french}`);
  await expect(page.locator(".until-mark")).toHaveCount(1);
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page.locator(".recap-lines li", { hasText: "Virements SEPA" })).toContainText(`validation jusqu’au ${last.french} inclus`);
  await app.open(page, "/habilitations");
  await expect(page.getByText(`Julien BERNARD (jusqu’au ${last.french} inclus)`).first()).toBeVisible();

  // The cover extended: the same boxes, a new last day.
  const later = parisDay(12);
  await modifyJulien(page, app);
  await page.getByLabel("Dernier jour des droits ajoutés").fill(later.iso);
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.locator(".facts")).toContainText(`les droits temporaires en cours, jusqu’au ${later.french} inclus`);
  await page.getByRole("button", { name: "Confirmer" }).click();
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();
  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page.locator(".recap-lines li", { hasText: "Virements SEPA" })).toContainText(`validation jusqu’au ${later.french} inclus`);
});

test("temporary rights from a later day: listed as scheduled, marked in the grid, not held yet", async ({ page, app }) => {
  const [first, last] = [parisDay(10), parisDay(20)];
  await app.signInWithTotp(page, SOPHIE);
  await modifyJulien(page, app);
  await box(page, "Validation", "Compte chantiers").check();
  await page.getByLabel("Premier jour (facultatif, sinon dès la validation)").fill(first.iso);
  await page.getByLabel("Dernier jour des droits ajoutés").fill(last.iso);
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.locator(".facts")).toContainText(`les droits ajoutés, du ${first.french} au ${last.french} inclus`);
  await page.getByRole("button", { name: "Confirmer" }).click();
  await expect(page.locator(".facts")).toContainText(`du ${first.french} au ${last.french} inclus`);
  await page.getByLabel("Code de votre application d’authentification").fill(await app.code(SOPHIE.totpSecret));
  await page.getByRole("button", { name: "Valider avec le code" }).click();
  await expect(page.getByRole("heading", { name: "L’opération a été appliquée." })).toBeVisible();

  await app.open(page, "/utilisateurs");
  await page.getByRole("link", { name: JULIEN.name }).click();
  await expect(page.getByRole("heading", { name: "Droits programmés (pas encore donnés)" })).toBeVisible();
  await expect(page.locator(".recap-scheduled")).toContainText(`Compte chantiers : validation, du ${first.french} au ${last.french} inclus`);
  await expect(page.locator(".recap-lines li", { hasText: "Compte chantiers" })).not.toContainText("validation");
  await page.getByRole("button", { name: "Modifier les droits" }).click();
  await page.getByRole("button", { name: "Attribuer des droits personnalisés" }).click();
  await expect(box(page, "Validation", "Compte chantiers")).not.toBeChecked();
  await expect(page.locator("td", { has: box(page, "Validation", "Compte chantiers") })).toContainText(`à partir du ${first.french}`);
});
