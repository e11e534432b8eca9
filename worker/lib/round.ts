/** Rounded to cents (two decimals). */
export const round2 = (n: number) => Math.round(n * 100) / 100;
