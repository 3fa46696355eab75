// WebAuthn negative cases, with Chromium's virtual authenticator: what the server must refuse
// however the browser side behaves.

import type { Page } from "@playwright/test";
import { expect, SOPHIE, test } from "./fixtures";

async function authenticator(page: Page, userVerified: boolean) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: userVerified,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test("an authenticator that does not verify the user cannot register a passkey", async ({ page, app }) => {
  await authenticator(page, false);
  await app.signInWithTotp(page, SOPHIE);
  await app.open(page, "/securite");
  await page.getByRole("button", { name: "Créer ma clé d’accès" }).click();
  await expect(page.getByRole("alert").or(page.locator(".notice-info")).first()).toBeVisible();
  await expect(page.getByText("Votre clé d’accès est enregistrée.")).toHaveCount(0);
  await app.open(page, "/securite");
  await expect(page.getByText("Aucune clé d’accès enregistrée.")).toBeVisible();
});

test("a passkey whose signature counter goes back is refused (a cloned key)", async ({ page, app }) => {
  const { cdp, authenticatorId } = await authenticator(page, true);
  await app.signInWithTotp(page, SOPHIE);
  await app.enrolPasskey(page);
  await app.signOut(page);
  // A first passkey sign-in raises the counter the server keeps.
  await app.signInWithPassword(page, SOPHIE);
  await page.getByRole("button", { name: "Utiliser ma clé d’accès" }).click();
  await expect(page.getByRole("heading", { name: "Bonjour Sophie MARTIN" })).toBeVisible();
  await app.signOut(page);
  // The same key, cloned with its counter back at zero.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials.length).toBe(1);
  await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
  await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...credentials[0], signCount: 0 } });
  await app.signInWithPassword(page, SOPHIE);
  await page.getByRole("button", { name: "Utiliser ma clé d’accès" }).click();
  await expect(page.getByRole("alert")).toContainText("Authentification refusée");
  await expect(page.getByRole("heading", { name: "Bonjour Sophie MARTIN" })).toHaveCount(0);
});

/** Rewrites the passkey assertion on its way to the server, as a man in the middle would. */
async function tamperWithAssertion(page: Page, tamper: (response: Record<string, string>) => void) {
  await page.route("**/api/connexion/cle/verification", async (route) => {
    const body = JSON.parse(route.request().postData() ?? "{}");
    tamper(body.credential.response);
    await route.continue({ postData: JSON.stringify(body) });
  });
}

for (const [what, tamper] of [
  [
    "an assertion made for another origin",
    (response: Record<string, string>) => {
      const client = JSON.parse(Buffer.from(response.clientDataJSON, "base64url").toString());
      client.origin = "https://banque-exemple.evil.example";
      response.clientDataJSON = Buffer.from(JSON.stringify(client)).toString("base64url");
    },
  ],
  [
    "an assertion with a forged signature",
    (response: Record<string, string>) => {
      const signature = Buffer.from(response.signature, "base64url");
      signature[signature.length - 1] ^= 0xff;
      response.signature = signature.toString("base64url");
    },
  ],
] as const) {
  test(`${what} is refused and counted as a failure`, async ({ page, app }) => {
    await authenticator(page, true);
    await app.signInWithTotp(page, SOPHIE);
    await app.enrolPasskey(page);
    await app.signOut(page);
    await tamperWithAssertion(page, tamper);
    await app.signInWithPassword(page, SOPHIE);
    await page.getByRole("button", { name: "Utiliser ma clé d’accès" }).click();
    await expect(page.getByRole("alert")).toContainText("Authentification refusée. Il vous reste 4 essais");
    await expect(page.getByRole("heading", { name: "Bonjour Sophie MARTIN" })).toHaveCount(0);
  });
}
