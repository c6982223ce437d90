/** Types of money.js, for the TypeScript that imports it; the page needs none. */
export declare function minorDigits(currency: string | undefined): number;
export declare function money(cents: number | null | undefined, currency: string | undefined): string;
export declare function moneyText(cents: number, currency?: string, withCode?: boolean): string;
