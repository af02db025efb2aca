import type { IncomingMessage } from 'node:http';
import { BodyError } from './body.js';

/**
 * Reads an HTML-form body (application/x-www-form-urlencoded) of at most `limitBytes`:
 * what a SAML identity provider POSTs to the ACS through the browser.
 */
export async function readFormBody(req: IncomingMessage, limitBytes = 512 * 1024): Promise<Record<string, string>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) throw new BodyError(415, 'send the body as an HTML form (application/x-www-form-urlencoded)');
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) throw new BodyError(413, `request body over ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new BodyError(413, `request body over ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
