/** Array access that fails loudly instead of yielding undefined (noUncheckedIndexedAccess). */

export function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new RangeError(`index ${i} outside an array of ${values.length}`);
  return v;
}

export function first(values: readonly number[]): number {
  return at(values, 0);
}

export function last(values: readonly number[]): number {
  return at(values, values.length - 1);
}
