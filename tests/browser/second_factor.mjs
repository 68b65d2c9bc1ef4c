// The second factor (TOTP) in the browser, on the demo region (whose organisations do not require
// one; a user sets one up by choice), everything by clicking and typing, every new page checked
// with axe-core:
//
// - the coordinator of CBS De Wegwijzer sets up a second factor: the QR code (SVG, made on the
//   server) and the secret, the first code of the "app" (RFC 6238, computed here as an
//   authenticator app does), the ten recovery codes shown once;
// - signs in again: the password, then a code;
// - signs in with a recovery code: the page says how many are left;
// - the school's beheerder removes the second factor (the user lost the phone); the coordinator
//   then signs in with the password alone;
// - the beheerder requires a second factor of the school's users: the next page asks the
//   beheerder to set one up.
//
// Runs last: it changes the demo region's CBS De Wegwijzer (the other suites use OBS De Esch).

import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, noViolations, step, submit } from './lib.mjs';

const USER = 'coordinator@cbs-de-wegwijzer.example';
const ADMIN = 'beheer@cbs-de-wegwijzer.example';

/// Base32 (RFC 4648) to bytes.
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`geen base32: ${text}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  return Buffer.from(out);
}

/// The 6-digit TOTP code of a secret at a moment (seconds), as an authenticator app makes it.
export function totp(secret, seconds = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = (((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1000000;
  return String(n).padStart(6, '0');
}

async function logout(page) {
  await submit(page, page.getByRole('button', { name: 'Uitloggen' }).first());
}

async function shot(page, shots, name) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

export async function secondFactorSuite(browser, base, shots) {
  let secret = '';
  let codes = [];
  await step('second factor: set up', async () => {
    const page = await (await browser.newContext()).newPage();
    await login(page, base, USER);
    await submit(page, page.getByRole('link', { name: 'Tweede factor', exact: true }));
    await noViolations(page, 'tweede factor (nog niet ingesteld)');
    await submit(page, page.getByRole('button', { name: 'Tweede factor instellen' }));
    const qr = page.locator('.qr svg[role="img"]');
    if (!(await qr.count())) throw new Error('geen QR-code (SVG) op de pagina');
    secret = (await page.locator('code.secret').innerText()).replace(/\s/g, '');
    if (secret.length < 32) throw new Error(`het geheim is te kort: ${secret}`);
    await noViolations(page, 'tweede factor (QR-code)');
    await shot(page, shots, 'tweede-factor-instellen');
    await page.getByLabel('Code van 6 cijfers').fill(totp(secret));
    await submit(page, page.getByRole('button', { name: 'Tweede factor instellen' }));
    codes = await page.locator('.recovery-codes code').allInnerTexts();
    if (codes.length !== 10) throw new Error(`${codes.length} herstelcodes in plaats van 10`);
    await noViolations(page, 'herstelcodes');
    await shot(page, shots, 'tweede-factor-herstelcodes');
    await submit(page, page.getByRole('link', { name: 'Ik heb de codes bewaard' }));
    await logout(page);
    await page.context().close();
  });

  await step('second factor: sign in with a code', async () => {
    const page = await (await browser.newContext()).newPage();
    const next = await login(page, base, USER);
    if (next !== '/inloggen/code') throw new Error(`na het wachtwoord naar ${next}, niet naar de code`);
    await noViolations(page, 'code na het wachtwoord');
    await shot(page, shots, 'inloggen-code');
    // A wrong code first: the form again, with the message.
    await page.getByLabel('Code').fill(totp(secret, Date.now() / 1000 - 3600));
    await submit(page, page.getByRole('button', { name: 'Inloggen' }));
    if (!/De code is onjuist/.test(await page.locator('main').innerText())) {
      throw new Error('een onjuiste code gaf geen melding');
    }
    await noViolations(page, 'code onjuist');
    // The app's next code (the one the set-up used is used up).
    await page.getByLabel('Code').fill(totp(secret, Date.now() / 1000 + 30));
    await submit(page, page.getByRole('button', { name: 'Inloggen' }));
    if (new URL(page.url()).pathname !== '/taken') {
      throw new Error(`na de code op ${page.url()}, niet op /taken`);
    }
    await logout(page);
    await page.context().close();
  });

  await step('second factor: sign in with a recovery code', async () => {
    const page = await (await browser.newContext()).newPage();
    await login(page, base, USER);
    await page.getByLabel('Code').fill(codes[0]);
    await submit(page, page.getByRole('button', { name: 'Inloggen' }));
    const text = await page.locator('main').innerText();
    if (!/u hebt er nog 9/.test(text)) throw new Error(`geen telling van de herstelcodes: ${text}`);
    await noViolations(page, 'herstelcode gebruikt');
    await submit(page, page.getByRole('link', { name: 'Verder' }));
    if (new URL(page.url()).pathname !== '/taken') throw new Error(`na "Verder" op ${page.url()}`);
    await logout(page);
    // The same recovery code does not work twice.
    await login(page, base, USER);
    await page.getByLabel('Code').fill(codes[0]);
    await submit(page, page.getByRole('button', { name: 'Inloggen' }));
    if (new URL(page.url()).pathname !== '/inloggen/code') throw new Error('een herstelcode werkte twee keer');
    await page.context().close();
  });

  await step('second factor: the beheerder resets it, then requires it', async () => {
    const page = await (await browser.newContext()).newPage();
    await login(page, base, ADMIN);
    await submit(page, page.getByRole('link', { name: 'Gebruikers', exact: true }));
    await submit(page, page.getByRole('link', { name: 'Tweede factor van de gebruikers' }));
    await noViolations(page, 'tweede factor van de gebruikers');
    const row = page.locator('tr', { hasText: USER });
    if (!/sinds/.test(await row.innerText())) throw new Error(`${USER} heeft geen tweede factor volgens de beheerder`);
    await shot(page, shots, 'beheer-tweede-factor');
    await submit(page, row.getByRole('button', { name: /Opnieuw laten instellen/ }));
    const notice = await page.locator('[role="status"]').innerText();
    if (!notice.includes(`De tweede factor van ${USER} is verwijderd`)) throw new Error(`geen bevestiging: ${notice}`);
    await noViolations(page, 'tweede factor verwijderd');

    // The coordinator: the password alone again (not required in the demo).
    const user = await (await browser.newContext()).newPage();
    const landing = await login(user, base, USER);
    if (landing !== '/taken') throw new Error(`na het opnieuw instellen naar ${landing}, niet naar /taken`);
    await user.context().close();

    // Required: the beheerder, without one, sets one up before going on.
    await submit(page, page.getByRole('button', { name: 'Verplicht stellen' }));
    await page.goto(`${base}/beheer`);
    if (new URL(page.url()).pathname !== '/tweede-factor') {
      throw new Error(`verplicht: de beheerder kwam op ${page.url()}, niet op /tweede-factor`);
    }
    if (!/Uw organisatie vraagt/.test(await page.locator('main').innerText())) {
      throw new Error('de pagina zegt niet dat de organisatie een tweede factor vraagt');
    }
    await noViolations(page, 'tweede factor verplicht (instellen)');
    await shot(page, shots, 'tweede-factor-verplicht');
    await page.context().close();
  });
}
