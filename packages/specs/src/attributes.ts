import { z } from 'zod';

const attributeName = /^[A-Za-z0-9_.-]{1,63}$/;
const attributeValue = /^[A-Za-z0-9_.\-/]{1,253}$/;

/** Agent attributes (`zone`, `rack`, …) that placement constraints match against. */
export const AgentAttributes = z
  .record(
    z.string().regex(attributeName, { message: 'attribute names use letters, digits, "_", "." or "-" (at most 63)' }),
    z.string().regex(attributeValue, { message: 'attribute values use letters, digits, "_", ".", "-" or "/"' }),
  )
  .refine((attrs) => Object.keys(attrs).length <= 64, { message: 'at most 64 attributes' });
export type AgentAttributes = z.infer<typeof AgentAttributes>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses the command-line form `zone:a,rack:r1` (Mesos writes `zone:a;rack:r1`; both
 * separators are accepted).
 */
export function parseAttributes(text: string): ParseResult<AgentAttributes> {
  const attributes: Record<string, string> = {};
  for (const pair of text.split(/[;,]/).map((p) => p.trim()).filter(Boolean)) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      return { ok: false, error: `attribute "${pair}" is not name:value (e.g. zone:a,rack:r1)` };
    }
    const name = pair.slice(0, colon);
    if (name in attributes) return { ok: false, error: `attribute "${name}" is given twice` };
    attributes[name] = pair.slice(colon + 1);
  }
  const checked = AgentAttributes.safeParse(attributes);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, error: `attribute ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, value: checked.data };
}
