/**
 * Fixed-point scalar quantities.
 *
 * Mesos keeps scalar resources as fixed-point values with three decimal digits so that
 * `0.1 + 0.2` cpus is exactly `0.3` and repeated add/subtract never drifts. We do the
 * same: every scalar is an integer count of milli-units (`Milli`). Integers below 2^53
 * add and subtract exactly in a JS number, so the algebra is exact up to ~9·10^12 units.
 */
export type Milli = number;

export const MILLI_PER_UNIT = 1000;

/**
 * Converts a decimal quantity to milli-units, rounding to the nearest thousandth
 * (halves away from zero, as Mesos' `llround`). Rejects values that are not finite.
 */
export function toMilli(value: number): Milli {
  if (!Number.isFinite(value)) throw new RangeError(`scalar quantity must be finite, got ${value}`);
  const scaled = value * MILLI_PER_UNIT;
  return scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
}

/** The decimal value of a milli-unit count (for display and JSON only; never compute with it). */
export function fromMilli(milli: Milli): number {
  return milli / MILLI_PER_UNIT;
}

/** Formats like Mesos does: shortest decimal with at most three fractional digits. */
export function formatMilli(milli: Milli): string {
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  const whole = Math.floor(abs / MILLI_PER_UNIT);
  const frac = abs % MILLI_PER_UNIT;
  if (frac === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}
