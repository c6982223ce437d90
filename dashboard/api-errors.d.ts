/** Types of api-errors.js, for the TypeScript that imports it; the page needs none. */
import type { ApiError } from '../functions/domain/api-types.js';

export declare const GATEWAY_CODES: Readonly<Record<number, string>>;

export declare function errorBodyOf(status: number, text: string): ApiError;
