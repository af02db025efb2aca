/**
 * Reading a constraint field off an agent or a placed instance, formatted as Marathon
 * compares it: text as is; scalars rounded to the nearest thousandth (half-even) with
 * trailing zeros dropped, so `0.8`, `0.80` and `0.8001` all read `0.8`.
 */
import type { AttributeValue } from './types.js';

interface HasPlace {
  readonly hostname: string;
  readonly region?: string;
  readonly zone?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** Half-even rounding to three decimals, formatted without trailing zeros. */
export function formatScalarAttribute(value: number): string {
  const scaled = value * 1000;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const EPS = 1e-9;
  let rounded: number;
  if (Math.abs(diff - 0.5) < EPS) rounded = floor % 2 === 0 ? floor : floor + 1;
  else rounded = Math.round(scaled);
  return String(rounded / 1000);
}

export function formatAttribute(value: AttributeValue): string {
  return typeof value === 'number' ? formatScalarAttribute(value) : value;
}

export function fieldValue(field: string, where: HasPlace): string | undefined {
  switch (field) {
    case 'hostname':
    case '@hostname':
      return where.hostname;
    case '@region':
      return where.region;
    case '@zone':
      return where.zone;
    default: {
      const v = where.attributes?.[field];
      return v === undefined ? undefined : formatAttribute(v);
    }
  }
}
