/** Prop checks the constructs share; each throws an Error that names the construct (`where`) and the value. */

/** `value`, when given, is a whole number from `min` to `max`. */
export function checkWholeNumber(where: string, what: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${where}: ${what} must be a whole number from ${min} to ${max}, got ${value}`);
}
